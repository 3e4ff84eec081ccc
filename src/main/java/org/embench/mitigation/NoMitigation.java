package org.embench.mitigation;

import java.util.Map;
import org.embench.config.Params;

/** The baseline: plain fine-tuning. */
final class NoMitigation implements Mitigation {
  private final Params params;

  NoMitigation(Map<String, ?> given) {
    this.params = Params.forMitigation("none", Map.of(), given);
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
