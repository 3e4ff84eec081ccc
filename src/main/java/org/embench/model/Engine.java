package org.embench.model;

import org.embench.UserException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tensor backend and thread pool of this JVM, shared by every model and task in it. Threads
 * default to the machine's cores; set {@code -Dembench.engine.threads=N} (or EMBENCH_THREADS) to
 * leave room for other work, e.g. cores ÷ concurrent Spark tasks.
 */
public final class Engine {
  public static final String THREADS = "embench.engine.threads";
  private static final Logger LOG = LoggerFactory.getLogger(Engine.class);
  private static Engine shared;

  private final TensorBackend backend;
  private final Parallel parallel;

  public Engine(int threads) {
    this.backend = new Nd4jBackend(threads);
    this.parallel = new Parallel(threads);
  }

  /** The JVM's engine, created on first use. */
  public static synchronized Engine shared() {
    if (shared == null) {
      shared = new Engine(defaultThreads());
      LOG.info("engine: {}", shared.backend.describe());
    }
    return shared;
  }

  /**
   * The thread count set by -Dembench.engine.threads or EMBENCH_THREADS; null or blank when none
   * is.
   */
  public static String requestedThreads() {
    return System.getProperty(THREADS, System.getenv("EMBENCH_THREADS"));
  }

  static int defaultThreads() {
    String v = requestedThreads();
    if (v == null || v.isBlank()) {
      return Runtime.getRuntime().availableProcessors();
    }
    try {
      int n = Integer.parseInt(v.trim());
      if (n >= 1) {
        return n;
      }
    } catch (NumberFormatException e) {
      // fall through to the message below
    }
    throw new UserException(THREADS + " must be a positive integer, got '" + v + "'");
  }

  public TensorBackend backend() {
    return backend;
  }

  public Parallel parallel() {
    return parallel;
  }
}
