package org.embench.table;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.spark.sql.Row;
import org.embench.TestSpark;
import org.embench.UserException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two writers on one warehouse take turns per table: no duplicate row, no shared staging folder.
 */
class TableLockTest {
  @TempDir Path dir;

  @AfterEach
  void resetWait() {
    System.clearProperty("embench.lock.waitSeconds");
  }

  private static List<Row> rows(int from, int to) {
    TableSchema s = Tables.schema(Tables.METRIC_PARAMS);
    List<Row> out = new ArrayList<>();
    for (int i = from; i < to; i++) {
      out.add(s.row().set("name", "p" + i).set("value", "v").set("default_value", "d").build());
    }
    return out;
  }

  @Test
  void concurrentAppendsOfOverlappingRowsStoreEachKeyOnce() throws Exception {
    Warehouse a = TestSpark.warehouse(dir.resolve("w"));
    Warehouse b = new Warehouse(a.spark(), a.root(), a.database());
    TableSchema s = Tables.schema(Tables.METRIC_PARAMS);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      List<Future<Long>> added = new ArrayList<>();
      for (int round = 0; round < 3; round++) {
        int from = round * 10;
        added.add(
            pool.submit(
                () ->
                    a.appendMissing(
                        Tables.METRIC_PARAMS,
                        a.spark().createDataFrame(rows(from, from + 15), s.struct()))));
        added.add(
            pool.submit(
                () ->
                    b.appendMissing(
                        Tables.METRIC_PARAMS,
                        b.spark().createDataFrame(rows(from + 5, from + 20), s.struct()))));
      }
      long total = 0;
      for (Future<Long> f : added) {
        total += f.get();
      }
      List<Row> stored = a.read(Tables.METRIC_PARAMS).collectAsList();
      assertThat(stored).hasSize(40);
      assertThat(stored.stream().map(r -> r.getString(0)).distinct().count()).isEqualTo(40);
      assertThat(total).isEqualTo(40);
    } finally {
      pool.shutdownNow();
    }
    assertThat(dir.resolve("w/_locks/metric_params.lock")).doesNotExist();
  }

  @Test
  void aLockHeldElsewhereMakesAWriteWaitThenFailNamingTheHolderAndChangingNothing()
      throws Exception {
    Warehouse w = TestSpark.warehouse(dir.resolve("w"));
    Path lock = dir.resolve("w/_locks/metric_params.lock");
    Files.createDirectories(lock.getParent());
    Files.writeString(lock, "other-host pid 4242 (job) since 2026-12-02T10:00:00Z");
    System.setProperty("embench.lock.waitSeconds", "0.5");
    TableSchema s = Tables.schema(Tables.METRIC_PARAMS);
    assertThatThrownBy(
            () ->
                w.appendMissing(
                    Tables.METRIC_PARAMS, w.spark().createDataFrame(rows(0, 3), s.struct())))
        .isInstanceOf(UserException.class)
        .hasMessage(
            "table metric_params is being written by another command (other-host pid 4242 (job) since"
                + " 2026-12-02T10:00:00Z); waited 0.5 s. If no such command is running, delete "
                + "file:"
                + lock);
    assertThat(w.read(Tables.METRIC_PARAMS).count()).isZero();
    // Released, the next write goes through.
    Files.delete(lock);
    assertThat(
            w.appendMissing(
                Tables.METRIC_PARAMS, w.spark().createDataFrame(rows(0, 3), s.struct())))
        .isEqualTo(3);
  }

  @Test
  void aLockLeftByAProcessOfThisHostThatIsGoneIsTakenOver() throws Exception {
    Warehouse w = TestSpark.warehouse(dir.resolve("w"));
    Path lock = dir.resolve("w/_locks/metric_params.lock");
    Files.createDirectories(lock.getParent());
    Process gone = new ProcessBuilder("true").start();
    gone.waitFor();
    Files.writeString(
        lock,
        java.net.InetAddress.getLocalHost().getHostName()
            + " pid "
            + gone.pid()
            + " (x) since 2026-12-02T10:00:00Z");
    System.setProperty("embench.lock.waitSeconds", "0.5");
    TableSchema s = Tables.schema(Tables.METRIC_PARAMS);
    assertThat(
            w.appendMissing(
                Tables.METRIC_PARAMS, w.spark().createDataFrame(rows(0, 3), s.struct())))
        .isEqualTo(3);
    assertThat(lock).doesNotExist();
  }
}
