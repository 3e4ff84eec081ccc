package org.embench.model;

import java.util.Map;

/**
 * A deliberately plain reference of the forward pass: double precision, one position at a time, no
 * cache, written from the Hugging Face modelling code's equations. The engine must match it.
 */
public final class ReferenceTransformer {
  private final ModelConfig c;
  private final Map<String, float[]> t;

  public ReferenceTransformer(ModelConfig config, Map<String, float[]> tensors) {
    this.c = config;
    this.t = tensors;
  }

  /** Logits {@code [tokens.length][vocab]} for every position of one sequence. */
  public double[][] logits(int[] tokens) {
    int n = tokens.length;
    int hs = c.hiddenSize();
    int hd = c.headDim();
    double[][] h = new double[n][hs];
    float[] emb = t.get("model.embed_tokens.weight");
    for (int p = 0; p < n; p++) {
      for (int i = 0; i < hs; i++) {
        h[p][i] = emb[tokens[p] * hs + i];
      }
    }
    for (int l = 0; l < c.numLayers(); l++) {
      String pre = "model.layers." + l + ".";
      double[][] q = new double[n][];
      double[][] k = new double[n][];
      double[][] v = new double[n][];
      for (int p = 0; p < n; p++) {
        double[] x = rms(h[p], t.get(pre + "input_layernorm.weight"));
        q[p] = lin(x, pre + "self_attn.q_proj");
        k[p] = lin(x, pre + "self_attn.k_proj");
        v[p] = lin(x, pre + "self_attn.v_proj");
        if (c.qkNorm()) {
          headNorm(q[p], c.numHeads(), t.get(pre + "self_attn.q_norm.weight"));
          headNorm(k[p], c.numKvHeads(), t.get(pre + "self_attn.k_norm.weight"));
        }
        rotate(q[p], c.numHeads(), p);
        rotate(k[p], c.numKvHeads(), p);
      }
      int group = c.numHeads() / c.numKvHeads();
      for (int p = 0; p < n; p++) {
        double[] attn = new double[c.numHeads() * hd];
        for (int head = 0; head < c.numHeads(); head++) {
          int kvh = head / group;
          double[] s = new double[p + 1];
          double max = Double.NEGATIVE_INFINITY;
          for (int j = 0; j <= p; j++) {
            double dot = 0;
            for (int i = 0; i < hd; i++) {
              dot += q[p][head * hd + i] * k[j][kvh * hd + i];
            }
            s[j] = dot / Math.sqrt(hd);
            max = Math.max(max, s[j]);
          }
          double sum = 0;
          for (int j = 0; j <= p; j++) {
            s[j] = Math.exp(s[j] - max);
            sum += s[j];
          }
          for (int j = 0; j <= p; j++) {
            for (int i = 0; i < hd; i++) {
              attn[head * hd + i] += s[j] / sum * v[j][kvh * hd + i];
            }
          }
        }
        double[] o = lin(attn, pre + "self_attn.o_proj");
        for (int i = 0; i < hs; i++) {
          h[p][i] += o[i];
        }
        double[] x = rms(h[p], t.get(pre + "post_attention_layernorm.weight"));
        double[] g = lin(x, pre + "mlp.gate_proj");
        double[] u = lin(x, pre + "mlp.up_proj");
        for (int i = 0; i < g.length; i++) {
          g[i] = g[i] / (1 + Math.exp(-g[i])) * u[i];
        }
        double[] d = lin(g, pre + "mlp.down_proj");
        for (int i = 0; i < hs; i++) {
          h[p][i] += d[i];
        }
      }
    }
    String head = t.containsKey("lm_head.weight") ? "lm_head" : "model.embed_tokens";
    double[][] out = new double[n][];
    for (int p = 0; p < n; p++) {
      out[p] = lin(rms(h[p], t.get("model.norm.weight")), head);
    }
    return out;
  }

  private double[] rms(double[] x, float[] w) {
    double ss = 0;
    for (double v : x) {
      ss += v * v;
    }
    double inv = 1 / Math.sqrt(ss / x.length + c.rmsNormEps());
    double[] out = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      out[i] = w[i] * x[i] * inv;
    }
    return out;
  }

  private void headNorm(double[] x, int heads, float[] w) {
    int hd = c.headDim();
    for (int h = 0; h < heads; h++) {
      double[] part = java.util.Arrays.copyOfRange(x, h * hd, (h + 1) * hd);
      System.arraycopy(rms(part, w), 0, x, h * hd, hd);
    }
  }

  /** y = W x (+ b) with W stored [out, in]. */
  private double[] lin(double[] x, String name) {
    float[] w = t.get(name + ".weight");
    int in = x.length;
    int out = w.length / in;
    double[] y = new double[out];
    float[] b = t.get(name + ".bias");
    for (int o = 0; o < out; o++) {
      double s = b == null ? 0 : b[o];
      for (int i = 0; i < in; i++) {
        s += w[o * in + i] * x[i];
      }
      y[o] = s;
    }
    return y;
  }

  /** Rotate-half RoPE with the config's frequencies (Llama 3 scaling written out again). */
  private void rotate(double[] x, int heads, int pos) {
    int hd = c.headDim();
    int half = hd / 2;
    for (int i = 0; i < half; i++) {
      double freq = 1 / Math.pow(c.ropeTheta(), 2.0 * i / hd);
      ModelConfig.RopeScaling s = c.ropeScaling();
      if (s != null && s.type().equals("llama3")) {
        double wavelen = 2 * Math.PI / freq;
        double lowWavelen = s.originalMaxPositionEmbeddings() / s.lowFreqFactor();
        double highWavelen = s.originalMaxPositionEmbeddings() / s.highFreqFactor();
        if (wavelen > lowWavelen) {
          freq = freq / s.factor();
        } else if (wavelen >= highWavelen) {
          double smooth =
              (s.originalMaxPositionEmbeddings() / wavelen - s.lowFreqFactor())
                  / (s.highFreqFactor() - s.lowFreqFactor());
          freq = (1 - smooth) * freq / s.factor() + smooth * freq;
        }
      } else if (s != null && s.type().equals("linear")) {
        freq = freq / s.factor();
      }
      double cos = Math.cos(pos * freq);
      double sin = Math.sin(pos * freq);
      for (int h = 0; h < heads; h++) {
        double a = x[h * hd + i];
        double b = x[h * hd + i + half];
        x[h * hd + i] = a * cos - b * sin;
        x[h * hd + i + half] = b * cos + a * sin;
      }
    }
  }
}
