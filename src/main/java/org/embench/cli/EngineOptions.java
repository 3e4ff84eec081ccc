package org.embench.cli;

import org.embench.UserException;
import org.embench.model.Engine;
import picocli.CommandLine.Option;

/** Options of commands that run the model engine in this JVM. */
final class EngineOptions {
  @Option(
      names = "--threads",
      paramLabel = "N",
      description =
          "Threads for the engine (default: all cores, or -Dembench.engine.threads / EMBENCH_THREADS).")
  Integer threads;

  /** Applies --threads before the shared engine is created. */
  void apply() {
    if (threads != null) {
      if (threads < 1) {
        throw new UserException("--threads must be at least 1, got " + threads);
      }
      System.setProperty(Engine.THREADS, String.valueOf(threads));
    }
  }
}
