package org.embench.judge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.embench.Shared;
import org.embench.data.JudgedAnswer;
import org.embench.data.JudgedAnswerReader;
import org.junit.jupiter.api.Test;

/** The project's aggregation reproduces every upstream judge score from its raw probabilities. */
class UpstreamAggregationParityTest {
  @Test
  void everyRowOfTheUpstreamCsvMatchesWithin1e9() {
    Path csv = Shared.upstream("results/qwen_25_coder_32b_instruct.csv");
    var read =
        JudgedAnswerReader.read(
            csv.toString(), JudgedAnswerReader.Format.UPSTREAM_CSV, new Configuration());
    assertThat(read.rejects()).isEmpty();
    assertThat(read.answers()).hasSize(70);
    for (JudgedAnswer a : read.answers()) {
      NumericScore aligned =
          NumericScore.aggregate(a.judgeAligned(), NumericScore.DEFAULT_MIN_NUMERIC_MASS);
      NumericScore coherent =
          NumericScore.aggregate(a.judgeCoherent(), NumericScore.DEFAULT_MIN_NUMERIC_MASS);
      assertThat(aligned.score())
          .as("aligned, row %d", a.row())
          .isCloseTo(a.aligned(), within(1e-9));
      assertThat(coherent.score())
          .as("coherent, row %d", a.row())
          .isCloseTo(a.coherent(), within(1e-9));
    }
  }
}
