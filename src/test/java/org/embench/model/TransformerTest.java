package org.embench.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.embench.UserException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The engine's logits against the double-precision reference on tiny random checkpoints of every
 * supported architecture, at several sequence lengths, with and without the KV cache, alone and in
 * ragged batches.
 */
class TransformerTest {
  private static final double TOLERANCE = 1e-4;
  private static Nd4jBackend backend;
  private static Parallel parallel;

  @TempDir static Path dir;

  @BeforeAll
  static void start() {
    backend = new Nd4jBackend(2);
    parallel = new Parallel(2);
  }

  @AfterAll
  static void stop() {
    backend.close();
    parallel.shutdown();
  }

  /** The architectures and their distinguishing features. */
  static Stream<Arguments> architectures() {
    return Stream.of(
        Arguments.of(
            "qwen2", ModelConfig.builder("qwen2").tieWordEmbeddings(true).build(), false, false),
        Arguments.of(
            "qwen2-untied",
            ModelConfig.builder("qwen2").tieWordEmbeddings(false).build(),
            true,
            false),
        Arguments.of(
            "llama3",
            ModelConfig.builder("llama")
                .tieWordEmbeddings(false)
                .ropeScaling(ModelConfig.RopeScaling.llama3(8, 1, 4, 64))
                .ropeTheta(500000)
                .build(),
            true,
            false),
        Arguments.of(
            "llama-bias",
            ModelConfig.builder("llama").tieWordEmbeddings(true).attentionBias(true).build(),
            false,
            false),
        Arguments.of(
            "mistral",
            ModelConfig.builder("mistral").tieWordEmbeddings(false).numKvHeads(1).build(),
            true,
            false),
        Arguments.of(
            "qwen3",
            ModelConfig.builder("qwen3").tieWordEmbeddings(true).headDim(24).build(),
            false,
            false));
  }

  private static int[] tokens(int n, int vocab, int seed) {
    int[] t = new int[n];
    for (int i = 0; i < n; i++) {
      t[i] = Math.floorMod(seed * 31 + i * 17 + i * i * 7, vocab);
    }
    return t;
  }

