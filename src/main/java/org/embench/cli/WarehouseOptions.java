package org.embench.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import org.embench.stage.SparkSessions;
import org.embench.table.Warehouse;
import picocli.CommandLine.Option;

/** Options every command that touches the warehouse takes. */
final class WarehouseOptions {
  @Option(
      names = "--warehouse",
      defaultValue = "warehouse",
      paramLabel = "URI",
      description =
          "Warehouse root: a local path or a Hadoop URI (file:, s3a:, abfss:, dbfs:). Default: ${DEFAULT-VALUE}.")
  String warehouse;

  @Option(
      names = "--database",
      defaultValue = "embench",
      paramLabel = "NAME",
      description = "Catalog database the tables are registered in. Default: ${DEFAULT-VALUE}.")
  String database;

  @Option(
      names = "--master",
      paramLabel = "URL",
      description = "Spark master. Default: the one spark-submit sets, else local[*].")
  String master;

  @Option(
      names = "--conf",
      paramLabel = "KEY=VALUE",
      description = "A Spark setting (repeatable), e.g. --conf spark.sql.shuffle.partitions=64.")
  Map<String, String> conf = new LinkedHashMap<>();

  /** Commands that may start a warehouse; every other one needs an existing one. */
  private static final java.util.Set<String> CREATING =
      java.util.Set.of(
          "prepare",
          "import",
          "run",
          "quickstart",
          "train",
          "bench metrics",
          "bench generate-stage");

  Warehouse open(String command) {
    return SparkSessions.open(
        "embench " + command, warehouse, database, master, conf, CREATING.contains(command));
  }
}
