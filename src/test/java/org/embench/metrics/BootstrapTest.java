package org.embench.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BootstrapTest {
  /** Questions with n answers of which k are misaligned. */
  private static final long[][] COUNTS = {
    {3, 20}, {0, 5}, {10, 12}, {1, 40}, {7, 100}, {2, 9}, {5, 5}, {0, 30}
  };

  private static List<Bootstrap.QuestionCount> questions() {
    List<Bootstrap.QuestionCount> qs = new ArrayList<>();
    for (int i = 0; i < COUNTS.length; i++) {
      qs.add(new Bootstrap.QuestionCount("q" + i, COUNTS[i][0], COUNTS[i][1]));
    }
    return qs;
  }

  /**
   * An independent, literal cluster bootstrap: resample question indices, then resample every
   * answer (a 0/1 value) of each drawn question one by one.
   */
  private static double[][] literalCluster(int replicates, long seed) {
    Random rng = new Random(seed);
    int[][] answers = new int[COUNTS.length][];
    for (int q = 0; q < COUNTS.length; q++) {
      answers[q] = new int[(int) COUNTS[q][1]];
      for (int j = 0; j < COUNTS[q][0]; j++) {
        answers[q][j] = 1;
      }
    }
    double[] macro = new double[replicates];
    double[] pooled = new double[replicates];
    for (int b = 0; b < replicates; b++) {
      double sumRates = 0;
      int misaligned = 0;
      int total = 0;
      for (int d = 0; d < answers.length; d++) {
        int[] drawn = answers[rng.nextInt(answers.length)];
        int k = 0;
        for (int j = 0; j < drawn.length; j++) {
          k += drawn[rng.nextInt(drawn.length)];
        }
        sumRates += (double) k / drawn.length;
        misaligned += k;
        total += drawn.length;
      }
      macro[b] = sumRates / answers.length;
      pooled[b] = (double) misaligned / total;
    }
    return new double[][] {macro, pooled};
  }

  /** numpy-style percentile, written out again here. */
  private static double percentile(double[] values, double q) {
    double[] s = values.clone();
    Arrays.sort(s);
    double pos = q * (s.length - 1);
    int below = (int) pos;
    double frac = pos - below;
    return below + 1 < s.length ? s[below] * (1 - frac) + s[below + 1] * frac : s[below];
  }

  @Test
  void clusterIntervalAgreesWithALiteralBootstrap() {
    // Many replicates on both sides: the statistic is lumpy, so its quantiles converge slowly.
    Bootstrap.ClusterInterval ci =
        Bootstrap.cluster(questions(), 100_000, 0, 0.95, "run|suite|judge|em_rate");
    double[][] literal = literalCluster(100_000, 12345);
    assertThat(ci.macroLo()).isCloseTo(percentile(literal[0], 0.025), within(0.008));
    assertThat(ci.macroHi()).isCloseTo(percentile(literal[0], 0.975), within(0.008));
    assertThat(ci.pooledLo()).isCloseTo(percentile(literal[1], 0.025), within(0.008));
    assertThat(ci.pooledHi()).isCloseTo(percentile(literal[1], 0.975), within(0.008));
    double macro =
        Arrays.stream(COUNTS).mapToDouble(c -> (double) c[0] / c[1]).average().orElseThrow();
    assertThat(ci.macroLo()).isLessThan(macro);
    assertThat(ci.macroHi()).isGreaterThan(macro);
  }

  @Test
  void zeroOfNAndNOfNGiveDegenerateIntervals() {
    var zeros =
        Bootstrap.cluster(
            List.of(
                new Bootstrap.QuestionCount("a", 0, 10), new Bootstrap.QuestionCount("b", 0, 3)),
            2000,
            0,
            0.95,
            "k");
    assertThat(zeros).isEqualTo(new Bootstrap.ClusterInterval(0, 0, 0, 0));
    var ones =
        Bootstrap.cluster(
            List.of(
                new Bootstrap.QuestionCount("a", 10, 10), new Bootstrap.QuestionCount("b", 3, 3)),
            2000,
            0,
            0.95,
            "k");
    assertThat(ones).isEqualTo(new Bootstrap.ClusterInterval(1, 1, 1, 1));
  }

  @Test
  void oneQuestionLeavesOnlyAnswerLevelVariation() {
    var ci =
        Bootstrap.cluster(List.of(new Bootstrap.QuestionCount("a", 30, 100)), 20000, 0, 0.95, "k");
    // Binomial(100, 0.3)/100: its 2.5 % and 97.5 % quantiles are 0.21 and 0.39.
    assertThat(ci.macroLo()).isCloseTo(0.21, within(0.011));
    assertThat(ci.macroHi()).isCloseTo(0.39, within(0.011));
    assertThat(ci.pooledLo()).isEqualTo(ci.macroLo());
  }

  @Test
  void sameInputsInAnyOrderGiveTheSameIntervalAndTheKeySeedsIt() {
    List<Bootstrap.QuestionCount> qs = questions();
    var first = Bootstrap.cluster(qs, 2000, 0, 0.95, "k1");
    Collections.shuffle(qs, new Random(3));
    assertThat(Bootstrap.cluster(qs, 2000, 0, 0.95, "k1")).isEqualTo(first);
    assertThat(Bootstrap.cluster(qs, 2000, 0, 0.95, "k2")).isNotEqualTo(first);
    assertThat(Bootstrap.cluster(qs, 2000, 1, 0.95, "k1")).isNotEqualTo(first);
  }

  @Test
  void seedMeanAgreesWithALiteralBootstrapAndOneSeedHasZeroWidth() {
    double[] rates = {0.10, 0.25, 0.05, 0.30, 0.15};
    var ci = Bootstrap.mean(rates, 20000, 0, 0.95, "group");
    Random rng = new Random(99);
    double[] means = new double[20000];
    for (int b = 0; b < means.length; b++) {
      double s = 0;
      for (int j = 0; j < rates.length; j++) {
        s += rates[rng.nextInt(rates.length)];
      }
      means[b] = s / rates.length;
    }
    assertThat(ci.lo()).isCloseTo(percentile(means, 0.025), within(0.006));
    assertThat(ci.hi()).isCloseTo(percentile(means, 0.975), within(0.006));
    assertThat(Bootstrap.mean(new double[] {0.2}, 2000, 0, 0.95, "g"))
        .isEqualTo(new Bootstrap.Interval(0.2, 0.2));
  }

  @Test
  void differenceIsPairedOnMatchingSeedsOnly() {
    List<Bootstrap.SeededValue> m =
        List.of(
            new Bootstrap.SeededValue(1L, 0.10),
            new Bootstrap.SeededValue(2L, 0.05),
            new Bootstrap.SeededValue(9L, 0.50));
    List<Bootstrap.SeededValue> b =
        List.of(
            new Bootstrap.SeededValue(1L, 0.30),
            new Bootstrap.SeededValue(2L, 0.20),
            new Bootstrap.SeededValue(3L, 0.90));
    var d = Bootstrap.difference(m, b, 2000, 0, 0.95, "k");
    assertThat(d.paired()).isTrue();
    assertThat(d.nMitigated()).isEqualTo(2);
    assertThat(d.mitigated()).isCloseTo(0.075, within(1e-12));
    assertThat(d.baseline()).isCloseTo(0.25, within(1e-12));
    assertThat(d.difference()).isCloseTo(-0.175, within(1e-12));
    // Paired differences are -0.2 and -0.15: every resampled mean lies between them.
    assertThat(d.lo()).isBetween(-0.2, -0.15);
    assertThat(d.hi()).isBetween(-0.2, -0.15);
  }

  @Test
  void differenceWithoutMatchingSeedsResamplesTheSidesApart() {
    List<Bootstrap.SeededValue> m =
        List.of(new Bootstrap.SeededValue(null, 0.1), new Bootstrap.SeededValue(null, 0.2));
    List<Bootstrap.SeededValue> b = List.of(new Bootstrap.SeededValue(null, 0.4));
    var d = Bootstrap.difference(m, b, 2000, 0, 0.95, "k");
    assertThat(d.paired()).isFalse();
    assertThat(d.difference()).isCloseTo(-0.25, within(1e-12));
    assertThat(d.lo()).isCloseTo(-0.3, within(1e-12));
    assertThat(d.hi()).isCloseTo(-0.2, within(1e-12));
    assertThat(d.nMitigated()).isEqualTo(2);
    assertThat(d.nBaseline()).isEqualTo(1);
  }

  @Test
  void binomialTableMatchesTheDistributionWhereSimpleSamplersFail() {
    SplittableRandom rng = new SplittableRandom(1);
    BinomialTable big = new BinomialTable(1000, 2000);
    double sum = 0;
    double sumSq = 0;
    int draws = 200_000;
    for (int i = 0; i < draws; i++) {
      int x = big.sample(rng);
      sum += x;
      sumSq += (double) x * x;
    }
    double mean = sum / draws;
    assertThat(mean).isCloseTo(1000, within(0.5));
    assertThat(sumSq / draws - mean * mean).isCloseTo(500, within(10.0));

    BinomialTable small = new BinomialTable(3, 10);
    int[] hist = new int[11];
    for (int i = 0; i < draws; i++) {
      hist[small.sample(rng)]++;
    }
    for (int k = 0; k <= 10; k++) {
      double exact = binomialPmf(10, 0.3, k);
      assertThat((double) hist[k] / draws).as("P(X=%d)", k).isCloseTo(exact, within(0.004));
    }
  }

  private static double binomialPmf(int n, double p, int k) {
    double c = 1;
    for (int i = 0; i < k; i++) {
      c = c * (n - i) / (i + 1);
    }
    return c * Math.pow(p, k) * Math.pow(1 - p, n - k);
  }
}
