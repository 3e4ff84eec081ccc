package org.embench.stage;

import java.io.File;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import org.embench.UserException;
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
  public static Warehouse open(
      String appName, String root, String database, String master, Map<String, String> conf) {
    return open(appName, root, database, master, conf, true);
  }

  /**
   * As {@link #open(String, String, String, String, Map)}; with {@code create} false a missing
   * warehouse is an error instead of a new empty one. A warehouse that is a file is always one.
   */
  public static Warehouse open(
      String appName,
      String root,
      String database,
      String master,
      Map<String, String> conf,
      boolean create) {
    String warehouseUri = absolute(root);
    SparkConf existing = new SparkConf();
    SparkSession.Builder b = SparkSession.builder().appName(appName);
    boolean local = master != null || !existing.contains("spark.master");
    if (local) {
      String m = master == null ? "local[*]" : master;
      b.master(m);
      b.config("spark.ui.enabled", "false");
      b.config(
          "spark.sql.shuffle.partitions",
          String.valueOf(Math.max(2, 2 * Runtime.getRuntime().availableProcessors())));
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
    checkRoot(spark, warehouseUri, create);
    Warehouse warehouse = new Warehouse(spark, warehouseUri, database);
    warehouse.registerAll();
    // Unqualified names (SELECT count(*) FROM examples) resolve to the warehouse's tables.
    spark.catalog().setCurrentDatabase(database);
    return warehouse;
  }

  private static void checkRoot(SparkSession spark, String root, boolean create) {
    org.apache.hadoop.fs.Path path = new org.apache.hadoop.fs.Path(root);
    try {
      org.apache.hadoop.fs.FileSystem fs =
          path.getFileSystem(spark.sparkContext().hadoopConfiguration());
      if (!fs.exists(path)) {
        if (!create) {
          throw new UserException(
              "no warehouse at "
                  + root
                  + "; prepare, import, run or quickstart create one"
                  + " (or pass --warehouse)");
        }
      } else if (!fs.getFileStatus(path).isDirectory()) {
        throw new UserException("the warehouse " + root + " is a file; a warehouse is a folder");
      }
    } catch (java.io.IOException e) {
      throw new UserException("cannot read the warehouse " + root + ": " + e.getMessage());
    }
  }

  /**
   * A path without a scheme is a local path, made absolute so the catalog location is exact. It
   * stays a Hadoop path string, not a URI: Hadoop's Path quotes spaces, '#' and '%' itself, so a
   * percent-encoded form would name another folder.
   */
  static String absolute(String root) {
    int colon = root.indexOf(':');
    int slash = root.indexOf('/');
    if (colon > 1 && (slash < 0 || colon < slash)) {
      return root; // has a scheme (file:, s3a:, abfss:, dbfs:, hdfs:)
    }
    return "file:"
        + new File(root).getAbsoluteFile().toPath().normalize().toString().replaceAll("/$", "");
  }
}
