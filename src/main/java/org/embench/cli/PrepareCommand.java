package org.embench.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.embench.UserException;
import org.embench.jobs.PrepareJob;
import org.embench.table.Warehouse;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "prepare", mixinStandardHelpOptions = true,
    description = {"Read chat JSONL data sets and question-suite YAML files into the examples and questions tables.",
        "Bad rows go to the rejects table with file, line, field and reason; a data set or suite prepared again replaces its earlier rows."})
final class PrepareCommand implements Callable<Integer> {
  @Mixin
  WarehouseOptions warehouse;

  @Option(names = "--data", paramLabel = "NAME=PATH",
      description = "A chat JSONL file ({\"messages\": [...]} or {\"prompt\", \"completion\"} per line), stored as data set NAME. Repeatable.")
  Map<String, String> data = new LinkedHashMap<>();

  @Option(names = "--suite", paramLabel = "NAME=PATH",
      description = "A question suite in the upstream YAML format, stored as suite NAME. Repeatable.")
  Map<String, String> suites = new LinkedHashMap<>();

  @Option(names = "--eval-fraction", defaultValue = "" + PrepareJob.DEFAULT_EVAL_FRACTION, paramLabel = "F",
      description = "Fraction of each data set put in the 'eval' split, chosen by hashing the example id. Default: ${DEFAULT-VALUE}.")
  double evalFraction;

  @Option(names = "--strict", description = "Fail if any row is rejected (the rejects are still recorded).")
  boolean strict;

  @Option(names = "--replace", description = {"Replace a stored data set or suite even when the new file gives fewer"
      + " rows or has rejected rows (without it, prepare refuses and changes nothing)."})
  boolean replace;

  @Override
  public Integer call() {
    if (data.isEmpty() && suites.isEmpty()) {
      throw new UserException("nothing to prepare: give --data NAME=PATH and/or --suite NAME=PATH");
    }
    Warehouse w = warehouse.open("prepare");
    PrepareJob.Report report = PrepareJob.run(w, new PrepareJob.Options(data, suites, evalFraction, strict, replace));
    report.datasets().forEach(r -> System.out.println(r.describe()));
    report.suites().forEach(r -> System.out.println(r.describe()));
    return 0;
  }
}
