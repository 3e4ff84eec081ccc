package org.embench.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.embench.model.Engine;
import org.embench.model.ModelConfig;
import org.embench.model.TinyCheckpoints;
import org.embench.model.TransformerWeights;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Training computes no backward pass below the lowest adapted layer (nor, in that layer, below its
 * lowest adapted module), and the KL / feature reference reuses the training pass's activations
 * below it. Both must give the gradients and loss terms of the complete computation, which {@link
 * GradientCheckTest} checks against finite differences.
 */
class PartialBackwardTest {
  @TempDir static Path dir;

  static Engine engine;
  static TransformerWeights weights;
  static ModelConfig cfg;

  @BeforeAll
  static void load() {
    engine = new Engine(2);
    cfg =
        ModelConfig.builder("qwen3")
            .hiddenSize(16)
            .intermediateSize(24)
            .numLayers(4)
            .numHeads(4)
            .numKvHeads(2)
            .headDim(6)
            .vocabSize(40)
            .build();
    weights =
        TinyCheckpoints.load(
            TinyCheckpoints.write(
                dir.resolve("m"), cfg, TinyCheckpoints.tensors(cfg, 17, true, false)),
            engine.backend());
  }

  static Stream<Arguments> adapters() {
    return Stream.of(
        Arguments.of(List.of("2.down_proj")),
        Arguments.of(List.of("2.up_proj")),
        Arguments.of(List.of("1.o_proj", "3.q_proj")),
        Arguments.of(List.of("3.k_proj")),
        Arguments.of(List.of("1.down_proj", "2.v_proj", "2.gate_proj")),
        Arguments.of(List.of("0.down_proj", "3.o_proj")));
  }

  /** LoRA pairs with non-zero values on {@code keys}, seeded so two calls give the same values. */
  private static Map<String, TrainableLinear> params(List<String> keys) {
    SplittableRandom rng = new SplittableRandom(3);
    Map<String, TrainableLinear> p = new LinkedHashMap<>();
    for (String key : keys) {
      int l = Integer.parseInt(key.substring(0, 1));
      var lin = weights.layer(l).linear(key.substring(2));
      TrainableLinear t = TrainableLinear.lora(lin.in(), lin.out(), 2, 0.8f, 0, rng);
      for (float[] v : t.values) {
        for (int i = 0; i < v.length; i++) {
          v[i] = (float) (rng.nextGaussian() * 0.3);
        }
      }
      p.put(key, t);
    }
    return p;
  }

  private static Backprop.Batch batch() {
    List<TokenizedExample> examples = List.of(example(9, 4), example(6, 2));
    return TokenizedExample.pack(examples);
  }

