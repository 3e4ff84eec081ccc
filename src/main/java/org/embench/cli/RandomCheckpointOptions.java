package org.embench.cli;

import org.embench.UserException;
import picocli.CommandLine.Option;

/**
 * The random Qwen2.5-0.5B-shaped checkpoint and LoRA rank of the training benchmarks ({@code bench
 * train}, {@code bench grpo}).
 */
final class RandomCheckpointOptions {
  @Option(
      names = "--dir",
      defaultValue = "target/bench-train",
      paramLabel = "DIR",
      description = "Where the random checkpoints are written (reused). Default: ${DEFAULT-VALUE}.")
  String dir;

  @Option(
      names = "--layers",
      defaultValue = "24",
      paramLabel = "N",
      description = "Layers. Default: ${DEFAULT-VALUE}.")
  int layers;

  @Option(
      names = "--rank",
      defaultValue = "32",
      paramLabel = "R",
      description = "LoRA rank. Default: ${DEFAULT-VALUE}.")
  int rank;

  /** The layers and rank are at least 1. */
  void check() {
    if (layers < 1 || rank < 1) {
      throw new UserException("--layers and --rank must be at least 1");
    }
  }
}
