package org.embench.mitigation;

import java.util.List;
import java.util.Map;
import org.embench.UserException;
import org.embench.config.Declaration;
import org.embench.config.Param;
import org.embench.config.Params;
import org.embench.train.ReferenceTerms;

/**
 * {@code kl}: adds λ·KL(p_θ ‖ p_ref) per learned token, where the reference is the same model with
 * the adapter off, on the training data or, with {@code data: NAME}, on a prepared safe data set
 * (one batch of it per step). Default λ = 0.1.
 */
final class KlToReference implements Mitigation {
  private final Params params;

  static final Declaration<Mitigations.Factory> DECLARATION =
      new Declaration<>(
          "kl",
          "adds λ·KL(p_θ ‖ p_ref) per learned token; the reference is the model with the adapter off",
          List.of(
              Param.of("lambda", 0.1, "weight λ of the KL term"),
              Param.of(
                  "data",
                  "train",
                  "train (KL on the training batch) or a prepared safe data set (one batch per step)")),
          KlToReference::new);

  KlToReference(Params params) {
    this.params = params;
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
    return new ReferenceTerms(
        params.number("lambda"),
        data.equals("train") ? null : ctx.tokenize(ctx.dataset(data, "mitigation kl")),
        0,
        new int[0]);
  }
}
