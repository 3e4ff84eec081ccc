package org.embench.jobs;

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

class QuickstartTest {
  @TempDir
  Path dir;

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
      assertThat(out).containsPattern("(?m)^tiny-model +\\| arithmetic +\\| " + m + " +\\| offline-v1 +\\| 2 ");
    }
    assertThat(out).containsPattern("(?m)^tiny-model +\\| \\(not trained\\) +\\| none +\\| offline-v1 +\\| 1 ");
    assertThat(out).containsPattern("(?m)^imported-sample +\\| arithmetic +\\| kl +\\| offline-sample +\\| 3 ");
    assertThat(out).containsPattern("(?m)^imported-sample +\\| kl +\\| offline-sample .*\\| true$");
    assertThat(out).containsPattern("(?m)^tiny-model +\\| inoculation +\\| offline-v1 .*\\| true$");
    assertThat(w.read(Tables.RUNS).filter("kind = 'train' AND status = 'finished'").count()).isEqualTo(8);
    // The synthetic sample is built with a lower misalignment rate under kl: the table shows it.
    double kl = w.spark().sql("SELECT mean_rate FROM " + w.database()
        + ".group_rates WHERE rate_name = 'em_rate' AND mitigation = 'kl' AND judge_name = 'offline-sample'")
        .first().getDouble(0);
    double none = w.spark().sql("SELECT mean_rate FROM " + w.database()
        + ".group_rates WHERE rate_name = 'em_rate' AND mitigation = 'none' AND judge_name = 'offline-sample'")
        .first().getDouble(0);
    assertThat(kl).isLessThan(none);
    // Imported: 2 imports x 3 seeds x 4 questions x 25 answers, each with an aligned and a coherent score.
    // The offline judge then scores every answer (imported, 8 trained runs and the base, 4 prompts x 4 samples).
    long imported = 2 * 3 * 4 * 25;
    long sampled = 9 * 4 * 4;
    assertThat(w.read(Tables.GENERATIONS).count()).isEqualTo(imported + sampled);
    assertThat(w.read(Tables.JUDGMENTS).count()).isEqualTo(2 * imported + 2 * (imported + sampled));
  }
}
