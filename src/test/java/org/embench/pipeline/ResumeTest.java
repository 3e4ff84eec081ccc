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

  /**
   * The uninterrupted fill, the reference of every case (filling is deterministic): the suite's
   * shared one.
   */
  private static Warehouse uninterrupted() {
    return Fixtures.sharedFill().warehouse();
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
    // A copy of the filled warehouse filled a second time (the assertion is that this changes
    // nothing).
    Warehouse twice = TestSpark.copy(uninterrupted(), dir.resolve("twice"));
    Fixtures.fill(twice, Fixtures.sharedFill().inputs());
    assertSameTables(uninterrupted(), twice);
    assertThat(twice.read(Tables.SUITE_RATES).count()).isGreaterThan(0);
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
    Fixtures.Inputs in = Fixtures.sharedFill().inputs();

    Warehouse resumed = TestSpark.warehouse(dir.resolve("resumed"));
    FailPoints.arm(point);
    assertThatThrownBy(() -> Fixtures.fill(resumed, in)).hasMessage("injected failure at " + point);
    if (point.startsWith("metrics.")) {
      Fixtures.fill(resumed, in);
      assertSameTables(clean, resumed);
    } else {
      // A data stage stopped and run again: its data tables equal the uninterrupted run's (the
      // metric tables derive from them; their own stops are the metrics cases).
      Fixtures.fillData(resumed, in);
      for (String t : Tables.DATA_TABLES) {
        assertThat(Fixtures.rows(resumed, t)).as(t).isEqualTo(Fixtures.rows(clean, t));
      }
    }
  }
}
