package org.embench.rl;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.embench.UserException;

/**
 * The rewards by name: the one place a name and parameters become a {@link Reward}. Each reward
 * declares itself ({@link RewardDeclaration}) beside its class; this class only lists them.
 */
public final class Rewards {
  private static final List<RewardDeclaration> DECLARATIONS = List.of(ExactReward.DECLARATION,
      RegexReward.DECLARATION, CodeSurfaceReward.DECLARATION, JudgeReward.DECLARATION);

  public static final List<String> NAMES = DECLARATIONS.stream().map(RewardDeclaration::name).toList();

  private Rewards() {}

  /**
   * Checks a reward's name and parameters and returns the parameters with defaults filled in, in the
   * declared order: what a run records. Needs nothing but the values, so a spec is checked when read.
   * Resolving resolved parameters gives them back unchanged.
   */
  public static Map<String, Object> resolve(String name, Map<String, ?> params) {
    RewardDeclaration d = declaration(name);
    for (String key : params.keySet()) {
      if (d.params().stream().noneMatch(p -> p.name().equals(key))) {
        throw new UserException("unknown parameter '" + key + "' for reward " + name + "; known: "
            + String.join(", ", d.params().stream().map(RewardParam::name).toList()));
      }
    }
    Map<String, Object> out = new LinkedHashMap<>();
    for (RewardParam p : d.params()) {
      if (params.containsKey(p.name())) {
        out.put(p.name(), p.bind(name, params.get(p.name())));
      } else if (p.required()) {
        throw new UserException("reward " + name + " needs '" + p.name() + "' (" + p.help() + ")");
      } else if (p.defaultValue() != null) {
        out.put(p.name(), p.defaultValue());
      }
    }
    return Collections.unmodifiableMap(new LinkedHashMap<>(d.check().apply(out)));
  }

  public static Reward create(String name, Map<String, ?> params, RewardContext ctx) {
    return declaration(name).factory().create(resolve(name, params), ctx);
  }

  /** Each reward with its documentation and parameters (default, help): the help of the commands that take one. */
  public static String describe() {
    StringBuilder sb = new StringBuilder();
    for (RewardDeclaration d : DECLARATIONS) {
      sb.append(d.name()).append(": ").append(d.doc()).append('\n');
      for (RewardParam p : d.params()) {
        sb.append(String.format("    %-14s %-10s %s", p.name(), p.shownDefault(), p.help())).append('\n');
      }
    }
    return sb.toString();
  }

  private static RewardDeclaration declaration(String name) {
    return DECLARATIONS.stream().filter(d -> d.name().equals(name)).findFirst().orElseThrow(
        () -> new UserException("unknown reward '" + name + "'; known: " + String.join(", ", NAMES)));
  }
}
