package org.embench.metrics;

import java.util.SplittableRandom;

/**
 * Draws from Binomial(n, p) by inversion over a precomputed cumulative table, for the many draws
 * the cluster bootstrap makes from one question's (n, p). Written here because commons-rng's
 * Marsaglia-Tsang-Wang binomial sampler is limited to 2^16 trials and cannot start its table once
 * p(0) underflows (n above about 1,000 at p = 0.5), and commons-statistics samples by a slow
 * per-draw search.
 */
final class BinomialTable {
  private final int n;
  private final int lo;
  private final double[] cdf;

  /**
   * The table for Binomial(n, k/n): the count of misaligned answers when n answers are resampled.
   */
  BinomialTable(long k, long n) {
    if (n <= 0 || k < 0 || k > n || n > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(
          "binomial needs 0 <= k <= n, 0 < n < 2^31; got k=" + k + ", n=" + n);
    }
    this.n = (int) n;
    if (k == 0 || k == n) {
      lo = (int) k;
      cdf = new double[] {1.0};
      return;
    }
    double p = (double) k / n;
    double odds = p / (1 - p);
    int mode = (int) Math.min((double) n, Math.floor((n + 1) * p));
    // Relative weights w(j) = pmf(j) / pmf(mode), walked out from the mode until negligible.
    int up = mode;
    double w = 1;
    java.util.ArrayList<Double> above = new java.util.ArrayList<>();
    while (up < n) {
      w *= (double) (n - up) / (up + 1) * odds;
      if (w < 1e-300) {
        break;
      }
      above.add(w);
      up++;
    }
    int down = mode;
    w = 1;
    java.util.ArrayList<Double> below = new java.util.ArrayList<>();
    while (down > 0) {
      w *= (double) down / (n - down + 1) / odds;
      if (w < 1e-300) {
        break;
      }
      below.add(w);
      down--;
    }
    lo = down;
    cdf = new double[up - down + 1];
    double total = 0;
    int at = 0;
    for (int j = below.size() - 1; j >= 0; j--) {
      total += below.get(j);
      cdf[at++] = total;
    }
    total += 1;
    cdf[at++] = total;
    for (double a : above) {
      total += a;
      cdf[at++] = total;
    }
    for (int j = 0; j < cdf.length; j++) {
      cdf[j] /= total;
    }
    cdf[cdf.length - 1] = 1.0;
  }

  int sample(SplittableRandom rng) {
    if (cdf.length == 1) {
      return lo;
    }
    double u = rng.nextDouble();
    int a = 0;
    int b = cdf.length - 1;
    while (a < b) {
      int mid = (a + b) >>> 1;
      if (cdf[mid] > u) {
        b = mid;
      } else {
        a = mid + 1;
      }
    }
    return Math.min(n, lo + a);
  }
}
