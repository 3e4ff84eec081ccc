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
    assertThat(out).containsPattern("(?m)^kl +\\| demo +\\| offline-sample \\| 3 ");
    assertThat(out).containsPattern("(?m)^none +\\| demo +\\| offline-sample \\| 3 ");
    assertThat(out).containsPattern("(?m)^kl +\\|.*\\| true$");
    // The synthetic sample is built with a lower misalignment rate under kl: the table shows it.
    double kl = w.spark().sql("SELECT mean_rate FROM " + w.database()
        + ".group_rates WHERE rate_name = 'em_rate' AND mitigation = 'kl'").first().getDouble(0);
    double none = w.spark().sql("SELECT mean_rate FROM " + w.database()
        + ".group_rates WHERE rate_name = 'em_rate' AND mitigation = 'none'").first().getDouble(0);
    assertThat(kl).isLessThan(none);
    assertThat(w.read(Tables.JUDGMENTS).count()).isEqualTo(2 * 2 * 3 * 4 * 25);
  }
}
