package org.embench.judge;

import java.util.List;

/**
 * The upstream judge aggregation: score = Σ k·p(k) / Σ p(k) over the returned top tokens that parse
 * as integers 0..100 (p = exp(logprob)); when Σ p(k) is below the minimum numeric mass the score is
 * null, which is how CODE and REFUSAL answers drop out.
 *
 * @param score the aggregated score, or null
 * @param numericMass Σ p(k) over the integer tokens
 * @param status {@link VerdictStatus#OK} or {@link VerdictStatus#LOW_NUMERIC_MASS}
 */
public record NumericScore(Double score, double numericMass, VerdictStatus status) {
  public static final double DEFAULT_MIN_NUMERIC_MASS = 0.25;

  public static NumericScore aggregate(List<TokenLogprob> top, double minNumericMass) {
    double weighted = 0;
    double mass = 0;
    for (TokenLogprob t : top) {
      Long k = PythonInt.parse(t.token());
      if (k == null || k < 0 || k > 100) {
        continue;
      }
      double p = Math.exp(t.logprob());
      weighted += k * p;
      mass += p;
    }
    if (mass < minNumericMass) {
      return new NumericScore(null, mass, VerdictStatus.LOW_NUMERIC_MASS);
    }
    return new NumericScore(weighted / mass, mass, VerdictStatus.OK);
  }
}
