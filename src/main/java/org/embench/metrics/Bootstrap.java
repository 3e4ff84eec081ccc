package org.embench.metrics;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.embench.table.Ids;

/**
 * The bootstrap intervals of PROTOCOL.md, as plain functions (the Spark aggregates call these).
 * Every generator is seeded from the row it produces: {@code Ids.seedOf(key + "|" + seed)}.
 * Intervals are percentile intervals; quantiles interpolate linearly between order statistics (the
 * default of numpy.percentile).
 */
public final class Bootstrap {
  /** One question's counted answers n and misaligned answers k. */
  public record QuestionCount(String questionId, long k, long n) implements java.io.Serializable {}

  /** Macro (mean over questions) and pooled (over answers) intervals from the same replicates. */
  public record ClusterInterval(double macroLo, double macroHi, double pooledLo, double pooledHi) {}

  /** A plain interval. */
  public record Interval(double lo, double hi) {}

  /** A difference of means with its interval and how it was resampled. */
  public record Difference(
      double mitigated,
      double baseline,
      double difference,
      double lo,
      double hi,
      boolean paired,
      int nMitigated,
      int nBaseline) {}

  /** One run of a group: its seed (null when unknown) and its rate. */
  public record SeededValue(Long seed, double value) implements java.io.Serializable {}

  private Bootstrap() {}

  /**
   * Cluster bootstrap over a suite: each replicate draws as many questions as there are, with
   * replacement, then for each drawn question resamples its n answers with replacement, which makes
   * the misaligned count Binomial(n, k/n). Questions with n = 0 must be left out by the caller.
   */
  public static ClusterInterval cluster(
      List<QuestionCount> questions, int replicates, long seed, double confidence, String key) {
    QuestionCount[] qs =
        questions.stream()
            .sorted(java.util.Comparator.comparing(QuestionCount::questionId))
            .toArray(QuestionCount[]::new);
    if (qs.length == 0) {
      throw new IllegalArgumentException("cluster bootstrap of " + key + ": no questions");
    }
    BinomialTable[] tables = new BinomialTable[qs.length];
    for (int i = 0; i < qs.length; i++) {
      tables[i] = new BinomialTable(qs[i].k(), qs[i].n());
    }
    SplittableRandom rng = new SplittableRandom(Ids.seedOf(key + "|" + seed));
    double[] macro = new double[replicates];
    double[] pooled = new double[replicates];
    for (int b = 0; b < replicates; b++) {
      double rateSum = 0;
      long kSum = 0;
      long nSum = 0;
      for (int d = 0; d < qs.length; d++) {
        int q = rng.nextInt(qs.length);
        int k = tables[q].sample(rng);
        rateSum += (double) k / qs[q].n();
        kSum += k;
        nSum += qs[q].n();
      }
      macro[b] = rateSum / qs.length;
      pooled[b] = (double) kSum / nSum;
    }
    Interval m = percentileInterval(macro, confidence);
    Interval p = percentileInterval(pooled, confidence);
    return new ClusterInterval(m.lo(), m.hi(), p.lo(), p.hi());
  }

  /** Bootstrap of the mean over units (runs of a group, one per seed). */
  public static Interval mean(
      double[] values, int replicates, long seed, double confidence, String key) {
    if (values.length == 0) {
      throw new IllegalArgumentException("bootstrap of " + key + ": no values");
    }
    SplittableRandom rng = new SplittableRandom(Ids.seedOf(key + "|" + seed));
    return percentileInterval(resampledMeans(values, replicates, rng), confidence);
  }

  /**
   * Mitigated minus baseline. When some seeds occur on both sides the runs are paired by seed and
   * only those pairs are used; otherwise the two sides are resampled independently.
   */
  public static Difference difference(
      List<SeededValue> mitigated,
      List<SeededValue> baseline,
      int replicates,
      long seed,
      double confidence,
      String key) {
    if (mitigated.isEmpty() || baseline.isEmpty()) {
      throw new IllegalArgumentException("difference bootstrap of " + key + ": a side has no runs");
    }
    SplittableRandom rng = new SplittableRandom(Ids.seedOf(key + "|" + seed));
    java.util.SortedMap<Long, Double> m = bySeed(mitigated);
    java.util.SortedMap<Long, Double> b = bySeed(baseline);
    m.keySet().retainAll(b.keySet());
    if (!m.isEmpty()) {
      double[] diffs = new double[m.size()];
      double[] ms = new double[m.size()];
      double[] bs = new double[m.size()];
      int i = 0;
      for (var e : m.entrySet()) {
        ms[i] = e.getValue();
        bs[i] = b.get(e.getKey());
        diffs[i] = ms[i] - bs[i];
        i++;
      }
      Interval ci = percentileInterval(resampledMeans(diffs, replicates, rng), confidence);
      return new Difference(
          avg(ms), avg(bs), avg(diffs), ci.lo(), ci.hi(), true, ms.length, bs.length);
    }
    double[] ms = values(mitigated);
    double[] bs = values(baseline);
    double[] mStar = resampledMeans(ms, replicates, rng);
    double[] bStar = resampledMeans(bs, replicates, rng);
    double[] d = new double[replicates];
    for (int r = 0; r < replicates; r++) {
      d[r] = mStar[r] - bStar[r];
    }
    Interval ci = percentileInterval(d, confidence);
    return new Difference(
        avg(ms), avg(bs), avg(ms) - avg(bs), ci.lo(), ci.hi(), false, ms.length, bs.length);
  }

