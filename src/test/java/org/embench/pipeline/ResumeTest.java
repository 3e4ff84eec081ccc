package org.embench.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.embench.Fixtures;
import org.embench.TestSpark;
import org.embench.stage.FailPoints;
import org.embench.table.Tables;
import org.embench.table.Warehouse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every stage run twice gives the same rows, and a stage that fails half-way and is run again gives
 * exactly the rows of an uninterrupted run.
 */
class ResumeTest {
  @TempDir Path dir;

  @TempDir static Path shared;

  private static Fixtures.Inputs inputs;
  private static Warehouse uninterrupted;

  /** One uninterrupted fill, the reference of every case (filling is deterministic). */
  private static synchronized Warehouse uninterrupted() {
    if (uninterrupted == null) {
      inputs = Fixtures.inputs(shared.resolve("in"));
      Warehouse w = TestSpark.warehouse(shared.resolve("once"));
      Fixtures.fill(w, inputs);
      uninterrupted = w;
    }
    return uninterrupted;
  }

  @AfterEach
  void disarm() {
    FailPoints.disarmAll();
  }

  private void assertSameTables(Warehouse a, Warehouse b) {
    for (String t : Tables.all()) {
      assertThat(Fixtures.rows(b, t)).as(t).isEqualTo(Fixtures.rows(a, t));
    }
  }

  @Test
  void everyStageRunTwiceGivesTheSameRows() {
    Warehouse once = uninterrupted();
    var before = new java.util.LinkedHashMap<String, java.util.List<String>>();
    for (String t : Tables.all()) {
      before.put(t, Fixtures.rows(once, t));
    }
    // The reference warehouse filled a second time (the assertion is that this changes nothing).
    Fixtures.fill(once, inputs);
    before.forEach((t, rows) -> assertThat(Fixtures.rows(once, t)).as(t).isEqualTo(rows));
    assertThat(once.read(Tables.SUITE_RATES).count()).isGreaterThan(0);
  }

  @ParameterizedTest
  @ValueSource(strings = {"prepare.after_examples", "import.after_generations"})
  void aStageFailedHalfWayAndRunAgainMatchesAnUninterruptedRun(String point) {
    failHalfWayAndResume(point);
  }

  /** Metric tables are derived and replaced whole; their fail points run with the heavy tests. */
  @Tag("heavy")
  @ParameterizedTest
  @ValueSource(strings = {"metrics.after_question_rates", "metrics.after_group_rates"})
  void metricsFailedHalfWayAndRunAgainMatchAnUninterruptedRun(String point) {
    failHalfWayAndResume(point);
  }

  private void failHalfWayAndResume(String point) {
    Warehouse clean = uninterrupted();
    Fixtures.Inputs in = inputs;

    Warehouse resumed = TestSpark.warehouse(dir.resolve("resumed"));
    FailPoints.arm(point);
    assertThatThrownBy(() -> Fixtures.fill(resumed, in)).hasMessage("injected failure at " + point);
    if (point.startsWith("metrics.")) {
      Fixtures.fill(resumed, in);
      assertSameTables(clean, resumed);
    } else {
      // A data stage stopped and run again: its data tables equal the uninterrupted run's (the
      // metric
      // tables derive from them; their own stops are the metrics cases).
      Fixtures.fillData(resumed, in);
      for (String t : Tables.DATA_TABLES) {
        assertThat(Fixtures.rows(resumed, t)).as(t).isEqualTo(Fixtures.rows(clean, t));
      }
    }
  }
}
