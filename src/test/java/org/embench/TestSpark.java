package org.embench;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.sql.SparkSession;
import org.embench.table.Warehouse;

/** The one local Spark session the tests share, and fresh warehouses on it. */
public final class TestSpark {
  private static final AtomicInteger DATABASES = new AtomicInteger();
  private static SparkSession spark;

  private TestSpark() {}

  public static synchronized SparkSession session() {
    if (spark == null) {
      spark =
          SparkSession.builder()
              .master("local[2]")
              .appName("embench-tests")
              .config("spark.ui.enabled", "false")
              .config("spark.sql.shuffle.partitions", "2")
              .config("spark.sql.session.timeZone", "UTC")
              // The tests' tables hold tens of rows, so compiling generated code for each new query
              // plan costs far more than it saves: interpreted evaluation cut the Spark-bound test
              // classes' time by about a fifth (JudgeStageTest, MetricsReplaceTest,
              // CapabilityJobTest, ReportJobTest: 217 s to 175 s). Results do not depend on it; the
              // jobs themselves run with Spark's defaults.
              .config("spark.sql.codegen.wholeStage", "false")
              .config("spark.sql.codegen.factoryMode", "NO_CODEGEN")
              .config(
                  "spark.sql.warehouse.dir",
                  System.getProperty("java.io.tmpdir") + "/embench-test-catalog")
              .getOrCreate();
      spark.sparkContext().setLogLevel("WARN");
    }
    return spark;
  }

  /**
   * A warehouse under {@code dir} with its own database, so tests never see each other's tables.
   */
  public static Warehouse warehouse(Path dir) {
    Warehouse w =
        new Warehouse(
            session(),
            dir.toUri().toString().replaceAll("/$", ""),
            "t" + DATABASES.incrementAndGet());
    w.registerAll();
    return w;
  }

  /**
   * A copy of {@code source}'s tables under {@code dir}, registered in a database of its own: a
   * warehouse a test may write to that starts where a shared fixture is, without running the stages
   * that made it again.
   */
  public static Warehouse copy(Warehouse source, Path dir) {
    Path from = Path.of(java.net.URI.create(source.root()));
    try (var files = java.nio.file.Files.walk(from)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        Path to = dir.resolve(from.relativize(p).toString());
        if (java.nio.file.Files.isDirectory(p)) {
          java.nio.file.Files.createDirectories(to);
        } else {
          java.nio.file.Files.copy(p, to);
        }
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return warehouse(dir);
  }
}
