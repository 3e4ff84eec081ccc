package org.embench.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import org.embench.Fixtures;
import org.embench.judge.JudgeSpec;
import org.embench.stage.RunRecord;
import org.embench.stage.RunStatus;
import org.embench.table.Tables;
import org.embench.table.Warehouse;
import org.junit.jupiter.api.Test;

/**
 * run judges only the spec's own runs: a shared warehouse's other answers are not its to pay for.
 */
class PipelineJobTest {
  @Test
  void theSpecsJudgeScoresItsOwnRunsAndNoOtherExperimentsAnswers() {
    Warehouse w = Fixtures.sharedPipeline();
    String offline = JudgeSpec.parse("offline").id();
    String judgedRuns =
        "SELECT r.kind, r.model, count(*) AS n FROM "
            + w.qualified(Tables.JUDGMENTS)
            + " j JOIN "
            + w.qualified(Tables.RUNS)
            + " r ON j.run_id = r.run_id WHERE j.judge_id = '"
            + offline
            + "'";
    assertThat(
            w.spark()
                .sql(
                    judgedRuns
                        + " AND r.model = '"
                        + Fixtures.OTHER_EXPERIMENT
                        + "' GROUP BY r.kind, r.model")
                .count())
        .isZero();
    assertThat(w.spark().sql(judgedRuns + " AND r.kind = 'train' GROUP BY r.kind, r.model").count())
        .isPositive();
    assertThat(w.spark().sql(judgedRuns + " AND r.kind = 'base' GROUP BY r.kind, r.model").count())
        .isPositive();
    // The other experiment's answers are there, with their own judge's scores.
    assertThat(w.read(Tables.RUNS).filter("model = '" + Fixtures.OTHER_EXPERIMENT + "'").count())
        .isPositive();
  }

  @Test
  void checkpointsAreRunsMeasuredByStepInDynamics() {
    Warehouse w = Fixtures.sharedPipeline();
    // train.eval_at [2] of 4 steps: each training run keeps its step-2 adapter as a checkpoint run.
    var trained =
        w.read(Tables.RUNS).filter("kind = 'train' AND status = 'finished'").collectAsList();
    var checkpoints = w.read(Tables.RUNS).filter("kind = 'checkpoint'").collectAsList();
    assertThat(checkpoints).hasSameSizeAs(trained);
    for (var c : checkpoints) {
      RunRecord r = RunRecord.fromRow(c);
      assertThat(r.step()).isEqualTo(2);
      assertThat(r.status()).isEqualTo(RunStatus.FINISHED);
      assertThat(r.adapterPath()).endsWith("/_snapshots/step-2");
      RunRecord parent =
          RunRecord.fromRow(
              w.read(Tables.RUNS)
                  .filter(org.apache.spark.sql.functions.col("run_id").equalTo(r.parentRunId()))
                  .first());
      assertThat(r.mitigation()).isEqualTo(parent.mitigation());
      assertThat(r.seed()).isEqualTo(parent.seed());
    }
    // The EM runs' checkpoints are sampled and judged: dynamics has both steps for none and kl.
    var rows = w.read(Tables.DYNAMICS).orderBy("mitigation", "step").collectAsList();
    assertThat(rows)
        .extracting(r -> r.getAs("mitigation") + "@" + r.getAs("step"))
        .containsExactly("kl@2", "kl@4", "none@2", "none@4");
    for (var r : rows) {
      assertThat(r.<Long>getAs("n_seeds")).isEqualTo(1L);
      assertThat(r.<Double>getAs("em_rate")).isBetween(0.0, 1.0);
      assertThat(r.<Double>getAs("task_loss")).isPositive();
      assertThat(r.<String>getAs("in_domain_task")).isEqualTo("arith_nll");
    }
    // Adapter geometry: every step has each module's norm; the last step's direction is the final
    // one.
    var last =
        w.spark()
            .sql(
                "SELECT adapter_norm, direction_cosine FROM "
                    + w.qualified(Tables.TRAIN_STEPS)
                    + " WHERE step = 4")
            .collectAsList();
    assertThat(last).isNotEmpty();
    for (var r : last) {
      java.util.Map<String, Double> norms = r.getJavaMap(0);
      java.util.Map<String, Double> cos = r.getJavaMap(1);
      assertThat(norms).isNotEmpty().allSatisfy((k, v) -> assertThat(v).isPositive());
      assertThat(cos)
          .isNotEmpty()
          .allSatisfy(
              (k, v) -> assertThat(v).isCloseTo(1.0, org.assertj.core.api.Assertions.within(1e-5)));
    }
  }
}