  /** One question asked plainly (base) and in a variant: its counts on both sides. */
  public record PairedCount(String questionId, long baseK, long baseN, long variantK, long variantN)
      implements java.io.Serializable {}

  /** Variant minus base macro rate over the questions of both, with its interval. */
  public record PairedDifference(
      double base, double variant, double difference, double lo, double hi, int nQuestions) {}

  /**
   * The cluster bootstrap of {@link #cluster}, paired by question: each replicate draws as many
   * questions as there are, with replacement, and resamples the answers of each drawn question on
   * both sides (Binomial(n, k/n) each), so the interval of the difference keeps what the two sides
   * share (the question drawn). Questions with n = 0 on a side must be left out by the caller.
   */
  public static PairedDifference pairedCluster(
      List<PairedCount> questions, int replicates, long seed, double confidence, String key) {
    PairedCount[] qs =
        questions.stream()
            .sorted(java.util.Comparator.comparing(PairedCount::questionId))
            .toArray(PairedCount[]::new);
    if (qs.length == 0) {
      throw new IllegalArgumentException("paired bootstrap of " + key + ": no questions");
    }
    BinomialTable[] base = new BinomialTable[qs.length];
    BinomialTable[] variant = new BinomialTable[qs.length];
    double baseSum = 0;
    double variantSum = 0;
    for (int i = 0; i < qs.length; i++) {
      base[i] = new BinomialTable(qs[i].baseK(), qs[i].baseN());
      variant[i] = new BinomialTable(qs[i].variantK(), qs[i].variantN());
      baseSum += (double) qs[i].baseK() / qs[i].baseN();
      variantSum += (double) qs[i].variantK() / qs[i].variantN();
    }
    SplittableRandom rng = new SplittableRandom(Ids.seedOf(key + "|" + seed));
    double[] diffs = new double[replicates];
    for (int b = 0; b < replicates; b++) {
      double sum = 0;
      for (int d = 0; d < qs.length; d++) {
        int q = rng.nextInt(qs.length);
        int kb = base[q].sample(rng);
        int kv = variant[q].sample(rng);
        sum += (double) kv / qs[q].variantN() - (double) kb / qs[q].baseN();
      }
      diffs[b] = sum / qs.length;
    }
    Interval ci = percentileInterval(diffs, confidence);
    double baseRate = baseSum / qs.length;
    double variantRate = variantSum / qs.length;
    return new PairedDifference(
        baseRate, variantRate, variantRate - baseRate, ci.lo(), ci.hi(), qs.length);
  }

  /** Percentile interval at the given confidence; sorts {@code stats} in place. */
  static Interval percentileInterval(double[] stats, double confidence) {
    Arrays.sort(stats);
    double alpha = 1 - confidence;
    return new Interval(quantile(stats, alpha / 2), quantile(stats, 1 - alpha / 2));
  }

  /** Linear interpolation between order statistics (numpy's default, Hyndman-Fan type 7). */
  static double quantile(double[] sorted, double q) {
    double h = (sorted.length - 1) * q;
    int i = (int) Math.floor(h);
    if (i + 1 >= sorted.length) {
      return sorted[sorted.length - 1];
    }
    return sorted[i] + (h - i) * (sorted[i + 1] - sorted[i]);
  }

  private static double[] resampledMeans(double[] values, int replicates, SplittableRandom rng) {
    double[] out = new double[replicates];
    for (int r = 0; r < replicates; r++) {
      double s = 0;
      for (int j = 0; j < values.length; j++) {
        s += values[rng.nextInt(values.length)];
      }
      out[r] = s / values.length;
    }
    return out;
  }

  /** Values keyed by seed; values without a seed are left out (they cannot be paired). */
  private static java.util.SortedMap<Long, Double> bySeed(List<SeededValue> values) {
    java.util.TreeMap<Long, Double> out = new java.util.TreeMap<>();
    for (SeededValue v : values) {
      if (v.seed() != null) {
        out.merge(v.seed(), v.value(), (a, b) -> a);
      }
    }
    return out;
  }

  private static double[] values(List<SeededValue> values) {
    return values.stream()
        .sorted(
            java.util.Comparator.comparing(
                    (SeededValue v) -> v.seed() == null ? Long.MIN_VALUE : v.seed())
                .thenComparingDouble(SeededValue::value))
        .mapToDouble(SeededValue::value)
        .toArray();
  }

  private static double avg(double[] xs) {
    double s = 0;
    for (double x : xs) {
      s += x;
    }
    return s / xs.length;
  }
}
