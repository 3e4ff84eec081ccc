package org.embench.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.embench.TestSpark;
import org.embench.UserException;
import org.embench.table.Warehouse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqlRunnerTest {
  @TempDir Path dir;

  @Test
  void aValueSparkRefusesIsTheQuerysToFixButOurIllegalArgumentExceptionIsABug() {
    SparkSession spark = TestSpark.session();
    Warehouse w = new Warehouse(spark, dir.toUri().toString().replaceAll("/$", ""), "default");
    PrintStream out = new PrintStream(new ByteArrayOutputStream());
    SqlRunner runner =
        new SqlRunner(w, new ResultPrinter(out, ResultPrinter.Format.CSV, 10), out, Map.of());
    // Under ANSI casts (Spark 4's default) a malformed value is a NumberFormatException, which Main
    // no longer takes for a user error by itself: the runner has to say so.
    String ansi = spark.conf().get("spark.sql.ansi.enabled");
    spark.conf().set("spark.sql.ansi.enabled", "true");
    try {
      assertThatThrownBy(() -> runner.runStatement("SELECT CAST('x' AS INT) AS n", "query"))
          .isInstanceOf(UserException.class)
          .hasMessageStartingWith("query: [CAST_INVALID_INPUT]")
          .hasMessageEndingWith("in: SELECT CAST('x' AS INT) AS n");
    } finally {
      spark.conf().set("spark.sql.ansi.enabled", ansi);
    }
    assertThat(
            SqlRunner.badInput(
                new RuntimeException("task failed", new IllegalArgumentException("ours"))))
        .isNull();
  }
}
