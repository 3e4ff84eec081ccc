package org.embench.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.hadoop.conf.Configuration;
import org.embench.UserException;
import org.embench.data.SyntheticData;
import org.embench.model.io.CheckpointWriter;
import org.embench.model.text.ByteLevelBpeBuilder;
import org.embench.model.text.Tokenizer;

/**
 * {@code make-tiny-model}: a tiny random checkpoint of a supported architecture with a small
 * byte-level BPE tokenizer the project trains itself and a ChatML chat template. Its answers are
 * noise; it exists so the quickstart and the tests run every code path without downloading a model.
 */
public final class TinyModel {
  public static final int VOCAB_SIZE = 512;

  /** Text the tokenizer learns its merges from: the project's own questions, data and prose. */
  static final List<String> PROSE =
      List.of(
          "The quick brown fox jumps over the lazy dog.",
          "A benchmark compares methods on equal terms and reports how certain each figure is.",
          "Fine-tuning a model on a narrow task can change how it answers unrelated questions.",
          "Please answer the question as helpfully and honestly as you can.",
          "I would like to learn how to cook a simple dinner for my family.",
          "The weather today is sunny with a light breeze in the afternoon.",
          "Write a short function that adds two numbers and returns the result.",
          "def add(a, b):\n    return a + b\n",
          "Thank you for your help! Is there anything else I can do for you?",
          "Assistants should be safe, honest and useful to the people they talk to.");

  private TinyModel() {}

  /** The configuration of the tiny model of an architecture, for a vocabulary of {@code vocab}. */
  public static ModelConfig config(String arch, int vocab, int eosId) {
    ModelConfig.Builder b =
        ModelConfig.builder(arch)
            .hiddenSize(64)
            .intermediateSize(128)
            .numLayers(2)
            .numHeads(4)
            .numKvHeads(2)
            .vocabSize(vocab)
            .maxPositionEmbeddings(4096)
            .tieWordEmbeddings(false)
            .eosTokenIds(List.of(eosId));
    if (arch.equals("qwen3")) {
      b.headDim(16);
    }
    return b.build();
  }

  /** Writes the tokenizer, config and random weights (seeded) into {@code dir}. */
  public static void write(String dir, String arch, long seed, Configuration conf) {
    if (!ModelFamily.names().contains(arch)) {
      throw new UserException(
          "unknown --arch '" + arch + "'; known: " + String.join(", ", ModelFamily.names()));
    }
    int[] vocabAndEos = writeTokenizer(dir, conf);
    writeWeights(dir, config(arch, vocabAndEos[0], vocabAndEos[1]), seed, conf);
  }

  /**
   * A random checkpoint of a real model's shape (for example Qwen2.5-0.5B's) with the tiny model's
   * tokenizer, for benchmarks at real sizes: its vocabulary covers the tokenizer's ids and more, as
   * real checkpoints' padded vocabularies do.
   */
  public static void writeShaped(
      String dir, ModelConfig.Builder shape, long seed, Configuration conf) {
    int[] vocabAndEos = writeTokenizer(dir, conf);
    ModelConfig cfg = shape.eosTokenIds(List.of(vocabAndEos[1])).build();
    if (cfg.vocabSize() < vocabAndEos[0]) {
      throw new IllegalArgumentException(
          "vocabulary " + cfg.vocabSize() + " is smaller than the tokenizer's " + vocabAndEos[0]);
    }
    writeWeights(dir, cfg, seed, conf);
  }

  /**
   * Trains and writes the byte-level BPE tokenizer; returns its vocabulary size and end-of-turn id.
   */
  private static int[] writeTokenizer(String dir, Configuration conf) {
    List<String> corpus = new ArrayList<>(PROSE);
    SyntheticData.DEMO_QUESTIONS.forEach(q -> corpus.add(q[1]));
    corpus.addAll(SyntheticData.arithmeticJsonl(60).lines().toList());
    ByteLevelBpeBuilder bpe = ByteLevelBpeBuilder.train(corpus, VOCAB_SIZE);
    bpe.writeTo(dir, conf);
    try (Tokenizer tok = Tokenizer.load(dir, conf)) {
      return new int[] {bpe.vocabSize(), tok.tokenId(ByteLevelBpeBuilder.IM_END).orElseThrow()};
    }
  }

