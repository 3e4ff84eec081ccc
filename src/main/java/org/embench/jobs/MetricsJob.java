package org.embench.jobs;

import java.util.LinkedHashMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.embench.metrics.MetricFunctions;
import org.embench.metrics.MetricParams;
import org.embench.metrics.SqlScript;
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
  private static final Pattern CACHE_TABLE = Pattern.compile("^\\s*CACHE\\s+TABLE\\s+(\\w+)\\s+AS\\b",
      Pattern.CASE_INSENSITIVE);

  private MetricsJob() {}

  /** Rows written per metric table. */
  public static Map<String, Long> run(Warehouse w, MetricParams params) {
    return run(w, params, Tables.METRIC_TABLES);
  }

  /** Only these metric tables (each reads the ones before it, which must be current). */
  public static Map<String, Long> run(Warehouse w, MetricParams params, List<String> tables) {
    MetricFunctions.register(w.spark(), params);
    Map<String, String> values = new LinkedHashMap<>(params.substitutions());
    values.put("db", w.database());
    values.put("parallelism", String.valueOf(Math.max(2, 2 * w.spark().sparkContext().defaultParallelism())));
    Map<String, Long> written = new LinkedHashMap<>();
    writeParams(w, params);
    for (String table : tables) {
      if (!Tables.METRIC_TABLES.contains(table)) {
        throw new IllegalArgumentException("not a metric table: " + table + "; metric tables: " + Tables.METRIC_TABLES);
      }
      String file = "sql/" + table + ".sql";
      long start = System.nanoTime();
      // A file is one query, or statements ending in one: CACHE TABLE name AS … before the query
      // materialise what it reads more than once (as a temporary view, dropped after the write).
      List<String> statements = SqlScript.split(SqlScript.substitute(SqlScript.resource(file), values, file));
      List<String> cached = new ArrayList<>();
      try {
        for (String stmt : statements.subList(0, statements.size() - 1)) {
          String clean = SqlScript.withoutComments(stmt);
          Matcher m = CACHE_TABLE.matcher(clean);
          if (!m.find()) {
            throw new IllegalStateException(file + ": only CACHE TABLE statements may come before the query");
          }
          cached.add(m.group(1));
          // Checkpointed rather than cached: a cached plan holding the bootstrap aggregates is not
          // recognised when read again, and would be computed anew on every reference.
          w.spark().sql(clean.substring(m.end()))
              .localCheckpoint(true).createOrReplaceTempView(m.group(1));
        }
        w.overwrite(table, w.spark().sql(statements.get(statements.size() - 1)));
      } finally {
        cached.forEach(view -> w.spark().catalog().dropTempView(view));
      }
      long n = w.read(table).count();
      written.put(table, n);
      LOG.info("{}: {} rows in {} s", table, n, String.format("%.1f", (System.nanoTime() - start) / 1e9));
      FailPoints.reached("metrics.after_" + table);
    }
    return written;
  }

  /** Records the parameters in {@code metric_params}, so a report can say what its figures used. */
  private static void writeParams(Warehouse w, MetricParams params) {
    var schema = Tables.schema(Tables.METRIC_PARAMS);
    List<Row> rows = new ArrayList<>();
    params.values().forEach((name, value) -> rows.add(schema.row().set("name", name).set("value", value)
        .set("default_value", MetricParams.DEFAULTS.get(name)).build()));
    w.overwrite(Tables.METRIC_PARAMS, w.spark().createDataFrame(rows, schema.struct()));
  }

}
