package org.embench.mitigation;

import java.util.List;
import java.util.Map;
import org.embench.config.Declaration;
import org.embench.config.Params;

/** The baseline: plain fine-tuning. */
final class NoMitigation implements Mitigation {
  private final Params params;

  static final Declaration<Mitigations.Factory> DECLARATION =
      new Declaration<>("none", "no mitigation: the plain fine-tune", List.of(), NoMitigation::new);

  NoMitigation(Params params) {
    this.params = params;
  }

  @Override
  public String name() {
    return "none";
  }

  @Override
  public Map<String, Object> params() {
    return params.all();
  }
}
