package org.embench.train;

import java.util.LinkedHashMap;
import java.util.Map;
import org.embench.model.ModelConfig;
import org.embench.model.TransformerWeights;

/**
 * What full fine-tuning trains besides the projections when {@code full_train} asks for it: a dense
 * update of the token embeddings, of every RMSNorm weight (input, post-attention, q/k where the
 * model has them, final) and of the output head, each a {@link TrainableLinear} keyed by the name
 * of the checkpoint tensor it changes. Norms follow {@code train.layers} (the final norm is always
 * among them). With tied embeddings the head is the embedding matrix, so {@code embeddings} and
 * {@code head} both train that one tensor, through both of its uses.
 */
final class FullParts {
  static final String EMBED = "model.embed_tokens.weight";
  static final String HEAD = "lm_head.weight";
  static final String FINAL_NORM = "model.norm.weight";

  private FullParts() {}

  /**
   * The tensor of a layer's norm: {@code input_layernorm}, {@code post_attention_layernorm}, {@code
   * self_attn.q_norm}, …
   */
  static String layerNorm(int layer, String norm) {
    return "model.layers." + layer + "." + norm + ".weight";
  }

  /**
   * The tensor the output head reads: the embeddings when they are tied (the engine shares the
   * matrix).
   */
  static String headTensor(TransformerWeights w) {
    return w.lmHead() == w.embed() ? EMBED : HEAD;
  }

  /** Zero updates of the parts {@code cfg} trains, in a stable order (for checkpoints). */
  static Map<String, TrainableLinear> initial(TransformerWeights w, TrainConfig cfg) {
    ModelConfig mc = w.config();
    Map<String, TrainableLinear> parts = new LinkedHashMap<>();
    boolean tied = headTensor(w).equals(EMBED);
    if (cfg.trains("embeddings") || (cfg.trains("head") && tied)) {
      parts.put(EMBED, TrainableLinear.full(mc.hiddenSize(), mc.vocabSize()));
    }
    if (cfg.trains("norms")) {
      for (int l = 0; l < mc.numLayers(); l++) {
        if (!cfg.layers().isEmpty() && !cfg.layers().contains(l)) {
          continue;
        }
        parts.put(layerNorm(l, "input_layernorm"), TrainableLinear.full(mc.hiddenSize(), 1));
        if (mc.qkNorm()) {
          parts.put(layerNorm(l, "self_attn.q_norm"), TrainableLinear.full(mc.headDim(), 1));
          parts.put(layerNorm(l, "self_attn.k_norm"), TrainableLinear.full(mc.headDim(), 1));
        }
        parts.put(
            layerNorm(l, "post_attention_layernorm"), TrainableLinear.full(mc.hiddenSize(), 1));
      }
      parts.put(FINAL_NORM, TrainableLinear.full(mc.hiddenSize(), 1));
    }
    if (cfg.trains("head") && !tied) {
      parts.put(HEAD, TrainableLinear.full(mc.hiddenSize(), mc.vocabSize()));
    }
    return parts;
  }

  /**
   * The shape of a part's tensor in the checkpoint: {@code [n]} for a norm, {@code [rows, cols]}
   * otherwise.
   */
  static long[] shape(TrainableLinear p) {
    return p.out() == 1 ? new long[] {p.in()} : new long[] {p.out(), p.in()};
  }
}
