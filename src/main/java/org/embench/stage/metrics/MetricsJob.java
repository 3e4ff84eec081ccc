package org.embench.stage.metrics;

import static org.apache.spark.sql.functions.col;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.functions;
import org.embench.UserException;
import org.embench.metrics.MetricFunctions;
import org.embench.metrics.MetricParams;
import org.embench.metrics.SqlScript;
import org.embench.stage.FailPoints;
import org.embench.stage.RunKind;
import org.embench.table.Tables;
import org.embench.table.Warehouse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The metrics stage: runs {@code sql/<table>.sql} for each metric table in dependency order and
 * stores the result. Metric tables are derived, so each run replaces them whole.
 */
public final class MetricsJob {
  private static final Logger LOG = LoggerFactory.getLogger(MetricsJob.class);
  private static final Pattern CACHE_TABLE =
      Pattern.compile("^\\s*CACHE\\s+TABLE\\s+(\\w+)\\s+AS\\b", Pattern.CASE_INSENSITIVE);

  private MetricsJob() {}

  /** Rows written per metric table. */
  public static Map<String, Long> run(Warehouse w, MetricParams params) {
    return run(w, params, Tables.METRIC_TABLES);
  }

  /**
   * Only these metric tables (each reads the ones before it, which must be current). The stored
   * metric tables are copied aside first: when computing any table fails, every one is put back as
   * it was, so a failure never leaves half of them new.
   */
  public static Map<String, Long> run(Warehouse w, MetricParams params, List<String> tables) {
    MetricFunctions.register(w.spark(), params);
    Map<String, String> values = new LinkedHashMap<>(params.substitutions());
    values.put("db", w.database());
    values.put(
        "parallelism",
        String.valueOf(Math.max(2, 2 * w.spark().sparkContext().defaultParallelism())));
    for (String table : tables) {
      if (!Tables.METRIC_TABLES.contains(table)) {
        throw new UserException(
            "not a metric table: " + table + "; metric tables: " + Tables.METRIC_TABLES);
      }
    }
    String backupRoot = w.root() + "/_metrics_backup/" + java.util.UUID.randomUUID();
    List<String> saved = backup(w, backupRoot, tables);
    Map<String, Long> written = new LinkedHashMap<>();
    boolean done = false;
    try {
      writeParams(w, params);
      for (String table : tables) {
        String file = "sql/" + table + ".sql";
        long start = System.nanoTime();
        // A file is one query, or statements ending in one: CACHE TABLE name AS … before the query
        // materialise what it reads more than once (as a temporary view, dropped after the write).
        List<String> statements =
            SqlScript.split(SqlScript.substitute(SqlScript.resource(file), values, file));
        List<String> cached = new ArrayList<>();
        try {
          if (nothingToCompute(w, table)) {
            // Same result as the query (no rows), without its planning and cached steps.
            w.overwrite(table, w.spark().createDataFrame(List.of(), Tables.schema(table).struct()));
          } else {
            computeInto(w, table, file, statements, cached);
          }
        } catch (RuntimeException e) {
          throw new IllegalStateException(
              "metrics: computing "
                  + table
                  + " failed (the stored metric tables are"
                  + " put back as they were): "
                  + withRunNames(w, String.valueOf(e.getMessage())),
              e);
        } finally {
          cached.forEach(v -> w.spark().catalog().dropTempView(v));
        }
        long n = w.read(table).count();
        written.put(table, n);
        LOG.info(
            "{}: {} rows in {} s",
            table,
            n,
            String.format("%.1f", (System.nanoTime() - start) / 1e9));
        FailPoints.reached("metrics.after_" + table);
      }
      warnAboutGroupsWithoutBaseline(w);
      done = true;
    } finally {
      if (!done) {
        restore(w, backupRoot, tables, saved);
      }
      deleteQuietly(w, backupRoot);
    }
    return written;
  }

  /**
   * Copies the stored metric tables (and their parameters) aside; returns the ones that existed.
   */
  private static List<String> backup(Warehouse w, String backupRoot, List<String> tables) {
    List<String> saved = new ArrayList<>();
    List<String> all = new ArrayList<>(tables);
    all.add(Tables.METRIC_PARAMS);
    for (String t : all) {
      if (w.exists(t)) {
        w.read(t).write().mode(SaveMode.Overwrite).parquet(backupRoot + "/" + t);
        saved.add(t);
      }
    }
    return saved;
  }

  private static void restore(
      Warehouse w, String backupRoot, List<String> tables, List<String> saved) {
    List<String> all = new ArrayList<>(tables);
    all.add(Tables.METRIC_PARAMS);
    for (String t : all) {
      try {
        Dataset<Row> old =
            saved.contains(t)
                ? w.spark()
                    .read()
                    .schema(Tables.schema(t).struct())
                    .parquet(backupRoot + "/" + t)
                    .localCheckpoint(true)
                : w.spark().createDataFrame(new ArrayList<Row>(), Tables.schema(t).struct());
        w.overwrite(t, old);
      } catch (RuntimeException e) {
        LOG.error("metrics: could not put {} back from {}: {}", t, backupRoot, e.getMessage());
      }
    }
  }

