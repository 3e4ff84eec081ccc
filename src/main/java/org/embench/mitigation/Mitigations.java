package org.embench.mitigation;

import java.util.List;
import java.util.Map;
import org.embench.config.Declaration;
import org.embench.config.Params;
import org.embench.config.Registry;

/**
 * The mitigations by name: the one place a name and parameters become a {@link Mitigation}. Each
 * mitigation declares itself (a {@link Declaration}: name, documentation, parameters with types,
 * defaults and help) beside its class; this class only lists them.
 */
public final class Mitigations {
  /** Makes a mitigation from parameters bound to its declaration. */
  @FunctionalInterface
  public interface Factory {
    Mitigation create(Params params);
  }

  static final Registry<Factory> REGISTRY =
      new Registry<>(
          "mitigation",
          List.of(
              NoMitigation.DECLARATION,
              KlToReference.DECLARATION,
              FeatureDistance.DECLARATION,
              InterleaveSafeData.DECLARATION,
              InoculationPrompt.DECLARATION,
              PersonaSteering.DECLARATION,
              ConceptAblation.DECLARATION,
              SafeLora.DECLARATION,
              Realign.DECLARATION,
              EarlyStopping.DECLARATION));

  public static final List<String> NAMES = REGISTRY.names();

  private Mitigations() {}

  public static Mitigation create(String name, Map<String, ?> params) {
    return REGISTRY.declaration(name).factory().create(REGISTRY.params(name, params));
  }

  /** Each mitigation with its documentation and parameters (default, help): the commands' help. */
  public static List<String> describe() {
    return REGISTRY.describe();
  }
}
