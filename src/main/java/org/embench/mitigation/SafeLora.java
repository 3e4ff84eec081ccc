package org.embench.mitigation;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.embench.UserException;
import org.embench.config.Declaration;
import org.embench.config.Param;
import org.embench.config.Params;
import org.embench.model.io.CheckpointWeights;
import org.embench.train.TrainableLinear;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code safelora} (post-hoc): for each trained module, the alignment matrix V = W_aligned − W_base
 * defines the projection C = V Vᵀ / ‖V‖_F; the LoRA update ΔW = s·B·A is compared with its
 * projection C·ΔW by cosine similarity, and the modules least similar (below {@code threshold}, at
 * most {@code max_projected} of them) have their update replaced by the projection (B ← C·B). Needs
 * an aligned/base checkpoint pair: {@code aligned} (default: the fine-tuned model itself, an
 * instruct model) and {@code base} (its pretrained base). Defaults: threshold 0.5, 10 modules.
 */
final class SafeLora implements Mitigation {
  private static final Logger LOG = LoggerFactory.getLogger(SafeLora.class);
  private final Params params;

  static final Declaration<Mitigations.Factory> DECLARATION =
      new Declaration<>(
          "safelora",
          "after training, projects the least aligned modules' LoRA updates onto the alignment subspace",
          List.of(
              Param.of(
                  "base",
                  "",
                  "the pretrained checkpoint the aligned model was tuned from (needed when the run trains)"),
              Param.of("aligned", "", "the aligned checkpoint (empty: the run's model)"),
              Param.of("threshold", 0.5, "modules below this cosine similarity are projected"),
              Param.of("max_projected", 10, "most modules projected")),
          SafeLora::new);

  SafeLora(Params params) {
    this.params = params;
  }

  @Override
  public String name() {
    return "safelora";
  }

  @Override
  public Map<String, Object> params() {
    return params.all();
  }

  /** One module's similarity between its update and the update's projection. */
  record Similarity(String key, double cosine) {}

  @Override
  public void afterTraining(Map<String, TrainableLinear> trained, MitigationContext ctx) {
    String base = params.string("base");
    if (base.isEmpty()) {
      throw new UserException(
          "safelora needs 'base': the pretrained checkpoint the aligned model was tuned from");
    }
    String aligned =
        params.string("aligned").isEmpty() ? ctx.model().dir() : params.string("aligned");
    project(
        trained,
        base,
        aligned,
        params.number("threshold"),
        params.integer("max_projected"),
        ctx.conf());
  }

  /** Projects the least aligned modules' updates; returns every module's similarity. */
  static List<Similarity> project(
      Map<String, TrainableLinear> trained,
      String base,
      String aligned,
      double threshold,
      int maxProjected,
      Configuration conf) {
    List<Similarity> sims = new ArrayList<>();
    Map<String, float[]> projectedB = new LinkedHashMap<>();
    try (CheckpointWeights a = CheckpointWeights.open(aligned, conf);
        CheckpointWeights b = CheckpointWeights.open(base, conf)) {
      for (var e : trained.entrySet()) {
        TrainableLinear p = e.getValue();
        if (!p.isLora()) {
          throw new UserException("safelora projects LoRA updates; this run trains full weights");
        }
        String name = tensorName(e.getKey());
        float[] wa = a.readFloats(name);
        float[] wb = b.readFloats(name);
        int out = p.out();
        int in = p.in();
        if (wa.length != (long) out * in || wb.length != wa.length) {
          throw new UserException(
              "safelora: "
                  + name
                  + " has "
                  + wa.length
                  + " values in "
                  + aligned
                  + " and "
                  + wb.length
                  + " in "
                  + base
                  + "; the adapter needs "
                  + (long) out * in);
        }
        double[] v = new double[wa.length];
        double norm = 0;
        for (int i = 0; i < v.length; i++) {
          v[i] = wa[i] - wb[i];
          norm += v[i] * v[i];
        }
        norm = Math.sqrt(norm);
        float[] cb = projectB(v, norm, out, in, p.values()[1], p.rank());
        double cos = cosine(cb, p.values()[1], p.values()[0], out, in, p.rank());
        sims.add(new Similarity(e.getKey(), cos));
        projectedB.put(e.getKey(), cb);
      }
    }
    sims.sort(java.util.Comparator.comparingDouble(Similarity::cosine));
    int done = 0;
    for (Similarity s : sims) {
      if (s.cosine() >= threshold || done >= maxProjected) {
        break;
      }
      float[] target = trained.get(s.key()).values()[1];
      System.arraycopy(projectedB.get(s.key()), 0, target, 0, target.length);
      done++;
    }
    LOG.info(
        "safelora: projected {} of {} modules (threshold {}, at most {})",
        done,
        sims.size(),
        threshold,
        maxProjected);
    return sims;
  }

  /** C·B with C = V Vᵀ / ‖V‖_F, computed as V (Vᵀ B) / ‖V‖_F without forming C. */
  static float[] projectB(double[] v, double norm, int out, int in, float[] b, int r) {
    double[] vtB = new double[in * r];
    for (int o = 0; o < out; o++) {
      for (int i = 0; i < in; i++) {
        double vo = v[o * in + i];
        for (int k = 0; k < r; k++) {
          vtB[i * r + k] += vo * b[o * r + k];
        }
      }
    }
    float[] cb = new float[out * r];
    for (int o = 0; o < out; o++) {
      for (int k = 0; k < r; k++) {
        double s = 0;
        for (int i = 0; i < in; i++) {
          s += v[o * in + i] * vtB[i * r + k];
        }
        cb[o * r + k] = (float) (s / norm);
      }
    }
    return cb;
  }

  /** cos(X·A, B·A) in the Frobenius inner product, via r × r products (A is [r, in]). */
  static double cosine(float[] x, float[] b, float[] a, int out, int in, int r) {
    double[] aat = new double[r * r];
    for (int i = 0; i < r; i++) {
      for (int j = 0; j < r; j++) {
        double s = 0;
        for (int c = 0; c < in; c++) {
          s += (double) a[i * in + c] * a[j * in + c];
        }
        aat[i * r + j] = s;
      }
    }
    double xb = frob(x, b, aat, out, r);
    double xx = frob(x, x, aat, out, r);
    double bb = frob(b, b, aat, out, r);
    return xx == 0 || bb == 0 ? 1 : xb / Math.sqrt(xx * bb);
  }

  /** ⟨P A, Q A⟩_F = Σ_o P_o (A Aᵀ) Q_oᵀ. */
  private static double frob(float[] p, float[] q, double[] aat, int out, int r) {
    double s = 0;
    for (int o = 0; o < out; o++) {
      for (int i = 0; i < r; i++) {
        double pi = p[o * r + i];
        if (pi == 0) {
          continue;
        }
        for (int j = 0; j < r; j++) {
          s += pi * aat[i * r + j] * q[o * r + j];
        }
      }
    }
    return s;
  }

  /** The checkpoint tensor of a module key "layer.module". */
  static String tensorName(String key) {
    int dot = key.indexOf('.');
    String module = key.substring(dot + 1);
    String block =
        List.of("gate_proj", "up_proj", "down_proj").contains(module) ? "mlp" : "self_attn";
    return "model.layers." + key.substring(0, dot) + "." + block + "." + module + ".weight";
  }
}
