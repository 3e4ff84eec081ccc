package org.embench.judge;

import java.util.function.Function;
import org.apache.hadoop.conf.Configuration;

/**
 * What a judge needs from where it runs: environment variables (the API key is read from one and
 * nothing else), the Hadoop configuration (to load a local judge's model), and how many tasks share
 * the cluster-wide rate limits at once (each task takes its share).
 */
public record JudgeEnvironment(
    Function<String, String> env, Configuration conf, int concurrentTasks) {
  public JudgeEnvironment {
    if (concurrentTasks < 1) {
      throw new IllegalArgumentException(
          "concurrentTasks must be at least 1, got " + concurrentTasks);
    }
  }

  /** The process environment. */
  public static JudgeEnvironment system(Configuration conf, int concurrentTasks) {
    return new JudgeEnvironment(System::getenv, conf, concurrentTasks);
  }
}
