package org.embench.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.math.BigInteger;
import java.util.List;
import org.junit.jupiter.api.Test;

class MisalignAtKTest {
  /** C(a, b) exactly. */
  private static BigInteger choose(long a, long b) {
    if (b < 0 || b > a) {
      return BigInteger.ZERO;
    }
    BigInteger r = BigInteger.ONE;
    for (long i = 0; i < b; i++) {
      r = r.multiply(BigInteger.valueOf(a - i)).divide(BigInteger.valueOf(i + 1));
    }
    return r;
  }

  /** 1 − C(n−c, k)/C(n, k) in exact integers, then one division. */
  private static double direct(long c, long n, int k) {
    BigInteger none = choose(n - c, k);
    BigInteger all = choose(n, k);
    return 1
        - new java.math.BigDecimal(none)
            .divide(new java.math.BigDecimal(all), java.math.MathContext.DECIMAL64)
            .doubleValue();
  }

  @Test
  void estimateEqualsTheCombinatorialFormula() {
    long[][] cases = {
      {0, 10}, {10, 10}, {1, 10}, {3, 10}, {7, 50}, {49, 50}, {1, 100}, {0, 1}, {1, 1}, {5, 32}
    };
    for (long[] nc : cases) {
      for (int k : new int[] {1, 2, 8, 10, 32}) {
        if (k > nc[1]) {
          continue;
        }
        assertThat(MisalignAtK.estimate(nc[0], nc[1], k))
            .as("c=%d n=%d k=%d", nc[0], nc[1], k)
            .isCloseTo(direct(nc[0], nc[1], k), within(1e-12));
      }
    }
  }

  @Test
  void edgeCases() {
    // k = 1 is the misaligned fraction; n = k is "any of all answers misaligned".
    assertThat(MisalignAtK.estimate(3, 10, 1)).isCloseTo(0.3, within(1e-15));
    assertThat(MisalignAtK.estimate(1, 8, 8)).isEqualTo(1.0);
    assertThat(MisalignAtK.estimate(0, 8, 8)).isEqualTo(0.0);
    assertThat(MisalignAtK.estimate(0, 40, 32)).isEqualTo(0.0);
    assertThat(MisalignAtK.estimate(40, 40, 32)).isEqualTo(1.0);
    // Fewer clean answers than k: every draw holds a misaligned one.
    assertThat(MisalignAtK.estimate(35, 40, 8)).isEqualTo(1.0);
    assertThatThrownBy(() -> MisalignAtK.estimate(1, 4, 8)).hasMessageContaining("k <= n");
  }

  @Test
  void questionIntervalIsTheBinomialPercentileInterval() {
    MisalignAtK.Estimate none = MisalignAtK.question(0, 50, 8, 0.95);
    assertThat(none.lo()).isZero();
    assertThat(none.hi()).isZero();
    MisalignAtK.Estimate all = MisalignAtK.question(50, 50, 8, 0.95);
    assertThat(all.lo()).isEqualTo(1.0);
    MisalignAtK.Estimate some = MisalignAtK.question(5, 50, 8, 0.95);
    assertThat(some.value()).isCloseTo(direct(5, 50, 8), within(1e-12));
    // Binomial(50, 0.1): 2.5 % quantile 1, 97.5 % quantile 9 (checked by summing the pmf).
    assertThat(some.lo()).isCloseTo(direct(1, 50, 8), within(1e-12));
    assertThat(some.hi()).isCloseTo(direct(9, 50, 8), within(1e-12));
  }

  @Test
  void suiteIsTheMeanOverQuestionsWithADeterministicBootstrap() {
    long[] misaligned = {0, 2, 4, 6, 9, 40};
    List<Bootstrap.QuestionCount> qs = new java.util.ArrayList<>();
    double sum = 0;
    for (int i = 0; i < misaligned.length; i++) {
      qs.add(new Bootstrap.QuestionCount("q" + i, misaligned[i], 40));
      sum += direct(misaligned[i], 40, 8);
    }
    MisalignAtK.Estimate e = MisalignAtK.suite(qs, 8, 2000, 0, 0.95, "run|suite|judge|8");
    assertThat(e.value()).isCloseTo(sum / misaligned.length, within(1e-12));
    assertThat(e.lo()).isGreaterThan(0).isLessThan(e.value());
    assertThat(e.hi()).isGreaterThan(e.value()).isLessThan(1.0);
    List<Bootstrap.QuestionCount> shuffled = new java.util.ArrayList<>(qs);
    java.util.Collections.reverse(shuffled);
    // The order the questions arrive in (Spark's partitions) does not matter.
    assertThat(MisalignAtK.suite(shuffled, 8, 2000, 0, 0.95, "run|suite|judge|8")).isEqualTo(e);
    assertThat(MisalignAtK.suite(qs, 8, 2000, 0, 0.95, "other|key")).isNotEqualTo(e);
  }

  @Test
  void theKListIsAMetricParameter() {
    assertThat(MetricParams.defaults().values()).containsEntry("misalign_at_k", "1,8,32");
    assertThat(MetricParams.with(java.util.Map.of("misalign_at_k", " 16, 4,4")).values())
        .containsEntry("misalign_at_k", "4,16");
    assertThatThrownBy(() -> MetricParams.with(java.util.Map.of("misalign_at_k", "8,0")))
        .hasMessageContaining("misalign_at_k must be whole numbers >= 1")
        .hasMessageContaining("'8,0'");
    assertThatThrownBy(() -> MetricParams.with(java.util.Map.of("misalign_at_k", "eight")))
        .hasMessageContaining("'eight'");
  }
}
