package org.embench.rl;

import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.embench.judge.JudgeEnvironment;

/**
 * What a reward may need from where it runs: the judge environment (API keys, the Hadoop
 * configuration a local judge loads its model with) and the cache of judge calls already paid for.
 *
 * @param env {@code JudgeEnvironment.system(conf, 1)} in production: a training run is one task
 * @param calls where judge calls are looked up before and stored after they are made
 */
public record RewardContext(JudgeEnvironment env, CallCache calls) {
  /**
   * The process environment and an empty in-memory cache: for rewards that need nothing, and tests.
   */
  public static RewardContext none(Configuration conf) {
    return new RewardContext(JudgeEnvironment.system(conf, 1), CallCache.inMemory(Map.of()));
  }
}
