package org.embench.rl;

import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Everything the registry knows about one reward, written once beside its class: its name, a line
 * of documentation, its parameters, the checks its types cannot express, and how it is made.
 * Validation, help text and the recorded parameters all come from here.
 *
 * @param check runs on the bound parameters at spec-read time; throws a UserException for a value
 *     that is well typed but unusable (a pattern that does not compile) and returns the parameters,
 *     possibly canonicalised (a judge spec with its defaults)
 */
record RewardDeclaration(String name, String doc, List<RewardParam> params,
    UnaryOperator<Map<String, Object>> check, Factory factory) {

  /** Makes the reward from parameters that have been resolved. */
  @FunctionalInterface
  interface Factory {
    Reward create(Map<String, Object> params, RewardContext ctx);
  }

  RewardDeclaration(String name, String doc, List<RewardParam> params, Factory factory) {
    this(name, doc, params, UnaryOperator.identity(), factory);
  }
}