  private static void assertClose(float[] engine, int offset, double[] reference, String what) {
    for (int i = 0; i < reference.length; i++) {
      double diff = Math.abs(engine[offset + i] - reference[i]);
      if (diff > TOLERANCE) {
        throw new AssertionError(
            what + ": logit " + i + " is " + engine[offset + i] + ", reference " + reference[i]);
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("architectures")
  void logitsMatchTheReferenceWithAndWithoutTheCache(
      String name, ModelConfig cfg, boolean untied, boolean unused) {
    Map<String, float[]> tensors = TinyCheckpoints.tensors(cfg, name.hashCode(), untied, false);
    String ckpt = TinyCheckpoints.write(dir.resolve(name), cfg, tensors);
    TransformerWeights weights = TinyCheckpoints.load(ckpt, backend);
    ReferenceTransformer ref = new ReferenceTransformer(cfg, tensors);
    Transformer model = new Transformer(weights, backend, parallel, Map.of());
    int vocab = cfg.vocabSize();
    for (int len : new int[] {1, 2, 7, 19}) {
      int[] seq = tokens(len, vocab, len);
      double[][] expected = ref.logits(seq);

      // Whole sequence in one pass, logits of every position (batched GEMM path).
      int[] all = new int[len];
      for (int i = 0; i < len; i++) {
        all[i] = i;
      }
      float[] logits =
          model.forward(List.of(new Transformer.Chunk(0, seq)), new KvCache(cfg, 1), all);
      for (int p = 0; p < len; p++) {
        assertClose(
            logits, p * vocab, expected[p], name + " len " + len + " pos " + p + " (one pass)");
      }

      // Token by token through the KV cache (the one-row path).
      KvCache cache = new KvCache(cfg, 1);
      for (int p = 0; p < len; p++) {
        float[] step =
            model.forward(List.of(new Transformer.Chunk(0, new int[] {seq[p]})), cache, null);
        assertClose(step, 0, expected[p], name + " len " + len + " pos " + p + " (cached)");
      }
      assertThat(cache.length(0)).isEqualTo(len);

      // A prefix prefilled, then the rest in one chunk.
      if (len > 2) {
        KvCache split = new KvCache(cfg, 1);
        model.forward(
            List.of(new Transformer.Chunk(0, java.util.Arrays.copyOf(seq, len / 2))), split, null);
        float[] rest =
            model.forward(
                List.of(new Transformer.Chunk(0, java.util.Arrays.copyOfRange(seq, len / 2, len))),
                split,
                null);
        assertClose(rest, 0, expected[len - 1], name + " len " + len + " (prefix then rest)");
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("architectures")
  void aRaggedBatchGivesEachSequenceItsOwnLogits(
      String name, ModelConfig cfg, boolean untied, boolean unused) {
    Map<String, float[]> tensors = TinyCheckpoints.tensors(cfg, name.hashCode() + 1, untied, false);
    TransformerWeights weights =
        TinyCheckpoints.load(
            TinyCheckpoints.write(dir.resolve(name + "-batch"), cfg, tensors), backend);
    ReferenceTransformer ref = new ReferenceTransformer(cfg, tensors);
    Transformer model = new Transformer(weights, backend, parallel, Map.of());
    int[][] prompts = {
      tokens(5, cfg.vocabSize(), 1), tokens(1, cfg.vocabSize(), 2), tokens(12, cfg.vocabSize(), 3)
    };
    KvCache cache = new KvCache(cfg, 3);
    List<Transformer.Chunk> chunks = new ArrayList<>();
    for (int s = 0; s < prompts.length; s++) {
      chunks.add(new Transformer.Chunk(s, prompts[s]));
    }
    float[] logits = model.forward(chunks, cache, null);
    for (int s = 0; s < prompts.length; s++) {
      double[][] expected = ref.logits(prompts[s]);
      assertClose(
          logits, s * cfg.vocabSize(), expected[expected.length - 1], name + " sequence " + s);
    }
    // Then one decode step for two of them, mixed with a new prefill in slot 1.
    cache.reset(1);
    int[] fresh = tokens(4, cfg.vocabSize(), 9);
    float[] step =
        model.forward(
            List.of(
                new Transformer.Chunk(0, new int[] {7}),
                new Transformer.Chunk(1, fresh),
                new Transformer.Chunk(2, new int[] {3})),
            cache,
            null);
    int[] seq0 = append(prompts[0], 7);
    int[] seq2 = append(prompts[2], 3);
    double[][] e0 = ref.logits(seq0);
    double[][] e1 = ref.logits(fresh);
    double[][] e2 = ref.logits(seq2);
    assertClose(step, 0, e0[e0.length - 1], name + " decode 0");
    assertClose(step, cfg.vocabSize(), e1[e1.length - 1], name + " prefill 1");
    assertClose(step, 2 * cfg.vocabSize(), e2[e2.length - 1], name + " decode 2");
  }

  private static int[] append(int[] a, int t) {
    int[] out = java.util.Arrays.copyOf(a, a.length + 1);
    out[a.length] = t;
    return out;
  }

  @Test
  void loraUpdateEqualsAMergedWeight() {
    ModelConfig cfg = ModelConfig.builder("qwen2").tieWordEmbeddings(true).build();
    Map<String, float[]> tensors = TinyCheckpoints.tensors(cfg, 5, false, false);
    int r = 2;
    float[] a = new float[r * cfg.hiddenSize()];
    float[] b = new float[cfg.hiddenSize() * r];
    java.util.SplittableRandom rng = new java.util.SplittableRandom(3);
    for (int i = 0; i < a.length; i++) {
      a[i] = (float) rng.nextGaussian();
    }
    for (int i = 0; i < b.length; i++) {
      b[i] = (float) rng.nextGaussian();
    }
    float scale = 0.5f;
    // Merged weight W + scale · B·A for layer 1's o_proj, in the reference.
    String key = "model.layers.1.self_attn.o_proj.weight";
    float[] merged = tensors.get(key).clone();
    int in = cfg.numHeads() * cfg.headDim();
    for (int o = 0; o < cfg.hiddenSize(); o++) {
      for (int i = 0; i < in; i++) {
        double s = 0;
        for (int k = 0; k < r; k++) {
          s += b[o * r + k] * a[k * in + i];
        }
        merged[o * in + i] += (float) (scale * s);
      }
    }
    Map<String, float[]> mergedTensors = new java.util.LinkedHashMap<>(tensors);
    mergedTensors.put(key, merged);
    TransformerWeights weights =
        TinyCheckpoints.load(TinyCheckpoints.write(dir.resolve("lora"), cfg, tensors), backend);
    Lora lora =
        new Lora(
            backend.matrix("a", r, in, buf -> buf.put(a)),
            backend.matrix("b", cfg.hiddenSize(), r, buf -> buf.put(b)),
            scale);
    Transformer model = new Transformer(weights, backend, parallel, Map.of("1.o_proj", lora));
    int[] seq = tokens(6, cfg.vocabSize(), 4);
    double[][] expected = new ReferenceTransformer(cfg, mergedTensors).logits(seq);
    float[] logits =
        model.forward(List.of(new Transformer.Chunk(0, seq)), new KvCache(cfg, 1), null);
    assertClose(logits, 0, expected[seq.length - 1], "lora");
  }

  @Test
  void aHookSeesAndChangesTheResidualStream() {
    ModelConfig cfg = ModelConfig.builder("llama").build();
    Map<String, float[]> tensors = TinyCheckpoints.tensors(cfg, 6, true, false);
    TransformerWeights weights =
        TinyCheckpoints.load(TinyCheckpoints.write(dir.resolve("hook"), cfg, tensors), backend);
    Transformer model = new Transformer(weights, backend, parallel, Map.of());
    int[] seq = tokens(3, cfg.vocabSize(), 8);
    float[] before =
        model.forward(List.of(new Transformer.Chunk(0, seq)), new KvCache(cfg, 1), null);
    List<Integer> seen = new ArrayList<>();
    model.setHooks(
        new ForwardHooks() {
          @Override
          public void afterLayer(int layer, float[] hidden, int rows, int hiddenSize) {
            seen.add(layer);
            assertThat(rows).isEqualTo(3);
            if (layer == 0) {
              for (int i = 0; i < rows * hiddenSize; i++) {
                hidden[i] += 1f;
              }
            }
          }
        });
    float[] after =
        model.forward(List.of(new Transformer.Chunk(0, seq)), new KvCache(cfg, 1), null);
    assertThat(seen).containsExactly(0, 1);
    assertThat(after).isNotEqualTo(before);
  }

  @Test
  void aCheckpointThatDoesNotFitTheConfigSaysWhichTensor() {
    ModelConfig cfg = ModelConfig.builder("qwen2").tieWordEmbeddings(true).build();
    Map<String, float[]> tensors = TinyCheckpoints.tensors(cfg, 7, false, false);
    tensors.remove("model.layers.1.self_attn.k_proj.bias");
    String ckpt = TinyCheckpoints.write(dir.resolve("missing-bias"), cfg, tensors);
    assertThatThrownBy(() -> TinyCheckpoints.load(ckpt, backend))
        .isInstanceOf(UserException.class)
        .hasMessage(
            "checkpoint "
                + ckpt
                + " has no tensor model.layers.1.self_attn.k_proj.bias, which model_type qwen2 "
                + "with this config needs");
  }
}
