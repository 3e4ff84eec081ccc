package org.embench.cli;

import java.util.concurrent.Callable;
import org.embench.config.ExperimentSpec;
import org.embench.stage.train.TrainJob;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    description = {
      "Train the run matrix of an experiment spec (models x datasets x mitigations x seeds), one run per "
          + "Spark task; adapters go to <warehouse>/adapters/<run_id>. Finished runs are skipped; a failed run is recorded "
          + "with its error and tried again on the next call.",
      "The data sets must be prepared (see prepare, or the spec's data)."
    })
final class TrainCommand implements Callable<Integer> {
  @Mixin WarehouseOptions warehouse;

  @Parameters(
      index = "0",
      paramLabel = "SPEC.yaml",
      description = "The experiment spec (see jobs/).")
  String spec;

  @Override
  public Integer call() {
    var w = warehouse.open("train");
    ExperimentSpec s = ExperimentSpec.read(spec, w.spark().sparkContext().hadoopConfiguration());
    TrainJob.Report report = TrainJob.run(w, s);
    System.out.println(report.describe());
    if (report.failed() > 0) {
      System.err.println(
          "embench: "
              + report.failed()
              + " run(s) failed; their errors are in runs.error"
              + " (train again to retry them)");
      return Main.RUNS_FAILED;
    }
    return 0;
  }
}
