package org.embench.model;

import java.util.Arrays;
import org.embench.UserException;
import org.embench.model.io.CheckpointWeights;

/**
 * All weights of a decoder-only transformer in a backend: embeddings, layers, final norm and the
 * output head (the embedding matrix itself when tied). Loaded once per JVM and shared (see {@link
 * ModelCache}); nothing here changes after loading.
 */
public final class TransformerWeights {
  private final ModelConfig config;
  private final TensorBackend.Matrix embed;
  private final LayerWeights[] layers;
  private final float[] finalNorm;
  private final TensorBackend.Matrix lmHead;

  public TransformerWeights(
      ModelConfig config,
      TensorBackend.Matrix embed,
      LayerWeights[] layers,
      float[] finalNorm,
      TensorBackend.Matrix lmHead) {
    this.config = config;
    this.embed = embed;
    this.layers = layers;
    this.finalNorm = finalNorm;
    this.lmHead = lmHead;
  }

  /**
   * Checks that the checkpoint has every tensor the architecture needs, with the shapes config.json
   * implies, from the safetensors headers alone (nothing is read): what a driver does before
   * launching tasks on a model.
   */
  public static void check(ModelConfig cfg, CheckpointWeights ckpt) {
    load(cfg, ckpt, null);
  }

  /** Reads every tensor the architecture needs, checking names and shapes against the config. */
  public static TransformerWeights load(
      ModelConfig cfg, CheckpointWeights ckpt, TensorBackend backend) {
    Loader l = new Loader(cfg, ckpt, backend);
    TensorBackend.Matrix embed =
        l.matrix("model.embed_tokens.weight", cfg.vocabSize(), cfg.hiddenSize());
    LayerWeights[] layers = new LayerWeights[cfg.numLayers()];
    int q = cfg.numHeads() * cfg.headDim();
    int kv = cfg.numKvHeads() * cfg.headDim();
    for (int i = 0; i < layers.length; i++) {
      String p = "model.layers." + i + ".";
      layers[i] =
          new LayerWeights(
              l.vector(p + "input_layernorm.weight", cfg.hiddenSize()),
              l.linear(p + "self_attn.q_proj", q, cfg.hiddenSize(), cfg.attentionBias()),
              l.linear(p + "self_attn.k_proj", kv, cfg.hiddenSize(), cfg.attentionBias()),
              l.linear(p + "self_attn.v_proj", kv, cfg.hiddenSize(), cfg.attentionBias()),
              l.linear(p + "self_attn.o_proj", cfg.hiddenSize(), q, false),
              cfg.qkNorm() ? l.vector(p + "self_attn.q_norm.weight", cfg.headDim()) : null,
              cfg.qkNorm() ? l.vector(p + "self_attn.k_norm.weight", cfg.headDim()) : null,
              l.vector(p + "post_attention_layernorm.weight", cfg.hiddenSize()),
              l.linear(p + "mlp.gate_proj", cfg.intermediateSize(), cfg.hiddenSize(), false),
              l.linear(p + "mlp.up_proj", cfg.intermediateSize(), cfg.hiddenSize(), false),
              l.linear(p + "mlp.down_proj", cfg.hiddenSize(), cfg.intermediateSize(), false));
    }
    float[] norm = l.vector("model.norm.weight", cfg.hiddenSize());
    TensorBackend.Matrix head =
        cfg.tieWordEmbeddings() && !ckpt.names().contains("lm_head.weight")
            ? embed
            : l.matrix("lm_head.weight", cfg.vocabSize(), cfg.hiddenSize());
    return new TransformerWeights(cfg, embed, layers, norm, head);
  }

  /** Reads tensors with shape checks that name the tensor and the checkpoint. */
  private record Loader(ModelConfig cfg, CheckpointWeights ckpt, TensorBackend backend) {
    long[] shape(String name) {
      if (!ckpt.names().contains(name)) {
        throw new UserException(
            "checkpoint "
                + ckpt.dir()
                + " has no tensor "
                + name
                + " (model_type "
                + cfg.family()
                + ")");
      }
      return ckpt.info(name).shape();
    }

    void expect(String name, long[] want) {
      long[] have = shape(name);
      if (!Arrays.equals(have, want)) {
        throw new UserException(
            "checkpoint "
                + ckpt.dir()
                + ": tensor "
                + name
                + " has shape "
                + Arrays.toString(have)
                + " but config.json implies "
                + Arrays.toString(want));
      }
    }

    /** The tensor, or null when only checking (no backend). */
    TensorBackend.Matrix matrix(String name, int rows, int cols) {
      expect(name, new long[] {rows, cols});
      return backend == null
          ? null
          : backend.matrix(name, rows, cols, buf -> ckpt.readFloats(name, buf));
    }

    float[] vector(String name, int n) {
      expect(name, new long[] {n});
      return backend == null ? null : ckpt.readFloats(name);
    }

    /** A projection; its bias is read when the config says so or the checkpoint has one. */
    Linear linear(String prefix, int out, int in, boolean configBias) {
      TensorBackend.Matrix w = matrix(prefix + ".weight", out, in);
      boolean hasBias = ckpt.names().contains(prefix + ".bias");
      if (configBias && !hasBias) {
        throw new UserException(
            "checkpoint "
                + ckpt.dir()
                + " has no tensor "
                + prefix
                + ".bias, which model_type "
                + cfg.family()
                + " with this config needs");
      }
      return new Linear(w, hasBias ? vector(prefix + ".bias", out) : null);
    }
  }

  public ModelConfig config() {
    return config;
  }

  public TensorBackend.Matrix embed() {
    return embed;
  }

  public LayerWeights layer(int i) {
    return layers[i];
  }

  public float[] finalNorm() {
    return finalNorm;
  }

  public TensorBackend.Matrix lmHead() {
    return lmHead;
  }

  /** Bytes of weights held by the backend (the tied head counted once). */
  public long bytes() {
    long b = embed.bytes() + (lmHead == embed ? 0 : lmHead.bytes());
    for (LayerWeights w : layers) {
      for (String m : LayerWeights.MODULES) {
        b += w.linear(m).weight().bytes();
      }
    }
    return b;
  }
}
