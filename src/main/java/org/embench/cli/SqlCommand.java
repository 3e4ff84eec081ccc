package org.embench.cli;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.embench.UserException;
import org.embench.data.InputFiles;
import org.embench.metrics.ResultPrinter;
import org.embench.metrics.SqlRunner;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "sql",
    mixinStandardHelpOptions = true,
    description = {
      "Run SQL against the warehouse's tables (examples, suite_rates, …; the warehouse's database is the"
          + " current one, so names need no prefix).",
      "-f runs a script or a Databricks-format SQL notebook; $${db} is the database, notebook widgets and --param fill"
          + " other $${NAME}s."
    })
final class SqlCommand implements Callable<Integer> {
  @Mixin WarehouseOptions warehouse;

  @ArgGroup(exclusive = true, multiplicity = "1")
  Input input;

  static final class Input {
    @Parameters(index = "0", paramLabel = "QUERY", description = "One SQL statement.")
    String query;

    @Option(
        names = {"-f", "--file"},
        paramLabel = "FILE",
        description = "A SQL script or notebook to run.")
    String file;
  }

  @Option(
      names = "--format",
      defaultValue = "table",
      paramLabel = "FORMAT",
      description = "table or csv. Default: ${DEFAULT-VALUE}.")
  String format;

  @Option(
      names = "--max-rows",
      defaultValue = "1000",
      paramLabel = "N",
      description = "Print at most N rows of each result. Default: ${DEFAULT-VALUE}.")
  int maxRows;

  @Option(
      names = "--param",
      paramLabel = "NAME=VALUE",
      description = "Value for $${NAME} in the SQL (repeatable).")
  Map<String, String> params = new LinkedHashMap<>();

  @Override
  public Integer call() {
    ResultPrinter.Format f;
    try {
      f = ResultPrinter.Format.valueOf(format.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new UserException("unknown --format '" + format + "'; known: table, csv");
    }
    var w = warehouse.open("sql");
    // The metric SQL's own functions (embench_seed_bootstrap, …), with the default bootstrap
    // settings.
    org.embench.metrics.MetricFunctions.register(
        w.spark(), org.embench.metrics.MetricParams.defaults());
    SqlRunner runner =
        new SqlRunner(w, new ResultPrinter(System.out, f, maxRows), System.out, params);
    if (input.file != null) {
      runner.runFile(
          InputFiles.readString(input.file, w.spark().sparkContext().hadoopConfiguration()),
          input.file);
    } else {
      runner.runStatement(input.query, "query");
    }
    return 0;
  }
}
