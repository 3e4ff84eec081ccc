package org.embench.table;

import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.SaveMode;
import org.embench.Fixtures;
import org.embench.TestSpark;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WarehouseTest {
  @TempDir Path dir;

  @Test
  void retainRowsRewritesOnePartitionAndFinishesASwapThatACrashInterrupted() throws Exception {
    Warehouse w = TestSpark.warehouse(dir.resolve("w"));
    Fixtures.fillData(w, Fixtures.inputs(dir.resolve("in")));
    // A second judge's partition, which must not be touched.
    w.appendMissing(
        Tables.JUDGMENTS,
        w.read(Tables.JUDGMENTS)
            .withColumn("judge_id", org.apache.spark.sql.functions.lit("other-judge")));
    String judge =
        w.read(Tables.JUDGMENTS)
            .filter(col("judge_id").notEqual("other-judge"))
            .first()
            .getString(w.read(Tables.JUDGMENTS).schema().fieldIndex("judge_id"));
    long total = w.read(Tables.JUDGMENTS).filter(col("judge_id").equalTo(judge)).count();
    long aligned =
        w.read(Tables.JUDGMENTS)
            .filter(col("judge_id").equalTo(judge).and(col("metric").equalTo("aligned")))
            .count();
    List<String> other =
        Fixtures.rows(w, Tables.JUDGMENTS).stream().filter(r -> r.contains("other-judge")).toList();

    long dropped =
        w.retainRows(Tables.JUDGMENTS, "judge_id", judge, col("metric").equalTo("aligned"));
    assertThat(dropped).isEqualTo(total - aligned);
    assertThat(w.read(Tables.JUDGMENTS).filter(col("judge_id").equalTo(judge)).count())
        .isEqualTo(aligned);
    assertThat(
            Fixtures.rows(w, Tables.JUDGMENTS).stream()
                .filter(r -> r.contains("other-judge"))
                .toList())
        .isEqualTo(other);
    // Nothing to drop: the partition is left as it is.
    assertThat(w.retainRows(Tables.JUDGMENTS, "judge_id", judge, col("metric").equalTo("aligned")))
        .isZero();

    // A crash after the live partition was moved aside and before the kept rows were moved in:
    // the next call completes the swap, and no row is lost.
    Path table = Path.of(java.net.URI.create(w.path(Tables.JUDGMENTS)));
    Path live = table.resolve("judge_id=other-judge");
    Path staging = table.resolve("_retain_judge_id=other-judge");
    Path old = table.resolve("_replaced_judge_id=other-judge");
    w.spark()
        .read()
        .parquet(live.toString())
        .filter(col("metric").equalTo("coherent"))
        .write()
        .mode(SaveMode.Overwrite)
        .parquet(staging.toString());
    Files.move(live, old);
    assertThat(
            w.retainRows(
                Tables.JUDGMENTS, "judge_id", "other-judge", col("metric").equalTo("coherent")))
        .isZero();
    assertThat(live).exists();
    assertThat(staging).doesNotExist();
    assertThat(old).doesNotExist();
    w.spark().catalog().refreshByPath(w.path(Tables.JUDGMENTS));
    assertThat(other.stream().filter(r -> r.contains(",coherent,")).count()).isPositive();
    assertThat(w.read(Tables.JUDGMENTS).filter(col("judge_id").equalTo("other-judge")).count())
        .isEqualTo(other.stream().filter(r -> r.contains(",coherent,")).count());
  }
}
