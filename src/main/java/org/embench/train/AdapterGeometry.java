package org.embench.train;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.embench.model.TensorBackend;

/**
 * The geometry of a run's update over training, for {@code train_steps}: per module the Frobenius
 * norm of its update ΔW (s·B·A for LoRA, the dense ΔW for full fine-tuning) after each step, and
 * the cosine between ΔW at a step and the final ΔW (the model-organisms work locates the phase
 * transition of rank-1 adapters by when that direction settles). Computed from the parameters
 * alone: no forward pass.
 *
 * <p>For LoRA the inner products are r × r products: ⟨B₁A₁, B₂A₂⟩ = tr((B₁ᵀB₂)(A₂A₁ᵀ)). The cosines
 * need each step's parameters kept until the end; copies are kept while they fit {@value
 * #BUDGET_PROPERTY} (default 256 MB) — for larger adapters every k-th step only, the others get no
 * cosine — and only for the steps this process trained (a resumed run has none for the steps before
 * its checkpoint).
 */
final class AdapterGeometry {
  static final String BUDGET_PROPERTY = "embench.train.geometryBytes";

  private final TensorBackend backend;
  private final int stride;
  private final TreeMap<Integer, Map<String, float[][]>> kept = new TreeMap<>();

  AdapterGeometry(TensorBackend backend, Map<String, TrainableLinear> params, int totalSteps) {
    this.backend = backend;
    long bytes = 0;
    for (TrainableLinear p : params.values()) {
      for (float[] v : p.values) {
        bytes += 4L * v.length;
      }
    }
    long budget = Long.getLong(BUDGET_PROPERTY, 256L << 20);
    long fit = bytes == 0 ? totalSteps : Math.max(1, budget / bytes);
    this.stride = (int) Math.max(1, (totalSteps + fit - 1) / fit);
  }

  /**
   * The norms after {@code step}; keeps a copy of the parameters when the step is one the cosines
   * cover.
   */
  Map<String, Double> afterStep(int step, Map<String, TrainableLinear> params) {
    Map<String, Double> norms = new LinkedHashMap<>();
    Map<String, float[][]> copy = step % stride == 0 ? new LinkedHashMap<>() : null;
    for (String k : Backprop.keys(params)) {
      TrainableLinear p = params.get(k);
      norms.put(k, Math.sqrt(Math.max(0, inner(p, p.values, p.values))));
      if (copy != null) {
        float[][] c = new float[p.values.length][];
        for (int i = 0; i < c.length; i++) {
          c[i] = p.values[i].clone();
        }
        copy.put(k, c);
      }
    }
    if (copy != null) {
      kept.put(step, copy);
    }
    return norms;
  }

  /** Per kept step, the cosine of each module's update with its final update. */
  Map<Integer, Map<String, Double>> cosinesWithFinal(Map<String, TrainableLinear> finalParams) {
    Map<Integer, Map<String, Double>> out = new TreeMap<>();
    Map<String, Double> finalNorms = new LinkedHashMap<>();
    for (var e : finalParams.entrySet()) {
      TrainableLinear p = e.getValue();
      finalNorms.put(e.getKey(), Math.sqrt(Math.max(0, inner(p, p.values, p.values))));
    }
    for (var step : kept.entrySet()) {
      Map<String, Double> cos = new LinkedHashMap<>();
      for (var m : step.getValue().entrySet()) {
        TrainableLinear p = finalParams.get(m.getKey());
        double here = Math.sqrt(Math.max(0, inner(p, m.getValue(), m.getValue())));
        double there = finalNorms.get(m.getKey());
        cos.put(
            m.getKey(),
            here == 0 || there == 0 ? null : inner(p, m.getValue(), p.values) / (here * there));
      }
      out.put(step.getKey(), cos);
    }
    return out;
  }

  /** ⟨ΔW(x), ΔW(y)⟩_F for two value sets of the shape of {@code p}. */
  double inner(TrainableLinear p, float[][] x, float[][] y) {
    if (!p.isLora()) {
      double s = 0;
      for (int i = 0; i < x[0].length; i++) {
        s += (double) x[0][i] * y[0][i];
      }
      return s;
    }
    int r = p.rank;
    // A is [r × in], B is [out × r]: BxᵀBy [r × r] and Ay·Axᵀ [r × r].
    float[] bb = new float[r * r];
    backend.gemm(true, false, r, r, p.out, x[1], y[1], bb, false);
    float[] aa = new float[r * r];
    backend.gemm(false, true, r, r, p.in, y[0], x[0], aa, false);
    double s = 0;
    for (int i = 0; i < r; i++) {
      for (int j = 0; j < r; j++) {
        s += (double) bb[i * r + j] * aa[j * r + i];
      }
    }
    return (double) p.scale * p.scale * s;
  }
}
