package org.embench.table;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The warehouse: a root Hadoop URI under which each table is a Parquet directory, registered in the
 * Spark catalog as {@code <database>.<table>}.
 *
 * <p>Writes are idempotent. {@link #appendMissing} adds only rows whose key is not stored yet, so a
 * stage killed half-way and re-run stores exactly the rows of an uninterrupted run (a file is
 * either committed whole or not at all). {@link #overwritePartitions} replaces the partitions
 * present in the new rows and leaves the others alone. {@link #overwrite} replaces a derived table.
 */
public final class Warehouse {
  public static final String DEFAULT_DATABASE = "embench";
  private static final Logger LOG = LoggerFactory.getLogger(Warehouse.class);

  private final SparkSession spark;
  private final String root;
  private final String database;

  public Warehouse(SparkSession spark, String root, String database) {
    this.spark = spark;
    this.root = stripTrailingSlash(root);
    this.database = database;
  }

  public SparkSession spark() {
    return spark;
  }

  public String root() {
    return root;
  }

  public String database() {
    return database;
  }

  public String path(String table) {
    return root + "/" + table;
  }

  /** The qualified catalog name, e.g. {@code embench.generations}. */
  public String qualified(String table) {
    return database + "." + table;
  }

  public boolean exists(String table) {
    try {
      Path p = new Path(path(table));
      FileSystem fs = p.getFileSystem(hadoopConf());
      if (!fs.exists(p)) {
        return false;
      }
      for (FileStatus s : fs.listStatus(p)) {
        String n = s.getPath().getName();
        if (!n.startsWith("_") && !n.startsWith(".")) {
          return true;
        }
      }
      return false;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + path(table), e);
    }
  }

  /** The stored rows of a table, with the schema of its contract (empty when nothing is stored). */
  public Dataset<Row> read(String table) {
    TableSchema schema = Tables.schema(table);
    if (!exists(table)) {
      return spark.createDataFrame(new ArrayList<Row>(), schema.struct());
    }
    return spark.read().schema(schema.struct()).parquet(path(table));
  }

  /** Creates the database and registers every table whose directory exists or is about to. */
  public void registerAll() {
    spark.sql("CREATE DATABASE IF NOT EXISTS " + database);
    for (String table : Tables.all()) {
      register(table);
    }
  }

  /** Registers one table in the catalog and makes its current partitions and files visible. */
  public void register(String table) {
    TableSchema schema = Tables.schema(table);
    String columns =
        schema.columns().stream()
            .map(c -> "`" + c.name() + "` " + c.ddlType() + (c.nullable() ? "" : " NOT NULL"))
            .collect(Collectors.joining(", "));
    String partitioned =
        schema.partitionBy().isEmpty()
            ? ""
            : " PARTITIONED BY (" + String.join(", ", schema.partitionBy()) + ")";
    mkdirs(table); // an empty table is an empty directory, not a missing one
    spark.sql(
        "CREATE TABLE IF NOT EXISTS "
            + qualified(table)
            + " ("
            + columns
            + ") USING parquet"
            + partitioned
            + " LOCATION '"
            + path(table).replace("'", "\\'")
            + "'");
    checkLocation(table);
    if (exists(table)) {
      if (!schema.partitionBy().isEmpty()) {
        spark.sql("ALTER TABLE " + qualified(table) + " RECOVER PARTITIONS");
      }
      spark.catalog().refreshTable(qualified(table));
    }
  }

  /**
   * A catalog that outlives the process may hold this name for another warehouse: refuse to mix.
   */
  private void checkLocation(String table) {
    List<Row> loc =
        spark
            .sql("DESCRIBE TABLE EXTENDED " + qualified(table))
            .filter("col_name = 'Location'")
            .collectAsList();
    if (loc.isEmpty()) {
      return;
    }
    String registered = normalize(catalogUri(loc.get(0).getString(1)));
    if (!registered.equals(normalize(new Path(path(table)).toUri()))) {
      throw new org.embench.UserException(
          "table "
              + qualified(table)
              + " is registered at "
              + registered
              + ", not in this warehouse ("
              + root
              + "); pass --database to use another database");
    }
  }

  /** The catalog keeps locations as URIs (percent-encoded); an unencoded one is read as a path. */
  private static java.net.URI catalogUri(String location) {
    try {
      return new java.net.URI(location);
    } catch (java.net.URISyntaxException e) {
      return new Path(location).toUri();
    }
  }

  /** Scheme, authority and decoded path: the same folder compares equal however it was spelled. */
  private static String normalize(java.net.URI uri) {
    String scheme = uri.getScheme() == null ? "file" : uri.getScheme();
    String authority = uri.getAuthority() == null ? "" : uri.getAuthority();
    return scheme + "://" + authority + stripTrailingSlash(uri.getPath());
  }

  /**
   * Appends the rows whose key is not stored yet and returns how many were added. Rows repeated
   * within {@code rows} are written once.
   */
  public long appendMissing(String table, Dataset<Row> rows) {
    return TableLock.with(root, table, hadoopConf(), () -> appendMissingLocked(table, rows));
  }

  private long appendMissingLocked(String table, Dataset<Row> rows) {
    TableSchema schema = Tables.schema(table);
    Dataset<Row> conformed =
        conform(schema, rows).dropDuplicates(schema.key().toArray(new String[0]));
    Dataset<Row> missing =
        exists(table)
            ? conformed.join(
                keys(schema, read(table)), schema.key().toArray(new String[0]), "left_anti")
            : conformed;
    missing = withContractNullability(schema, conform(schema, missing)).persist();
    try {
      long n = missing.count();
      if (n > 0) {
        writer(schema, missing).mode(SaveMode.Append).parquet(path(table));
      }
      register(table);
      if (n > 0) {
        LOG.info("{}: {} new rows", table, n);
      }
      return n;
    } finally {
      missing.unpersist();
    }
  }

  /** Replaces the partitions that {@code rows} touch (all rows of each), keeping the others. */
  public void overwritePartitions(String table, Dataset<Row> rows) {
    TableSchema schema = Tables.schema(table);
    if (schema.partitionBy().isEmpty()) {
      throw new IllegalArgumentException("table " + table + " is not partitioned");
    }
    TableLock.with(
        root,
        table,
        hadoopConf(),
        () -> {
          writer(schema, withContractNullability(schema, conform(schema, rows)))
              .mode(SaveMode.Overwrite)
              .option("partitionOverwriteMode", "dynamic")
              .parquet(path(table));
          register(table);
          return null;
        });
  }

  /**
   * Keeps only the rows of partition {@code column=value} that satisfy {@code keep}, and returns
   * how many were dropped. The kept rows are written beside the partition first and swapped in by
   * renames, so a crash leaves either the old partition or the new one (an interrupted swap is
   * finished by the next call).
   */
  public long retainRows(String table, String column, String value, Column keep) {
    return TableLock.with(
        root, table, hadoopConf(), () -> retainRowsLocked(table, column, value, keep));
  }

  private long retainRowsLocked(String table, String column, String value, Column keep) {
    try {
      Path live = new Path(path(table) + "/" + column + "=" + value);
      Path staging = new Path(path(table) + "/_retain_" + column + "=" + value);
      Path old = new Path(path(table) + "/_replaced_" + column + "=" + value);
      FileSystem fs = live.getFileSystem(hadoopConf());
      if (!fs.exists(live) && fs.exists(staging)) {
        fs.rename(staging, live);
      }
      fs.delete(old, true);
      if (!fs.exists(live)) {
        return 0;
      }
      Dataset<Row> rows = spark.read().parquet(live.toString());
      long before = rows.count();
      rows.filter(keep).write().mode(SaveMode.Overwrite).parquet(staging.toString());
      long after = spark.read().parquet(staging.toString()).count();
      if (after == before) {
        fs.delete(staging, true);
        return 0;
      }
      fs.rename(live, old);
      fs.rename(staging, live);
      fs.delete(old, true);
      register(table);
      return before - after;
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot rewrite " + path(table) + " partition " + column + "=" + value, e);
    }
  }

  /** Replaces a derived (unpartitioned) table entirely. */
  public void overwrite(String table, Dataset<Row> rows) {
    TableSchema schema = Tables.schema(table);
    Dataset<Row> conformed = withContractNullability(schema, conform(schema, rows));
    TableLock.with(
        root,
        table,
        hadoopConf(),
        () -> {
          // One file: derived tables are small. repartition, not coalesce, keeps the work before it
          // parallel.
          writer(schema, conformed.repartition(1)).mode(SaveMode.Overwrite).parquet(path(table));
          register(table);
          return null;
        });
  }

  /**
   * The rows with the contract's nullability in their schema, so the Parquet files declare required
   * columns as required. Rows whose plan already says so pass through; others are re-typed through
   * an RDD (and a null in a required column then fails the write instead of being stored).
   */
  private Dataset<Row> withContractNullability(TableSchema schema, Dataset<Row> conformed) {
    if (conformed.schema().equals(schema.struct())) {
      return conformed;
    }
    return spark.createDataFrame(conformed.javaRDD(), schema.struct());
  }

  private org.apache.spark.sql.DataFrameWriter<Row> writer(TableSchema schema, Dataset<Row> rows) {
    Dataset<Row> laidOut =
        schema.partitionBy().isEmpty()
            ? rows
            : rows.repartition(
                schema.partitionBy().stream().map(functions::col).toArray(Column[]::new));
    return laidOut.write().partitionBy(schema.partitionBy().toArray(new String[0]));
  }

  /**
   * Selects the contract's columns in order, cast to their types. A missing or extra column is a
   * programming error and says which.
   */
  static Dataset<Row> conform(TableSchema schema, Dataset<Row> rows) {
    List<String> have = List.of(rows.columns());
    List<String> want = schema.columns().stream().map(TableSchema.Column::name).toList();
    List<String> missing = want.stream().filter(c -> !have.contains(c)).toList();
    List<String> extra = have.stream().filter(c -> !want.contains(c)).toList();
    if (!missing.isEmpty() || !extra.isEmpty()) {
      throw new IllegalStateException(
          String.format(
              Locale.ROOT,
              "rows for %s do not match data-schemas/%s.schema.json: missing %s, extra %s",
              schema.name(),
              schema.name(),
              missing,
              extra));
    }
    return rows.select(
        schema.columns().stream()
            .map(c -> functions.col("`" + c.name() + "`").cast(c.type()).as(c.name()))
            .toArray(Column[]::new));
  }

  private static Dataset<Row> keys(TableSchema schema, Dataset<Row> stored) {
    return stored.select(schema.key().stream().map(functions::col).toArray(Column[]::new));
  }

  private void mkdirs(String table) {
    try {
      Path p = new Path(path(table));
      p.getFileSystem(hadoopConf()).mkdirs(p);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + path(table), e);
    }
  }

  private Configuration hadoopConf() {
    return spark.sparkContext().hadoopConfiguration();
  }

  private static String stripTrailingSlash(String s) {
    return s.endsWith("/") && s.length() > 1 ? s.substring(0, s.length() - 1) : s;
  }
}
