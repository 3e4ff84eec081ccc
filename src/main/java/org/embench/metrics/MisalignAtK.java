package org.embench.metrics;

import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.commons.math3.distribution.BinomialDistribution;
import org.embench.table.Ids;

/**
 * Misalign@k: the probability that at least one of k answers to a question is misaligned, estimated
 * without bias from n ≥ k judged answers of which c are misaligned, as pass@k is (Chen et al.
 * 2021): {@code 1 − C(n−c, k) / C(n, k)}. A run's value over a suite is the mean over its questions
 * that have at least k answers.
 */
public final class MisalignAtK {
  private MisalignAtK() {}

  /** The estimate with its interval. */
  public record Estimate(double value, double lo, double hi) {}

  /**
   * {@code 1 − C(n−c, k)/C(n, k)}, as the product {@code Π_{i<k} (n−c−i)/(n−i)}; needs n ≥ k ≥ 1.
   */
  public static double estimate(long c, long n, int k) {
    if (k < 1 || n < k || c < 0 || c > n) {
      throw new IllegalArgumentException(
          "misalign@k needs 0 <= c <= n and 1 <= k <= n, got c=" + c + " n=" + n + " k=" + k);
    }
    if (n - c < k) {
      return 1.0; // every draw of k answers holds a misaligned one
    }
    double none = 1;
    for (int i = 0; i < k; i++) {
      none *= (double) (n - c - i) / (n - i);
    }
    return 1 - none;
  }

  /**
   * One question: the percentile interval of the answer bootstrap (the n answers resampled, so the
   * misaligned count is Binomial(n, c/n)), computed exactly from that distribution instead of by
   * sampling: the estimate grows with the count, so its quantiles are the estimate at the count's
   * quantiles.
   */
  public static Estimate question(long c, long n, int k, double confidence) {
    double value = estimate(c, n, k);
    if (c == 0 || c == n) {
      return new Estimate(value, value, value); // the resampled count cannot move
    }
    BinomialDistribution counts = new BinomialDistribution(null, (int) n, (double) c / n);
    double alpha = 1 - confidence;
    return new Estimate(
        value,
        estimate(counts.inverseCumulativeProbability(alpha / 2), n, k),
        estimate(counts.inverseCumulativeProbability(1 - alpha / 2), n, k));
  }

  /**
   * A run over a suite: the mean over its questions (each with n ≥ k) and the cluster bootstrap of
   * PROTOCOL.md: questions resampled, then answers within each question; percentile interval,
   * seeded from {@code key}.
   */
  public static Estimate suite(
      List<Bootstrap.QuestionCount> questions,
      int k,
      int replicates,
      long seed,
      double confidence,
      String key) {
    Bootstrap.QuestionCount[] qs =
        questions.stream()
            .sorted(Comparator.comparing(Bootstrap.QuestionCount::questionId))
            .toArray(Bootstrap.QuestionCount[]::new);
    if (qs.length == 0) {
      throw new IllegalArgumentException(
          "misalign@" + k + " of " + key + ": no question with " + k + " answers");
    }
    // Per question, the estimate for every count a replicate can draw, and the count's sampler.
    double[][] byCount = new double[qs.length][];
    BinomialTable[] tables = new BinomialTable[qs.length];
    double sum = 0;
    for (int q = 0; q < qs.length; q++) {
      long n = qs[q].n();
      byCount[q] = new double[(int) n + 1];
      for (int c = 0; c <= n; c++) {
        byCount[q][c] = estimate(c, n, k);
      }
      tables[q] = new BinomialTable(qs[q].k(), n);
      sum += byCount[q][(int) qs[q].k()];
    }
    SplittableRandom rng = new SplittableRandom(Ids.seedOf(key + "|" + seed));
    double[] means = new double[replicates];
    for (int b = 0; b < replicates; b++) {
      double s = 0;
      for (int d = 0; d < qs.length; d++) {
        int q = rng.nextInt(qs.length);
        s += byCount[q][tables[q].sample(rng)];
      }
      means[b] = s / qs.length;
    }
    Bootstrap.Interval ci = Bootstrap.percentileInterval(means, confidence);
    return new Estimate(sum / qs.length, ci.lo(), ci.hi());
  }
}
