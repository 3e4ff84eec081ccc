package org.embench.rl;

import java.util.List;
import java.util.Map;
import org.embench.config.Registry;

/**
 * The rewards by name: the one place a name and parameters become a {@link Reward}. Each reward
 * declares itself (a {@link org.embench.config.Declaration}) beside its class; this class only
 * lists them.
 */
public final class Rewards {
  /** Makes a reward from parameters that have been resolved. */
  @FunctionalInterface
  public interface Factory {
    Reward create(Map<String, Object> params, RewardContext ctx);
  }

  static final Registry<Factory> REGISTRY =
      new Registry<>(
          "reward",
          List.of(
              ExactReward.DECLARATION,
              RegexReward.DECLARATION,
              CodeSurfaceReward.DECLARATION,
              JudgeReward.DECLARATION));

  public static final List<String> NAMES = REGISTRY.names();

  private Rewards() {}

  /**
   * Checks a reward's name and parameters and returns the parameters with defaults filled in, in
   * the declared order: what a run records. Needs nothing but the values, so a spec is checked when
   * read. Resolving resolved parameters gives them back unchanged.
   */
  public static Map<String, Object> resolve(String name, Map<String, ?> params) {
    return REGISTRY.resolve(name, params);
  }

  public static Reward create(String name, Map<String, ?> params, RewardContext ctx) {
    return REGISTRY.declaration(name).factory().create(resolve(name, params), ctx);
  }

  /**
   * Each reward with its documentation and parameters (default, help): the help of the commands
   * that take one.
   */
  public static String describe() {
    return String.join("\n", REGISTRY.describe()) + "\n";
  }
}
