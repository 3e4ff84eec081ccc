package org.embench.jobs;

import java.io.File;
import java.net.URI;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import org.embench.table.Warehouse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens the Spark session for a command. Under spark-submit the cluster's settings win; otherwise
 * the session runs in local mode with settings sized for a laptop.
 */
public final class SparkSessions {
  private static final Logger LOG = LoggerFactory.getLogger(SparkSessions.class);

  private SparkSessions() {}

  /** A session plus the warehouse at {@code root}, with every table registered in the catalog. */
  public static Warehouse open(String appName, String root, String database, String master,
      Map<String, String> conf) {
    String warehouseUri = absolute(root);
    SparkConf existing = new SparkConf();
    SparkSession.Builder b = SparkSession.builder().appName(appName);
    boolean local = master != null || !existing.contains("spark.master");
    if (local) {
      String m = master == null ? "local[*]" : master;
      b.master(m);
      b.config("spark.ui.enabled", "false");
      b.config("spark.sql.shuffle.partitions", String.valueOf(Math.max(2, 2 * Runtime.getRuntime().availableProcessors())));
      LOG.info("Spark in local mode ({}); warehouse {}", m, warehouseUri);
    }
    b.config("spark.sql.session.timeZone", "UTC");
    b.config("spark.sql.debug.maxToStringFields", "200");
    if (!existing.contains("spark.sql.warehouse.dir")) {
      b.config("spark.sql.warehouse.dir", warehouseUri + "/_catalog");
    }
    conf.forEach(b::config);
    SparkSession spark = b.getOrCreate();
    spark.sparkContext().setLogLevel("WARN");
    Warehouse warehouse = new Warehouse(spark, warehouseUri, database);
    warehouse.registerAll();
    return warehouse;
  }

  /** A path without a scheme is a local path, made absolute so the catalog location is exact. */
  static String absolute(String root) {
    URI uri = URI.create(root.replace(" ", "%20"));
    if (uri.getScheme() != null && uri.getScheme().length() > 1) {
      return root;
    }
    return new File(root).getAbsoluteFile().toURI().toString().replaceAll("/$", "");
  }
}
