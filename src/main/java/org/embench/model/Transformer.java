package org.embench.model;

import java.util.List;
import java.util.Map;
import org.embench.UserException;

/**
 * The decoder-only transformer forward pass of Qwen2/2.5, Llama 3.x, Mistral and Qwen3, over a
 * ragged batch: each sequence (a KV-cache slot) contributes any number of new tokens, so prompts of
 * different lengths prefill together and decoding mixes with prefill. Rows of all sequences are
 * stacked for the linear layers; attention runs per sequence over its own cache.
 *
 * <p>Per layer, as in the Hugging Face implementations:
 *
 * <pre>
 *   x = h + o_proj(attention(rope(q_proj(norm1(h))), rope(k_proj(norm1(h))), v_proj(norm1(h))))
 *   h = x + down_proj(silu(gate_proj(norm2(x))) * up_proj(norm2(x)))
 * </pre>
 *
 * with q/k biases for Qwen2 and per-head q/k RMSNorm before the rotation for Qwen3.
 *
 * <p>An instance belongs to one thread; the weights it reads are shared and immutable.
 */
public final class Transformer {
  /** The new tokens of one sequence. Its positions continue from the slot's cache length. */
  public record Chunk(int slot, int[] tokens) {}

  private final TransformerWeights w;
  private final ModelConfig cfg;
  private final TensorBackend backend;
  private final Parallel parallel;
  private final Rope rope;
  private final Map<String, Lora> adapters;
  private ForwardHooks hooks = ForwardHooks.NONE;

  /**
   * @param adapters LoRA updates keyed {@code "<layer>.<module>"} (e.g. {@code "3.down_proj"});
   *     empty for the base model
   */
  public Transformer(
      TransformerWeights weights,
      TensorBackend backend,
      Parallel parallel,
      Map<String, Lora> adapters) {
    this.w = weights;
    this.cfg = weights.config();
    this.backend = backend;
    this.parallel = parallel;
    this.rope = new Rope(cfg);
    this.adapters = Map.copyOf(adapters);
  }

  public ModelConfig config() {
    return cfg;
  }

  public void setHooks(ForwardHooks hooks) {
    this.hooks = hooks == null ? ForwardHooks.NONE : hooks;
  }

  /**
   * Runs the new tokens of every chunk through the model, appends their keys and values to the
   * cache, and returns the logits of the requested rows.
   *
   * @param logitRows indices into the stacked new tokens (chunk after chunk) whose logits are
   *     wanted; null for the last token of each chunk
   * @return {@code [logitRows.length, vocab]} logits
   */
  public float[] forward(List<Chunk> chunks, KvCache cache, int[] logitRows) {
    int rows = 0;
    for (Chunk c : chunks) {
      rows += c.tokens().length;
    }
    int[] positions = new int[rows];
    int[] rowSlot = new int[rows];
    int[] chunkStart = new int[chunks.size()];
    int r = 0;
    for (int ci = 0; ci < chunks.size(); ci++) {
      Chunk c = chunks.get(ci);
      int start = cache.length(c.slot());
      cache.reserve(c.slot(), start + c.tokens().length);
      chunkStart[ci] = r;
      for (int j = 0; j < c.tokens().length; j++, r++) {
        positions[r] = start + j;
        rowSlot[r] = c.slot();
      }
    }
    int hidden = cfg.hiddenSize();
    float[] h = new float[rows * hidden];
    r = 0;
    for (Chunk c : chunks) {
      for (int t : c.tokens()) {
        // ids come from the user (logits --ids) or from a tokenizer.json that does not fit
        // config.json
        if (t < 0 || t >= cfg.vocabSize()) {
          throw new UserException(
              "token id " + t + " is outside the vocabulary of " + cfg.vocabSize());
        }
        w.embed().copyRow(t, h, r * hidden);
        r++;
      }
    }
    Buffers b = new Buffers(rows, cfg);
    for (int l = 0; l < cfg.numLayers(); l++) {
      layer(l, h, rows, positions, rowSlot, cache, b);
      hooks.afterLayer(l, h, rows, hidden);
    }
    for (Chunk c : chunks) {
      cache.advance(c.slot(), c.tokens().length);
    }
    int[] out = logitRows;
    if (out == null) {
      out = new int[chunks.size()];
      for (int ci = 0; ci < chunks.size(); ci++) {
        out[ci] = chunkStart[ci] + chunks.get(ci).tokens().length - 1;
      }
    }
    if (out.length == 0) {
      return new float[0]; // only the cache was wanted
    }
    float[] selected = new float[out.length * hidden];
    for (int i = 0; i < out.length; i++) {
      System.arraycopy(h, out[i] * hidden, selected, i * hidden, hidden);
    }
    Ops.rmsNorm(selected, out.length, hidden, w.finalNorm(), cfg.rmsNormEps(), selected);
    float[] logits = new float[out.length * cfg.vocabSize()];
    backend.matmulTransposed(selected, out.length, w.lmHead(), logits);
    return logits;
  }

