package org.embench.model;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Picks a token from one row of logits. Each sequence owns its generator (seeded from the row it
 * produces) and draws exactly one number per step, so its tokens do not depend on what else is in
 * the batch. Token probabilities are scanned in id order, which makes a draw a pure function of the
 * logits and the generator state.
 */
public final class Sampler {
  private Sampler() {}

  /** Samples from {@code logits[offset, offset + vocab)}. */
  public static int sample(
      float[] logits, int offset, int vocab, SamplingParams p, SplittableRandom rng) {
    if (p.greedy()) {
      return argmax(logits, offset, vocab);
    }
    double[] prob = new double[vocab];
    double max = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < vocab; i++) {
      prob[i] = logits[offset + i] / p.temperature();
      max = Math.max(max, prob[i]);
    }
    if (p.topK() > 0 && p.topK() < vocab) {
      double kth = kthLargest(prob, p.topK());
      for (int i = 0; i < vocab; i++) {
        if (prob[i] < kth) {
          prob[i] = Double.NEGATIVE_INFINITY;
        }
      }
    }
    double sum = 0;
    for (int i = 0; i < vocab; i++) {
      prob[i] = Math.exp(prob[i] - max);
      sum += prob[i];
    }
    if (p.topP() < 1) {
      sum = nucleus(prob, sum, p.topP());
    }
    double u = rng.nextDouble() * sum;
    double acc = 0;
    int last = -1;
    for (int i = 0; i < vocab; i++) {
      if (prob[i] > 0) {
        acc += prob[i];
        last = i;
        if (acc > u) {
          return i;
        }
      }
    }
    return last;
  }

  /** The lowest id among the largest logits. */
  public static int argmax(float[] logits, int offset, int vocab) {
    int best = 0;
    for (int i = 1; i < vocab; i++) {
      if (logits[offset + i] > logits[offset + best]) {
        best = i;
      }
    }
    return best;
  }

  private static double kthLargest(double[] values, int k) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length - k];
  }

  /**
   * Zeroes every token outside the nucleus: the most probable tokens whose probabilities, taken in
   * decreasing order, first reach topP of the mass (ties broken by lower id). Returns the kept
   * mass.
   */
  private static double nucleus(double[] prob, double sum, double topP) {
    Integer[] order = new Integer[prob.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(
        order,
        (a, b) -> prob[a] != prob[b] ? Double.compare(prob[b], prob[a]) : Integer.compare(a, b));
    double acc = 0;
    double kept = 0;
    int i = 0;
    for (; i < order.length; i++) {
      double pi = prob[order[i]];
      if (acc >= topP * sum) {
        break;
      }
      acc += pi;
      kept += pi;
    }
    for (; i < order.length; i++) {
      prob[order[i]] = 0;
    }
    return kept;
  }
}