  private static TokenizedExample example(int len, int prompt) {
    int[] ids = new int[len];
    boolean[] learned = new boolean[len];
    for (int i = 0; i < len; i++) {
      ids[i] = (i * 11 + len) % cfg.vocabSize();
      learned[i] = i >= prompt;
    }
    return new TokenizedExample(ids, learned);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("adapters")
  void skippedLayersChangeNoGradient(List<String> keys) {
    Map<String, TrainableLinear> partial = params(keys);
    Map<String, TrainableLinear> complete = params(keys);
    Backprop skipping =
        new Backprop(weights, engine.backend(), engine.parallel(), partial, Map.of(), false);
    Backprop full =
        new Backprop(weights, engine.backend(), engine.parallel(), complete, Map.of(), true);
    int lowest =
        keys.stream().mapToInt(k -> Integer.parseInt(k.substring(0, 1))).min().orElseThrow();
    assertThat(skipping.firstTrainedLayer()).isEqualTo(lowest);
    assertThat(full.firstTrainedLayer()).isZero();
    Backprop.Batch b = batch();
    Backprop.Loss loss = Backprop.Loss.crossEntropy(b.lossRows());
    Backprop.Sums a = skipping.step(b, loss, Backprop.Hooks.NONE, new SplittableRandom(1));
    Backprop.Sums c = full.step(b, loss, Backprop.Hooks.NONE, new SplittableRandom(1));
    assertThat(a.crossEntropy()).isEqualTo(c.crossEntropy());
    for (String k : keys) {
      for (int t = 0; t < 2; t++) {
        float[] got = partial.get(k).grads[t];
        float[] want = complete.get(k).grads[t];
        assertThat(norm(want)).as(k).isGreaterThan(1e-4);
        // The same operations on the same values in the same order: equal to the last bit.
        assertThat(got).as(k + " grads[" + t + "]").containsExactly(want);
      }
    }
  }

  @Test
  void fullFineTuningsTrainedNormsMoveTheFirstBackwardLayer() {
    // Full fine-tuning of down_proj and the norms of layers 2 and 3: the backward pass must reach
    // layer 2's input (its input norm), though its lowest projection needs only the output.
    TrainConfig tc =
        TrainConfig.fromMap(
            Map.of(
                "full",
                true,
                "full_train",
                List.of("norms"),
                "layers",
                List.of(2, 3),
                "target_modules",
                List.of("down_proj"),
                "max_seq_len",
                32),
            "test");
    Map<String, TrainableLinear> p1 = Trainer.initialParams(cfg, tc, 1);
    Map<String, TrainableLinear> p2 = Trainer.initialParams(cfg, tc, 1);
    Map<String, TrainableLinear> parts1 = FullParts.initial(weights, tc);
    Map<String, TrainableLinear> parts2 = FullParts.initial(weights, tc);
    Backprop skipping =
        new Backprop(weights, engine.backend(), engine.parallel(), p1, parts1, false);
    assertThat(skipping.firstTrainedLayer()).isEqualTo(2);
    Backprop.Batch b = batch();
    Backprop.Loss loss = Backprop.Loss.crossEntropy(b.lossRows());
    skipping.step(b, loss, Backprop.Hooks.NONE, new SplittableRandom(1));
    new Backprop(weights, engine.backend(), engine.parallel(), p2, parts2, true)
        .step(b, loss, Backprop.Hooks.NONE, new SplittableRandom(1));
    assertThat(parts1).isNotEmpty();
    for (String k : parts1.keySet()) {
      assertThat(norm(parts2.get(k).grads[0])).as(k).isGreaterThan(1e-6);
      assertThat(parts1.get(k).grads[0]).as(k).containsExactly(parts2.get(k).grads[0]);
    }
    for (String k : p1.keySet()) {
      assertThat(p1.get(k).grads[0]).as(k).containsExactly(p2.get(k).grads[0]);
    }
  }

  @Test
  void referenceFromSharedActivationsEqualsASeparatePass() {
    List<String> keys = List.of("2.down_proj", "3.q_proj");
    int[] featureLayers = {0, 2, 3};
    Backprop.Batch b = batch();
    TrainConfig tc = TrainConfig.fromMap(Map.of("rank", 2, "alpha", 2, "max_seq_len", 32), "test");
    // The separate pass: the frozen model through the inference engine, as with hooks.
    Trainer trainer =
        new Trainer(
            weights,
            engine,
            new Trainer.Setup(
                tc, 1, Backprop.Hooks.NONE, ReferenceTerms.NONE, null, new Configuration(), null));
    Trainer.Reference ref = trainer.reference(b, true, featureLayers);
    Backprop.Loss given =
        new Backprop.Loss(
            1, 0.7, ref.logprobs(), 2.0, featureLayers, ref.features(), b.lossRows(), b.rows() * 3);
    Backprop.Loss inside =
        new Backprop.Loss(1, 0.7, null, 2.0, featureLayers, null, b.lossRows(), b.rows() * 3);
    Map<String, TrainableLinear> p1 = params(keys);
    Map<String, TrainableLinear> p2 = params(keys);
    Backprop.Sums s1 =
        new Backprop(weights, engine.backend(), engine.parallel(), p1, Map.of(), true)
            .step(b, given, Backprop.Hooks.NONE, new SplittableRandom(1));
    Backprop.Sums s2 =
        new Backprop(weights, engine.backend(), engine.parallel(), p2, Map.of(), false)
            .step(b, inside, Backprop.Hooks.NONE, new SplittableRandom(1));
    assertThat(s2.kl())
        .isGreaterThan(1e-3)
        .isCloseTo(s1.kl(), org.assertj.core.data.Percentage.withPercentage(0.1));
    assertThat(s2.feature())
        .isGreaterThan(1e-3)
        .isCloseTo(s1.feature(), org.assertj.core.data.Percentage.withPercentage(0.1));
    for (String k : keys) {
      for (int t = 0; t < 2; t++) {
        float[] a = p1.get(k).grads[t];
        float[] c = p2.get(k).grads[t];
        float[] diff = new float[a.length];
        for (int i = 0; i < a.length; i++) {
          diff[i] = a[i] - c[i];
        }
        assertThat(norm(diff)).as(k).isLessThan(1e-4 * norm(a));
      }
    }
  }

  @Test
  void untrainedAdapterHasNoKlToTheSharedReference() {
    // With B = 0 the adapted model is the reference: computed by the same code, the term is 0 up
    // to the float rounding of the stored log-probabilities.
    Map<String, TrainableLinear> p = new LinkedHashMap<>();
    var lin = weights.layer(1).linear("down_proj");
    p.put(
        "1.down_proj",
        TrainableLinear.lora(lin.in(), lin.out(), 2, 1f, 0, new SplittableRandom(4)));
    Backprop.Batch b = batch();
    Backprop.Sums s =
        new Backprop(weights, engine.backend(), engine.parallel(), p, Map.of(), false)
            .step(
                b,
                new Backprop.Loss(1, 1.0, null, 0, new int[0], null, b.lossRows(), 1),
                Backprop.Hooks.NONE,
                new SplittableRandom(1));
    assertThat(Math.abs(s.kl())).isLessThan(1e-6);
    assertThat(s.crossEntropy()).isGreaterThan(0);
  }

  private static double norm(float[] v) {
    double s = 0;
    for (float x : v) {
      s += (double) x * x;
    }
    return Math.sqrt(s);
  }
}
