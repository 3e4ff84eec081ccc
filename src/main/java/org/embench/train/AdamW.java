package org.embench.train;

import java.util.Map;
import org.embench.model.Parallel;

/**
 * AdamW as PyTorch implements it: decoupled weight decay {@code p -= lr·wd·p}, then {@code p -= lr
 * · m̂ / (√v̂ + ε)} with bias-corrected moments. Gradients are scaled by the clipping factor first
 * and zeroed after the update.
 */
final class AdamW {
  private AdamW() {}

  /** One update at optimizer step {@code t} (1-based). */
  static void update(
      Map<String, TrainableLinear> params,
      double lr,
      TrainConfig cfg,
      int t,
      double gradScale,
      Parallel parallel) {
    update(params.values(), lr, cfg, t, gradScale, parallel);
  }

  /** The same for any trainable tensors (full fine-tuning's embeddings, norms and head too). */
  static void update(
      Iterable<TrainableLinear> params,
      double lr,
      TrainConfig cfg,
      int t,
      double gradScale,
      Parallel parallel) {
    double b1 = cfg.beta1();
    double b2 = cfg.beta2();
    double c1 = 1 - Math.pow(b1, t);
    double c2 = 1 - Math.pow(b2, t);
    double decay = 1 - lr * cfg.weightDecay();
    double eps = cfg.epsilon();
    for (TrainableLinear p : params) {
      for (int k = 0; k < p.values.length; k++) {
        float[] v = p.values[k];
        float[] g = p.grads[k];
        float[] m = p.m[k];
        float[] s = p.v[k];
        // Elementwise, so any split over threads gives the same bits.
        parallel.range(
            v.length,
            (from, to) -> {
              for (int i = from; i < to; i++) {
                double gi = g[i] * gradScale;
                m[i] = (float) (b1 * m[i] + (1 - b1) * gi);
                s[i] = (float) (b2 * s[i] + (1 - b2) * gi * gi);
                double update = (m[i] / c1) / (Math.sqrt(s[i] / c2) + eps);
                v[i] = (float) (v[i] * decay - lr * update);
                g[i] = 0f;
              }
            });
      }
    }
  }
}