  private static void deleteQuietly(Warehouse w, String dir) {
    org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(dir);
    try {
      p.getFileSystem(w.spark().sparkContext().hadoopConfiguration()).delete(p, true);
    } catch (java.io.IOException e) {
      LOG.warn("could not remove {}: {}", p, e.getMessage());
    }
  }

  /**
   * Runs a metric file's statements: CACHE TABLE views first, then the query, stored in its table.
   */
  private static void computeInto(
      Warehouse w, String table, String file, List<String> statements, List<String> cached) {
    for (String stmt : statements.subList(0, statements.size() - 1)) {
      String clean = SqlScript.withoutComments(stmt);
      Matcher m = CACHE_TABLE.matcher(clean);
      if (!m.find()) {
        throw new IllegalStateException(
            file + ": only CACHE TABLE statements may come before the query");
      }
      cached.add(m.group(1));
      // Checkpointed rather than cached: a cached plan holding the bootstrap aggregates is not
      // recognised when read again, and would be computed anew on every reference.
      w.spark()
          .sql(clean.substring(m.end()))
          .localCheckpoint(true)
          .createOrReplaceTempView(m.group(1));
    }
    w.overwrite(table, w.spark().sql(statements.get(statements.size() - 1)));
  }

  /**
   * Tables that are empty whatever the thresholds when the warehouse has nothing they read:
   * dynamics without checkpoint runs, variant_effects without variant suites.
   */
  private static boolean nothingToCompute(Warehouse w, String table) {
    if (table.equals(Tables.DYNAMICS)) {
      return !w.exists(Tables.RUNS)
          || w.read(Tables.RUNS).filter(col("kind").equalTo(RunKind.CHECKPOINT.value())).isEmpty();
    }
    if (table.equals(Tables.VARIANT_EFFECTS)) {
      return !w.exists(Tables.QUESTIONS)
          || w.read(Tables.QUESTIONS).filter(col("variant").isNotNull()).isEmpty();
    }
    return false;
  }

  /** Mitigated groups whose no-mitigation baseline has no run get no effect rows; say which. */
  private static void warnAboutGroupsWithoutBaseline(Warehouse w) {
    if (!w.exists(Tables.RUNS)) {
      return;
    }
    String runs = w.qualified(Tables.RUNS);
    List<Row> orphans =
        w.spark()
            .sql(
                "SELECT mitigation, min(run_name) AS example, count(*) AS n FROM "
                    + runs
                    + " WHERE group_id <> baseline_group_id AND baseline_group_id NOT IN (SELECT group_id FROM "
                    + runs
                    + ")"
                    + " GROUP BY group_id, mitigation ORDER BY example")
            .collectAsList();
    for (Row r : orphans) {
      LOG.warn(
          "metrics: the {} run(s) of mitigation {} like {} have no no-mitigation baseline runs: no"
              + " mitigation_effects (nor vs-none) rows for them",
          r.getLong(2),
          r.getString(0),
          r.getString(1));
    }
  }

  private static final java.util.regex.Pattern HASH =
      java.util.regex.Pattern.compile("\\b[0-9a-f]{64}\\b");

  /** A message with each run or group id in it followed by the names of its runs. */
  static String withRunNames(Warehouse w, String message) {
    if (!w.exists(Tables.RUNS)) {
      return message;
    }
    Matcher m = HASH.matcher(message);
    java.util.Set<String> ids = new java.util.LinkedHashSet<>();
    while (m.find()) {
      ids.add(m.group());
    }
    if (ids.isEmpty()) {
      return message;
    }
    StringBuilder out = new StringBuilder(message);
    for (String id : ids) {
      List<String> names =
          w.read(Tables.RUNS)
              .filter(
                  functions
                      .col("run_id")
                      .equalTo(id)
                      .or(functions.col("group_id").equalTo(id))
                      .or(functions.col("baseline_group_id").equalTo(id)))
              .select("run_name")
              .as(org.apache.spark.sql.Encoders.STRING())
              .collectAsList();
      if (!names.isEmpty()) {
        out.append("; ")
            .append(id, 0, 12)
            .append("… is ")
            .append(String.join(", ", names.stream().sorted().limit(5).toList()))
            .append(names.size() > 5 ? " …" : "");
      }
    }
    return out.toString();
  }

  /** Records the parameters in {@code metric_params}, so a report can say what its figures used. */
  private static void writeParams(Warehouse w, MetricParams params) {
    var schema = Tables.schema(Tables.METRIC_PARAMS);
    List<Row> rows = new ArrayList<>();
    params
        .values()
        .forEach(
            (name, value) ->
                rows.add(
                    schema
                        .row()
                        .set("name", name)
                        .set("value", value)
                        .set("default_value", MetricParams.DEFAULTS.get(name))
                        .build()));
    w.overwrite(Tables.METRIC_PARAMS, w.spark().createDataFrame(rows, schema.struct()));
  }
}
