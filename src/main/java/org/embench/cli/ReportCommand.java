package org.embench.cli;

import java.util.concurrent.Callable;
import org.embench.metrics.report.ReportJob;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "report",
    mixinStandardHelpOptions = true,
    description = {
      "Write the report: one self-contained HTML file with a PNG and a CSV per chart (EM rate by mitigation,"
          + " EM rate against alignment tax, cost ratios, EM rate per question, training over steps, judge agreement),"
          + " each chart's numbers as a table under it, and at the top what is needed to re-create every figure.",
      "It reads the metric tables (run metrics first); missing tables are named in the report, not an error."
    })
final class ReportCommand implements Callable<Integer> {
  @Mixin WarehouseOptions warehouse;

  @Option(
      names = "--out",
      paramLabel = "URI",
      description = "Folder to write the report to (any Hadoop URI). Default: <warehouse>/_report.")
  String out;

  @Option(
      names = "--filter",
      paramLabel = "SQL-WHERE",
      description =
          "Only these runs: a SQL condition on the columns of runs, e.g. \"model LIKE '%%0.5B%%' AND "
              + "mitigation IN ('none', 'kl')\". Default: every run.")
  String filter;

  @Option(
      names = "--spec",
      paramLabel = "SPEC.yaml",
      description = "The experiment spec, printed in the report.")
  String spec;

  @Option(
      names = "--max-panels",
      paramLabel = "N",
      defaultValue = "" + ReportJob.DEFAULT_MAX_PANELS,
      description =
          "Most charts per section (one per model, training set, suite and judge). Default: ${DEFAULT-VALUE}.")
  int maxPanels;

  @Override
  public Integer call() {
    var w = warehouse.open("report");
    ReportJob.Result r = ReportJob.run(w, new ReportJob.Options(out, filter, spec, maxPanels));
    System.out.println(r.describe());
    return 0;
  }
}
