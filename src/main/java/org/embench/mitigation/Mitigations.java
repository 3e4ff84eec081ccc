package org.embench.mitigation;

import java.util.List;
import java.util.Map;
import org.embench.UserException;

/** The mitigations by name: the one place a name and parameters become a {@link Mitigation}. */
public final class Mitigations {
  public static final List<String> NAMES =
      List.of("none", "kl", "ldifs", "interleave", "inoculation", "persona_steer", "caft", "safelora", "realign",
          "early_stop");

  private Mitigations() {}

  public static Mitigation create(String name, Map<String, ?> params) {
    return switch (name) {
      case "none" -> new NoMitigation(params);
      case "kl" -> new KlToReference(params);
      case "ldifs" -> new FeatureDistance(params);
      case "interleave" -> new InterleaveSafeData(params);
      case "inoculation" -> new InoculationPrompt(params);
      case "persona_steer" -> new PersonaSteering(params);
      case "caft" -> new ConceptAblation(params);
      case "safelora" -> new SafeLora(params);
      case "realign" -> new Realign(params);
      case "early_stop" -> new EarlyStopping(params);
      default -> throw new UserException("unknown mitigation '" + name + "'; known: " + String.join(", ", NAMES));
    };
  }
}
