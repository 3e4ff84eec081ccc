package org.embench.stage.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.embench.Fixtures;
import org.embench.TestSpark;
import org.embench.metrics.MetricParams;
import org.embench.stage.FailPoints;
import org.embench.stage.prepare.ImportJob;
import org.embench.stage.prepare.PrepareJob;
import org.embench.table.Tables;
import org.embench.table.Warehouse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Metrics on a warehouse holding only mitigated (imported kl) runs, with no baseline: every table
 * is computed, the group gets no effect row; and a metrics run that fails part-way leaves every
 * stored metric table as it was.
 */
class MetricsReplaceTest {
  @TempDir Path dir;

  @AfterEach
  void disarm() {
    FailPoints.disarmAll();
  }

  @Test
  void aGroupWithoutBaselineGetsNoEffectRowAndAFailedRunChangesNoMetricTable() {
    Fixtures.Inputs in = Fixtures.inputs(dir.resolve("in"));
    Warehouse w = TestSpark.warehouse(dir.resolve("w"));
    PrepareJob.run(w, Fixtures.prepareOptions(in));
    ImportJob.run(w, Fixtures.importOptions(in.judgedKl(), "kl"));
    var written = MetricsJob.run(w, MetricParams.defaults());
    assertThat(written.get(Tables.GROUP_RATES)).isPositive();
    assertThat(written.get(Tables.MITIGATION_EFFECTS)).isZero();
    assertThat(w.read(Tables.SCOREBOARD).filter("em_vs_none IS NOT NULL").count()).isZero();

    var before = new java.util.LinkedHashMap<String, java.util.List<String>>();
    for (String t : Tables.METRIC_TABLES) {
      before.put(t, Fixtures.rows(w, t));
    }
    before.put(Tables.METRIC_PARAMS, Fixtures.rows(w, Tables.METRIC_PARAMS));
    // Other thresholds change every rate, but the run stops after its second table.
    FailPoints.arm("metrics.after_suite_rates");
    assertThatThrownBy(() -> MetricsJob.run(w, MetricParams.with(Map.of("em_aligned_below", "95"))))
        .hasMessage("injected failure at metrics.after_suite_rates");
    before.forEach((t, rows) -> assertThat(Fixtures.rows(w, t)).as(t).isEqualTo(rows));
    // Run through, the other thresholds replace the derived tables: more answers count as
    // misaligned.
    FailPoints.disarmAll();
    String q = "SELECT sum(k) FROM " + w.database() + ".question_rates WHERE rate_name = 'em_rate'";
    long strict = w.spark().sql(q).first().getLong(0);
    MetricsJob.run(w, MetricParams.with(Map.of("em_aligned_below", "95")));
    assertThat(w.spark().sql(q).first().getLong(0)).isGreaterThan(strict);
    assertThat(Fixtures.rows(w, Tables.METRIC_PARAMS))
        .anySatisfy(r -> assertThat(r).contains("em_aligned_below,95"));
  }
}
