package org.embench.stage;

import java.util.Map;

/**
 * The Spark settings embench expects on clusters: the definitions under {@code deploy/}
 * (Databricks, EMR) carry them, and a test holds the two in step.
 */
public final class ClusterSettings {
  private ClusterSettings() {}

  /** The class spark-submit and JAR tasks start. */
  public static final String MAIN_CLASS = "org.embench.cli.Main";

  /** Spark's name of the GPU resource. */
  public static final String GPU = "gpu";

  /**
   * GPU clusters: one GPU per executor and one per task, so a training or sampling task has a GPU
   * to itself and the engine needs no device choice (device 0 is the task's GPU).
   */
  public static final Map<String, String> GPU_SCHEDULING =
      Map.of(
          "spark.executor.resource.gpu.amount", "1",
          "spark.task.resource.gpu.amount", "1");

  /** On YARN (EMR) executors find their GPUs with this script, which EMR's GPU images ship. */
  public static final String EMR_GPU_DISCOVERY_SCRIPT =
      "/usr/lib/spark/scripts/gpu/getGpusResources.sh";

  /**
   * Spark RAPIDS for the SQL stages: the plugin class; its jar is the cluster's, never embench's.
   */
  public static final Map<String, String> RAPIDS =
      Map.of("spark.plugins", "com.nvidia.spark.SQLPlugin");
}