  /** Scratch arrays of one forward pass. */
  private static final class Buffers {
    final float[] norm;
    final float[] q;
    final float[] k;
    final float[] v;
    final float[] attn;
    final float[] proj;
    final float[] gate;
    final float[] up;

    Buffers(int rows, ModelConfig cfg) {
      norm = new float[rows * cfg.hiddenSize()];
      q = new float[rows * cfg.numHeads() * cfg.headDim()];
      k = new float[rows * cfg.numKvHeads() * cfg.headDim()];
      v = new float[rows * cfg.numKvHeads() * cfg.headDim()];
      attn = new float[rows * cfg.numHeads() * cfg.headDim()];
      proj = new float[rows * cfg.hiddenSize()];
      gate = new float[rows * cfg.intermediateSize()];
      up = new float[rows * cfg.intermediateSize()];
    }
  }

  private void layer(
      int l, float[] h, int rows, int[] positions, int[] rowSlot, KvCache cache, Buffers b) {
    LayerWeights lw = w.layer(l);
    int hidden = cfg.hiddenSize();
    int hd = cfg.headDim();
    int nh = cfg.numHeads();
    int nkv = cfg.numKvHeads();

    rmsNormRows(h, rows, hidden, lw.inputNorm(), b.norm);
    linear(l, "q_proj", lw.q(), b.norm, rows, b.q);
    linear(l, "k_proj", lw.k(), b.norm, rows, b.k);
    linear(l, "v_proj", lw.v(), b.norm, rows, b.v);
    if (cfg.qkNorm()) {
      Ops.rmsNormGroups(b.q, rows * nh, hd, lw.qNorm(), cfg.rmsNormEps());
      Ops.rmsNormGroups(b.k, rows * nkv, hd, lw.kNorm(), cfg.rmsNormEps());
    }
    Ops.rope(b.q, rows, nh, hd, positions, rope);
    Ops.rope(b.k, rows, nkv, hd, positions, rope);
    int kvDim = nkv * hd;
    for (int r = 0; r < rows; r++) {
      cache.store(rowSlot[r], l, positions[r], b.k, r * kvDim, b.v, r * kvDim);
    }
    attention(l, rows, positions, rowSlot, cache, b);
    linear(l, "o_proj", lw.o(), b.attn, rows, b.proj);
    Ops.addInPlace(h, b.proj, rows * hidden);

    rmsNormRows(h, rows, hidden, lw.postAttentionNorm(), b.norm);
    int inter = cfg.intermediateSize();
    if (adapters.containsKey(l + ".gate_proj")
        || adapters.containsKey(l + ".up_proj")
        || lw.gate().bias() != null
        || lw.up().bias() != null) {
      // A LoRA update or a bias changes the pre-activations, so the products are taken apart.
      linear(l, "gate_proj", lw.gate(), b.norm, rows, b.gate);
      linear(l, "up_proj", lw.up(), b.norm, rows, b.up);
      parallel.range(
          rows, (from, to) -> Ops.siluMul(b.gate, b.up, from * inter, (to - from) * inter));
    } else {
      backend.swiGlu(b.norm, rows, lw.gate().weight(), lw.up().weight(), b.gate);
    }
    linear(l, "down_proj", lw.down(), b.gate, rows, b.proj);
    Ops.addInPlace(h, b.proj, rows * hidden);
  }

