package org.embench.cli;

import java.util.concurrent.Callable;
import org.embench.pipeline.QuickstartJob;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "quickstart",
    mixinStandardHelpOptions = true,
    description = {
      "Run the pipeline end to end on data the project makes itself and print the EM table and the "
          + "scoreboard.",
      "Everything it writes goes under --warehouse (inputs under _inputs/)."
    })
final class QuickstartCommand implements Callable<Integer> {
  @Mixin WarehouseOptions warehouse;

  @Option(
      names = "--reversed",
      description =
          "List the spec's mitigations in reverse order, so the runs train in the "
              + "opposite order (the runs are the same: ids do not depend on order). Used to check that the cost ratios do "
              + "not depend on run order (BENCHMARKS.md).")
  boolean reversed;

  @Override
  public Integer call() {
    QuickstartJob.run(warehouse.open("quickstart"), System.out, reversed);
    return 0;
  }
}
