package org.embench.cli;

import java.util.concurrent.Callable;
import org.embench.jobs.QuickstartJob;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "quickstart", mixinStandardHelpOptions = true,
    description = {"Run the pipeline end to end on data the project makes itself and print the EM table.",
        "Everything it writes goes under --warehouse (inputs under _inputs/)."})
final class QuickstartCommand implements Callable<Integer> {
  @Mixin
  WarehouseOptions warehouse;

  @Override
  public Integer call() {
    QuickstartJob.run(warehouse.open("quickstart"), System.out);
    return 0;
  }
}
