package org.embench.stage;

import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.embench.model.Engine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sizes the engine of an executor JVM before its first task loads a model. An executor runs {@code
 * spark.executor.cores ÷ spark.task.cpus} tasks at once and ND4J's OpenMP and BLAS threads multiply
 * with them, so on a cluster each task's engine gets {@code spark.task.cpus} threads (the cores
 * Spark reserved for it) rather than every core of the machine. In local mode the driver runs the
 * tasks and the engine keeps the machine's cores; an explicit {@code -Dembench.engine.threads} (or
 * EMBENCH_THREADS) always wins. The choice and its reason are logged once per JVM.
 */
public final class TaskEngine {
  private static final Logger LOG = LoggerFactory.getLogger(TaskEngine.class);
  private static boolean configured;

  private TaskEngine() {}

  /** Call at the start of a task, before anything creates {@link Engine#shared()}. */
  public static synchronized void configure() {
    if (configured) {
      return;
    }
    configured = true;
    String explicit = Engine.requestedThreads();
    SparkEnv env = SparkEnv.get();
    TaskContext task = TaskContext.get();
    if (explicit != null && !explicit.isBlank()) {
      LOG.info(
          "engine threads: {} (set by -D{} or EMBENCH_THREADS)", explicit.trim(), Engine.THREADS);
    } else if (env == null || task == null || "driver".equals(env.executorId())) {
      LOG.info(
          "engine threads: {} (local mode: the machine's cores; -D{}=N changes it)",
          Runtime.getRuntime().availableProcessors(),
          Engine.THREADS);
    } else {
      int cpus = task.cpus();
      int cores =
          env.conf().getInt("spark.executor.cores", Runtime.getRuntime().availableProcessors());
      System.setProperty(Engine.THREADS, String.valueOf(cpus));
      LOG.info(
          "engine threads: {} per task (spark.task.cpus; executor {} runs up to {} task(s) at once on {} core(s),"
              + " so ND4J/OpenMP threads follow the task's share instead of the machine's {} cores)",
          cpus,
          env.executorId(),
          Math.max(1, cores / cpus),
          cores,
          Runtime.getRuntime().availableProcessors());
    }
    if (task != null && task.resources().contains(ClusterSettings.GPU)) {
      LOG.info(
          "task GPU(s): {} (spark.task.resource.gpu.amount)",
          String.join(",", task.resources().apply(ClusterSettings.GPU).addresses()));
    }
  }
}