  private void rmsNormRows(float[] x, int rows, int dim, float[] weight, float[] out) {
    parallel.range(
        rows,
        (from, to) -> {
          for (int r = from; r < to; r++) {
            Ops.rmsNormRow(x, r * dim, dim, weight, cfg.rmsNormEps(), out);
          }
        });
  }

  /** y = x · Wᵀ + bias, plus the LoRA update when this layer's module has one. */
  private void linear(int layer, String module, Linear lin, float[] x, int rows, float[] y) {
    backend.matmulTransposed(x, rows, lin.weight(), y);
    if (lin.bias() != null) {
      Ops.addBias(y, rows, lin.out(), lin.bias());
    }
    Lora lora = adapters.isEmpty() ? null : adapters.get(layer + "." + module);
    if (lora != null && lora.a() == null) {
      float[] delta = new float[rows * lin.out()];
      backend.matmulTransposed(x, rows, lora.b(), delta);
      Ops.addInPlace(y, delta, delta.length);
    } else if (lora != null) {
      int rank = lora.rank();
      float[] xa = new float[rows * rank];
      backend.matmulTransposed(x, rows, lora.a(), xa);
      float[] delta = new float[rows * lin.out()];
      backend.matmulTransposed(xa, rows, lora.b(), delta);
      float s = lora.scale();
      for (int i = 0; i < rows * lin.out(); i++) {
        y[i] += s * delta[i];
      }
    }
  }

  /**
   * Causal attention of every new row over its own sequence's cache (positions 0..its own), with
   * grouped-query heads: query head i reads key/value head i / (heads / kvHeads). The query heads
   * of one key/value head are computed together, so each key and value is read once per group.
   */
  private void attention(
      int l, int rows, int[] positions, int[] rowSlot, KvCache cache, Buffers b) {
    int nh = cfg.numHeads();
    int nkv = cfg.numKvHeads();
    int hd = cfg.headDim();
    int group = nh / nkv;
    int kvDim = nkv * hd;
    float scale = (float) (1.0 / Math.sqrt(hd));
    int maxLen = maxPosition(positions) + 1;
    parallel.range(
        rows * nkv,
        (from, to) -> {
          float[] scores = new float[group * maxLen];
          for (int item = from; item < to; item++) {
            int r = item / nkv;
            int kvHead = item % nkv;
            int len = positions[r] + 1;
            float[] keys = cache.keys(rowSlot[r], l);
            float[] values = cache.values(rowSlot[r], l);
            int cap = cache.capacity(rowSlot[r]);
            int firstHead = kvHead * group;
            // scores[g][p] = q_g · k_p: one key dimension at a time, over contiguous positions.
            java.util.Arrays.fill(scores, 0, group * len, 0f);
            for (int i = 0; i < hd; i++) {
              int ko = (kvHead * hd + i) * cap;
              for (int g = 0; g < group; g++) {
                float qi = b.q[(r * nh + firstHead + g) * hd + i] * scale;
                int so = g * len;
                for (int p = 0; p < len; p++) {
                  scores[so + p] += qi * keys[ko + p];
                }
              }
            }
            for (int g = 0; g < group; g++) {
              Ops.softmax(scores, g * len, (g + 1) * len);
              int out = (r * nh + firstHead + g) * hd;
              java.util.Arrays.fill(b.attn, out, out + hd, 0f);
            }
            for (int p = 0; p < len; p++) {
              int vo = p * kvDim + kvHead * hd;
              for (int g = 0; g < group; g++) {
                float pw = scores[g * len + p];
                int out = (r * nh + firstHead + g) * hd;
                for (int i = 0; i < hd; i++) {
                  b.attn[out + i] += pw * values[vo + i];
                }
              }
            }
          }
        });
  }

  private static int maxPosition(int[] positions) {
    int m = 0;
    for (int p : positions) {
      m = Math.max(m, p);
    }
    return m;
  }
}
