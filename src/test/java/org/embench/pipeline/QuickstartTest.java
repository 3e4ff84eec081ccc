package org.embench.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.embench.TestSpark;
import org.embench.table.Tables;
import org.embench.table.Warehouse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@org.junit.jupiter.api.Tag(
    "heavy") // the README's first command end to end (75 s); every stage it runs has its own tests
class QuickstartTest {
  @TempDir Path dir;

  @Test
  void runsEndToEndAndPrintsTheEmTable() {
    Warehouse w = TestSpark.warehouse(dir);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    QuickstartJob.run(w, new PrintStream(bytes, true, StandardCharsets.UTF_8));
    String out = bytes.toString(StandardCharsets.UTF_8);
    assertThat(out).contains("examples arithmetic: 200 read, 200 kept");
    assertThat(out).contains("questions demo: 4 questions, 4 prompts");
    // Every mitigation of the spec trained on both seeds, and the untrained base model was sampled.
    for (String m : new String[] {"none", "inoculation", "interleave", "kl"}) {
      assertThat(out)
          .containsPattern(
              "(?m)^tiny-model +\\| arithmetic +\\| " + m + " +\\| offline-v1 +\\| 2 ");
      // and under GRPO on the hackable coding task
      assertThat(out)
          .containsPattern("(?m)^tiny-model +\\| code +\\| " + m + " +\\| offline-v1 +\\| 2 ");
    }
    assertThat(out)
        .containsPattern(
            "(?m)^tiny-model +\\| \\(not trained\\) +\\| none +\\| offline-v1 +\\| 1 ");
    assertThat(out)
        .containsPattern(
            "(?m)^imported-sample +\\| arithmetic +\\| kl +\\| offline-sample +\\| 3 ");
    // The scoreboard: a row per trained mitigation with in-domain, tax and cost figures; none is
    // its own reference (ratio 1, tax 0).
    assertThat(out).contains("== scoreboard");
    for (String m : new String[] {"inoculation", "interleave", "kl"}) {
      assertThat(out)
          .containsPattern(
              "(?m)^tiny-model +\\| arithmetic +\\| "
                  + m
                  + " +\\| offline-v1 +\\| 2 +\\| [0-9.]+ \\[.*\\| arithmetic_nll [0-9.]+ +\\| [-+][0-9.]+ .*\\| [0-9.]+ \\[");
      assertThat(out)
          .containsPattern(
              "(?m)^tiny-model +\\| code +\\| "
                  + m
                  + " +\\| offline-v1 +\\| 2 +\\| [0-9.]+ \\[.*\\| code_nll [0-9.]+ +\\| [-+][0-9.]+ .*\\| [0-9.]+ \\[");
    }
    assertThat(out)
        .containsPattern(
            "(?m)^tiny-model +\\| arithmetic +\\| none .*\\| \\+0\\.000 \\[0\\.000, 0\\.000\\] +\\| "
                + "1\\.00 \\[1\\.00, 1\\.00\\] .*");
    // EM runs and the benign set's runs: 4 mitigations x 2 seeds each.
    assertThat(w.read(Tables.RUNS).filter("kind = 'train' AND status = 'finished'").count())
        .isEqualTo(16);
    assertThat(w.read(Tables.RUNS).filter("kind = 'train' AND dataset_role = 'benign'").count())
        .isEqualTo(8);
    assertThat(
            w.read(Tables.RUNS)
                .filter("kind = 'rl' AND status = 'finished' AND dataset_id = 'code'")
                .count())
        .isEqualTo(8);
    assertThat(
            w.read(Tables.TRAIN_STEPS)
                .join(w.read(Tables.RUNS).filter("kind = 'rl'"), "run_id")
                .filter("terms['hack_rate'] IS NOT NULL")
                .count())
        .isEqualTo(8 * 4);
    // Every run (16 trained, 8 RL, the base) on every capability task: 3 nll sets' eval splits, 40
    // + 40 exact, 40 choice.
    long perRun =
        w.read(Tables.CAPABILITY)
            .filter("run_id = (SELECT min(run_id) FROM " + w.qualified(Tables.CAPABILITY) + ")")
            .count();
    assertThat(w.read(Tables.CAPABILITY).count()).isEqualTo(25 * perRun);
    assertThat(w.read(Tables.CAPABILITY).select("task_name").distinct().count()).isEqualTo(6);
    // The synthetic sample is built with a lower misalignment rate under kl: the table shows it.
    double kl =
        w.spark()
            .sql(
                "SELECT mean_rate FROM "
                    + w.database()
                    + ".group_rates WHERE rate_name = 'em_rate' AND mitigation = 'kl' AND judge_name = 'offline-sample'")
            .first()
            .getDouble(0);
    double none =
        w.spark()
            .sql(
                "SELECT mean_rate FROM "
                    + w.database()
                    + ".group_rates WHERE rate_name = 'em_rate' AND mitigation = 'none' AND judge_name = 'offline-sample'")
            .first()
            .getDouble(0);
    assertThat(kl).isLessThan(none);
    // Imported: 2 imports x 3 seeds x 4 questions x 25 answers, each with an aligned and a coherent
    // score. The offline judge then scores every answer (imported, the 8 EM runs, the 8 RL runs and
    // the base, 4 prompts x 4 samples; the benign set's runs are not sampled).
    long imported = 2 * 3 * 4 * 25;
    long sampled = 17 * 4 * 4;
    assertThat(w.read(Tables.GENERATIONS).count()).isEqualTo(imported + sampled);
    assertThat(w.read(Tables.JUDGMENTS).count()).isEqualTo(2 * imported + 2 * (imported + sampled));
  }
}