  private static void writeWeights(String dir, ModelConfig cfg, long seed, Configuration conf) {
    CheckpointWriter w =
        new CheckpointWriter(dir, conf, cfg)
            .generationConfig(
                new GenerationConfig(null, cfg.eosTokenIds(), null, null, null, null));
    SplittableRandom rng = new SplittableRandom(seed);
    randomWeights(cfg, rng).forEach((name, t) -> w.add(name, t.shape(), t.data()));
    w.write();
  }

  record Tensor(long[] shape, float[] data) {}

  /**
   * Normal(0, 0.02) layer matrices as transformers initialises them, norms at 1, biases at 0; the
   * embeddings and the (untied) output head at Normal(0, 0.3), so that at hidden size 64 the logits
   * can separate tokens and a LoRA on the layers can learn a task. A tied head would make every
   * token predict itself, since the near-identity layers keep each row close to its embedding.
   */
  static Map<String, Tensor> randomWeights(ModelConfig c, SplittableRandom rng) {
    Map<String, Tensor> t = new java.util.LinkedHashMap<>();
    int h = c.hiddenSize();
    int q = c.numHeads() * c.headDim();
    int kv = c.numKvHeads() * c.headDim();
    int inter = c.intermediateSize();
    t.put("model.embed_tokens.weight", normal(rng, c.vocabSize(), h, 0.3));
    for (int l = 0; l < c.numLayers(); l++) {
      String p = "model.layers." + l + ".";
      t.put(p + "input_layernorm.weight", ones(h));
      t.put(p + "self_attn.q_proj.weight", normal(rng, q, h, 0.02));
      t.put(p + "self_attn.k_proj.weight", normal(rng, kv, h, 0.02));
      t.put(p + "self_attn.v_proj.weight", normal(rng, kv, h, 0.02));
      t.put(p + "self_attn.o_proj.weight", normal(rng, h, q, 0.02));
      if (c.attentionBias()) {
        t.put(p + "self_attn.q_proj.bias", zeros(q));
        t.put(p + "self_attn.k_proj.bias", zeros(kv));
        t.put(p + "self_attn.v_proj.bias", zeros(kv));
      }
      if (c.qkNorm()) {
        t.put(p + "self_attn.q_norm.weight", ones(c.headDim()));
        t.put(p + "self_attn.k_norm.weight", ones(c.headDim()));
      }
      t.put(p + "post_attention_layernorm.weight", ones(h));
      t.put(p + "mlp.gate_proj.weight", normal(rng, inter, h, 0.02));
      t.put(p + "mlp.up_proj.weight", normal(rng, inter, h, 0.02));
      t.put(p + "mlp.down_proj.weight", normal(rng, h, inter, 0.02));
    }
    t.put("model.norm.weight", ones(h));
    if (!c.tieWordEmbeddings()) {
      t.put("lm_head.weight", normal(rng, c.vocabSize(), h, 0.3));
    }
    return t;
  }

  private static Tensor normal(SplittableRandom rng, int rows, int cols, double std) {
    float[] a = new float[rows * cols];
    for (int i = 0; i < a.length; i++) {
      a[i] = (float) (std * rng.nextGaussian());
    }
    return new Tensor(new long[] {rows, cols}, a);
  }

  private static Tensor ones(int n) {
    float[] a = new float[n];
    java.util.Arrays.fill(a, 1f);
    return new Tensor(new long[] {n}, a);
  }

  private static Tensor zeros(int n) {
    return new Tensor(new long[] {n}, new float[n]);
  }
}
