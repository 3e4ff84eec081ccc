package org.embench.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import org.embench.Fixtures;
import org.embench.judge.JudgeSpec;
import org.embench.table.Tables;
import org.embench.table.Warehouse;
import org.junit.jupiter.api.Test;

/** run judges only the spec's own runs: a shared warehouse's other answers are not its to pay for. */
class PipelineJobTest {
  @Test
  void theSpecsJudgeScoresItsOwnRunsAndNoOtherExperimentsAnswers() {
    Warehouse w = Fixtures.sharedPipeline();
    String offline = JudgeSpec.parse("offline").id();
    String judgedRuns = "SELECT r.kind, r.model, count(*) AS n FROM " + w.qualified(Tables.JUDGMENTS) + " j JOIN "
        + w.qualified(Tables.RUNS) + " r ON j.run_id = r.run_id WHERE j.judge_id = '" + offline + "'";
    assertThat(w.spark().sql(judgedRuns + " AND r.model = '" + Fixtures.OTHER_EXPERIMENT + "' GROUP BY r.kind, r.model")
        .count()).isZero();
    assertThat(w.spark().sql(judgedRuns + " AND r.kind = 'train' GROUP BY r.kind, r.model").count()).isPositive();
    assertThat(w.spark().sql(judgedRuns + " AND r.kind = 'base' GROUP BY r.kind, r.model").count()).isPositive();
    // The other experiment's answers are there, with their own judge's scores.
    assertThat(w.read(Tables.RUNS).filter("model = '" + Fixtures.OTHER_EXPERIMENT + "'").count()).isPositive();
  }
}
