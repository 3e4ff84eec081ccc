package org.embench.model;

import java.util.List;
import org.embench.UserException;

/**
 * The architecture of a decoder-only transformer of one of the supported families, as a Hugging
 * Face {@code config.json} describes it, resolved: defaults applied, {@code head_dim} derived, and
 * per-family facts (Qwen2's q/k/v biases, Qwen3's q/k norms) made explicit so the engine never
 * dispatches on {@link #family} for them. {@link #parse} reads a config.json, {@link #toJson}
 * writes one that transformers loads, and {@link #builder} makes one in code.
 *
 * <p>Mistral's {@code sliding_window} is not represented: it changes attention only past the window
 * (4096 tokens for Mistral 7B v0.1), longer than the sequences this benchmark generates.
 *
 * @param ropeScaling null when the config has none or the default type
 * @param attentionBias whether the q, k and v projections have biases
 * @param qkNorm whether q and k are RMS-normalised per head before RoPE (Qwen3)
 * @param torchDtype the dtype the weights were saved in ({@code bfloat16}…); null when not given
 * @param eosTokenIds empty when not given
 */
public record ModelConfig(
    ModelFamily family,
    int hiddenSize,
    int intermediateSize,
    int numLayers,
    int numHeads,
    int numKvHeads,
    int headDim,
    int vocabSize,
    double rmsNormEps,
    double ropeTheta,
    RopeScaling ropeScaling,
    boolean tieWordEmbeddings,
    boolean attentionBias,
    boolean qkNorm,
    int maxPositionEmbeddings,
    String torchDtype,
    Integer bosTokenId,
    List<Integer> eosTokenIds) {

  /**
   * RoPE frequency scaling: {@code linear} divides positions by the factor; {@code llama3} as in
   * Llama 3.1.
   */
  public record RopeScaling(
      String type,
      double factor,
      double lowFreqFactor,
      double highFreqFactor,
      int originalMaxPositionEmbeddings) {
    public static final List<String> TYPES = List.of("llama3", "linear");

    // config.json's values are user errors (ConfigJson adds the file); the type is checked there
    // first, so an unknown one here comes from our own code.
    public RopeScaling {
      if (!TYPES.contains(type)) {
        throw new IllegalArgumentException(
            "unsupported rope_scaling type '" + type + "'; supported: " + String.join(", ", TYPES));
      }
      if (!(factor > 0)) {
        throw new UserException("rope_scaling.factor must be positive, found " + factor);
      }
      // The llama3 rule interpolates between the two wavelength bounds these define.
      if (type.equals("llama3")
          && !(0 < lowFreqFactor
              && lowFreqFactor < highFreqFactor
              && originalMaxPositionEmbeddings > 0)) {
        throw new UserException(
            "llama3 rope_scaling needs 0 < low_freq_factor < "
                + "high_freq_factor and original_max_position_embeddings > 0, found "
                + lowFreqFactor
                + ", "
                + highFreqFactor
                + " and "
                + originalMaxPositionEmbeddings);
      }
    }

    public static RopeScaling linear(double factor) {
      return new RopeScaling("linear", factor, 0, 0, 0);
    }

    public static RopeScaling llama3(
        double factor,
        double lowFreqFactor,
        double highFreqFactor,
        int originalMaxPositionEmbeddings) {
      return new RopeScaling(
          "llama3", factor, lowFreqFactor, highFreqFactor, originalMaxPositionEmbeddings);
    }
  }

  /**
   * Checks what holds for every model; messages use the config.json field names. A bad value read
   * from config.json is a {@link UserException} (ConfigJson adds the file's name). The model type
   * (checked by ConfigJson before) and attentionBias and qkNorm (which ConfigJson derives from it)
   * are set wrongly only by our own code: those stay IllegalArgumentExceptions.
   */
  public ModelConfig {
    java.util.Objects.requireNonNull(family, "family");
    positive("hidden_size", hiddenSize);
    positive("intermediate_size", intermediateSize);
    positive("num_hidden_layers", numLayers);
    positive("num_attention_heads", numHeads);
    positive("num_key_value_heads", numKvHeads);
    positive("head_dim", headDim);
    positive("vocab_size", vocabSize);
    positive("max_position_embeddings", maxPositionEmbeddings);
    if (numHeads % numKvHeads != 0) {
      throw new UserException(
          "num_attention_heads "
              + numHeads
              + " is not a multiple of num_key_value_heads "
              + numKvHeads);
    }
    if (!(rmsNormEps > 0) || !(ropeTheta > 0)) {
      throw new UserException(
          "rms_norm_eps and rope_theta must be positive, found "
              + rmsNormEps
              + " and "
              + ropeTheta);
    }
    if (!family.configurableBias() && attentionBias != family.attentionBias()) {
      throw new IllegalArgumentException(
          family
              + " q/k/v projections "
              + (attentionBias ? "have no biases" : "always have biases")
              + "; attentionBias must be "
              + !attentionBias);
    }
    if (qkNorm != family.qkNorm()) {
      throw new IllegalArgumentException(
          "q/k norms are part of qwen3 and only qwen3; qkNorm must be "
              + !qkNorm
              + " for "
              + family);
    }
    eosTokenIds = eosTokenIds == null ? List.of() : List.copyOf(eosTokenIds);
  }

  private static void positive(String field, int value) {
    if (value <= 0) {
      throw new UserException(field + " must be positive, found " + value);
    }
  }

  /** hidden_size / num_attention_heads: the head size when a config does not give head_dim. */
  static int derivedHeadDim(int hiddenSize, int numHeads) {
    if (numHeads <= 0 || hiddenSize % numHeads != 0) {
      throw new UserException(
          "hidden_size "
              + hiddenSize
              + " is not divisible by num_attention_heads "
              + numHeads
              + " and there is no head_dim");
    }
    return hiddenSize / numHeads;
  }

  /** Parses the text of a config.json; {@code file} names it in errors. */
  public static ModelConfig parse(String json, String file) {
    return ConfigJson.readModel(JsonFields.parse(json, file));
  }

  /** A config.json transformers loads, keys sorted as transformers writes them. */
  public String toJson() {
    return ConfigJson.write(ConfigJson.modelFields(this));
  }

  /**
   * A builder starting from a tiny model of the given family (hidden 64, intermediate 128, 2
   * layers, 4 heads, 2 KV heads, vocabulary 256), so tests and tools set only what they vary.
   */
  public static Builder builder(String modelType) {
    return new Builder(ModelFamily.of(modelType));
  }

  public static Builder builder(ModelFamily family) {
    return new Builder(family);
  }

  public Builder toBuilder() {
    return new Builder(this);
  }

  /** Builds a {@link ModelConfig} field by field; {@code headDim} left unset is derived. */
  public static final class Builder {
    private final ModelFamily family;
    private int hiddenSize = 64;
    private int intermediateSize = 128;
    private int numLayers = 2;
    private int numHeads = 4;
    private int numKvHeads = 2;
    private Integer headDim;
    private int vocabSize = 256;
    private double rmsNormEps = 1e-6;
    private double ropeTheta = 10_000;
    private RopeScaling ropeScaling;
    private boolean tieWordEmbeddings;
    private boolean attentionBias;
    private int maxPositionEmbeddings = 2048;
    private String torchDtype = "float32";
    private Integer bosTokenId;
    private List<Integer> eosTokenIds = List.of();

    private Builder(ModelFamily family) {
      this.family = family;
      this.attentionBias = family.attentionBias();
    }

    private Builder(ModelConfig c) {
      this(c.family);
      hiddenSize = c.hiddenSize;
      intermediateSize = c.intermediateSize;
      numLayers = c.numLayers;
      numHeads = c.numHeads;
      numKvHeads = c.numKvHeads;
      headDim = c.headDim;
      vocabSize = c.vocabSize;
      rmsNormEps = c.rmsNormEps;
      ropeTheta = c.ropeTheta;
      ropeScaling = c.ropeScaling;
      tieWordEmbeddings = c.tieWordEmbeddings;
      attentionBias = c.attentionBias;
      maxPositionEmbeddings = c.maxPositionEmbeddings;
      torchDtype = c.torchDtype;
      bosTokenId = c.bosTokenId;
      eosTokenIds = c.eosTokenIds;
    }

    public Builder hiddenSize(int v) {
      hiddenSize = v;
      return this;
    }

    public Builder intermediateSize(int v) {
      intermediateSize = v;
      return this;
    }

    public Builder numLayers(int v) {
      numLayers = v;
      return this;
    }

    public Builder numHeads(int v) {
      numHeads = v;
      return this;
    }

    public Builder numKvHeads(int v) {
      numKvHeads = v;
      return this;
    }

    public Builder headDim(int v) {
      headDim = v;
      return this;
    }

    public Builder vocabSize(int v) {
      vocabSize = v;
      return this;
    }

    public Builder rmsNormEps(double v) {
      rmsNormEps = v;
      return this;
    }

    public Builder ropeTheta(double v) {
      ropeTheta = v;
      return this;
    }

    public Builder ropeScaling(RopeScaling v) {
      ropeScaling = v;
      return this;
    }

    public Builder tieWordEmbeddings(boolean v) {
      tieWordEmbeddings = v;
      return this;
    }

    public Builder attentionBias(boolean v) {
      attentionBias = v;
      return this;
    }

    public Builder maxPositionEmbeddings(int v) {
      maxPositionEmbeddings = v;
      return this;
    }

    public Builder torchDtype(String v) {
      torchDtype = v;
      return this;
    }

    public Builder bosTokenId(Integer v) {
      bosTokenId = v;
      return this;
    }

    public Builder eosTokenIds(List<Integer> v) {
      eosTokenIds = v;
      return this;
    }

    public ModelConfig build() {
      return new ModelConfig(
          family,
          hiddenSize,
          intermediateSize,
          numLayers,
          numHeads,
          numKvHeads,
          headDim != null ? headDim : derivedHeadDim(hiddenSize, numHeads),
          vocabSize,
          rmsNormEps,
          ropeTheta,
          ropeScaling,
          tieWordEmbeddings,
          attentionBias,
          family.qkNorm(),
          maxPositionEmbeddings,
          torchDtype,
          bosTokenId,
          eosTokenIds);
    }
  }
}
