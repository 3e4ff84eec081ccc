package org.embench.cli;

import java.util.concurrent.Callable;
import org.embench.jobs.MetricsBenchmark;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "bench", mixinStandardHelpOptions = true,
    description = "Benchmarks whose figures go into BENCHMARKS.md.",
    subcommands = {BenchCommand.Metrics.class})
final class BenchCommand implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  @Command(name = "metrics", mixinStandardHelpOptions = true,
      description = {"Write N synthetic judgments into the warehouse (replacing its judgments and runs) and time the metrics stage.",
          "Use a scratch warehouse: this overwrites tables."})
  static final class Metrics implements Callable<Integer> {
    @Mixin
    WarehouseOptions warehouse;

    @Option(names = "--rows", defaultValue = "1000000", paramLabel = "N", description = "Judgments to generate. Default: ${DEFAULT-VALUE}.")
    long rows;

    @Option(names = "--questions", defaultValue = "100", paramLabel = "Q", description = "Questions per run. Default: ${DEFAULT-VALUE}.")
    int questions;

    @Option(names = "--samples", defaultValue = "100", paramLabel = "S", description = "Answers per question and run. Default: ${DEFAULT-VALUE}.")
    int samples;

    @Override
    public Integer call() {
      if (rows < 2 || questions < 1 || samples < 1) {
        throw new IllegalArgumentException("--rows must be at least 2, --questions and --samples at least 1");
      }
      var w = warehouse.open("bench metrics");
      System.out.println(MetricsBenchmark.run(w, rows, questions, samples).describe());
      return 0;
    }
  }
}
