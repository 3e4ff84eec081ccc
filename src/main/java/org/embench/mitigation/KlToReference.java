package org.embench.mitigation;

import java.util.LinkedHashMap;
import java.util.Map;
import org.embench.UserException;
import org.embench.config.Params;
import org.embench.train.ReferenceTerms;

/**
 * {@code kl}: adds λ·KL(p_θ ‖ p_ref) per learned token, where the reference is the same model with
 * the adapter off, on the training data or, with {@code data: NAME}, on a prepared safe data set
 * (one batch of it per step). Default λ = 0.1.
 */
final class KlToReference implements Mitigation {
  private final Params params;

  KlToReference(Map<String, ?> given) {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("lambda", 0.1);
    d.put("data", "train");
    this.params = Params.forMitigation("kl", d, given);
    if (params.number("lambda") < 0) {
      throw new UserException("kl.lambda must be >= 0, got " + params.number("lambda"));
    }
  }

  @Override
  public String name() {
    return "kl";
  }

  @Override
  public Map<String, Object> params() {
    return params.all();
  }

  @Override
  public ReferenceTerms referenceTerms(MitigationContext ctx) {
    String data = params.string("data");
    return new ReferenceTerms(params.number("lambda"),
        data.equals("train") ? null : ctx.tokenize(ctx.dataset(data, "mitigation kl")), 0, new int[0]);
  }
}
