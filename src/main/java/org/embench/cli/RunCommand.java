package org.embench.cli;

import java.util.concurrent.Callable;
import org.embench.config.ExperimentSpec;
import org.embench.pipeline.PipelineJob;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = {
      "Run every stage of an experiment spec: prepare, train, generate, judge, capability, metrics, report (in <warehouse>/_report). Each stage does only "
          + "what is missing, so running it again continues where it stopped."
    })
final class RunCommand implements Callable<Integer> {
  @Mixin WarehouseOptions warehouse;

  @Parameters(
      index = "0",
      paramLabel = "SPEC.yaml",
      description = "The experiment spec (see jobs/).")
  String spec;

  @Override
  public Integer call() {
    var w = warehouse.open("run");
    int failed =
        PipelineJob.run(
            w,
            ExperimentSpec.read(spec, w.spark().sparkContext().hadoopConfiguration()),
            spec,
            System.out);
    if (failed > 0) {
      System.err.println(
          "embench: "
              + failed
              + " training run(s) failed; their errors are in runs.error"
              + " (run again to retry them); the later stages covered the runs that finished");
      return Main.RUNS_FAILED;
    }
    return 0;
  }
}
