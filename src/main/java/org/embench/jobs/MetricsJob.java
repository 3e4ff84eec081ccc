package org.embench.jobs;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
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

  private MetricsJob() {}

  /** Rows written per metric table. */
  public static Map<String, Long> run(Warehouse w, MetricParams params) {
    MetricFunctions.register(w.spark(), params);
    Map<String, String> values = new LinkedHashMap<>(params.substitutions());
    values.put("db", w.database());
    values.put("parallelism", String.valueOf(Math.max(2, 2 * w.spark().sparkContext().defaultParallelism())));
    Map<String, Long> written = new LinkedHashMap<>();
    for (String table : Tables.METRIC_TABLES) {
      String file = "sql/" + table + ".sql";
      long start = System.nanoTime();
      Dataset<Row> rows = w.spark().sql(SqlScript.substitute(resource(file), values, file));
      w.overwrite(table, rows);
      long n = w.read(table).count();
      written.put(table, n);
      LOG.info("{}: {} rows in {} s", table, n, String.format("%.1f", (System.nanoTime() - start) / 1e9));
      FailPoints.reached("metrics.after_" + table);
    }
    return written;
  }

  static String resource(String name) {
    try (InputStream in = MetricsJob.class.getClassLoader().getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
