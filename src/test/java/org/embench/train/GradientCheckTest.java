package org.embench.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.embench.model.LayerWeights;
import org.embench.model.ModelConfig;
import org.embench.model.Nd4jBackend;
import org.embench.model.Parallel;
import org.embench.model.TinyCheckpoints;
import org.embench.model.TransformerWeights;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every gradient of the hand-written backward pass against central finite differences of the loss,
 * on tiny models of each architecture, for LoRA and full fine-tuning, with each loss term and hook.
 */
class GradientCheckTest {
  @TempDir static Path dir;

  static Nd4jBackend backend;
  static Parallel parallel;

  @BeforeAll
  static void start() {
    backend = new Nd4jBackend(2);
    parallel = new Parallel(2);
  }

  @AfterAll
  static void stop() {
    parallel.shutdown();
  }

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of("qwen2 lora", "qwen2", false, "ce"),
        Arguments.of("llama lora dropout", "llama", false, "dropout"),
        Arguments.of("qwen3 lora", "qwen3", false, "ce"),
        Arguments.of("qwen2 full", "qwen2", true, "ce"),
        Arguments.of("qwen2 full+parts (tied)", "qwen2", true, "parts"),
        Arguments.of("llama full+parts", "llama", true, "parts"),
        Arguments.of("qwen3 full+parts (q/k norms)", "qwen3", true, "parts"),
        Arguments.of("llama kl", "llama", false, "kl"),
        Arguments.of("qwen2 grpo clipped + kl", "qwen2", false, "grpo"),
        Arguments.of("qwen3 grpo full", "qwen3", true, "grpo"),
        Arguments.of("qwen2 features", "qwen2", false, "features"),
        Arguments.of("llama steer+project", "llama", false, "hooks"));
  }

  private static ModelConfig config(String arch) {
    ModelConfig.Builder b =
        ModelConfig.builder(arch)
            .hiddenSize(16)
            .intermediateSize(24)
            .numLayers(2)
            .numHeads(4)
            .numKvHeads(2)
            .vocabSize(40)
            .tieWordEmbeddings(arch.equals("qwen2"));
    if (arch.equals("qwen3")) {
      b.headDim(6);
    }
    return b.build();
  }

  private static Backprop.Batch batch(int vocab) {
    // Two sequences of different lengths, loss on the second half of each.
    int[] lens = {7, 4};
    int rows = 11;
    int[] tokens = new int[rows];
    int[] positions = new int[rows];
    boolean[] loss = new boolean[rows];
    int[] targets = new int[rows];
    int r = 0;
    for (int s = 0; s < lens.length; s++) {
      for (int i = 0; i < lens[s]; i++, r++) {
        tokens[r] = (r * 7 + 3) % vocab;
        positions[r] = i;
        loss[r] = i >= lens[s] / 2 && i < lens[s] - 1;
        targets[r] = ((r + 1) * 7 + 3) % vocab;
      }
    }
    return new Backprop.Batch(tokens, new int[] {0, 7, 11}, positions, loss, targets);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void gradientsMatchFiniteDifferences(String name, String arch, boolean full, String extra) {
    ModelConfig cfg = config(arch);
    Map<String, float[]> tensors =
        TinyCheckpoints.tensors(cfg, name.hashCode(), !cfg.tieWordEmbeddings(), false);
    TransformerWeights weights =
        TinyCheckpoints.load(
            TinyCheckpoints.write(dir.resolve(name.replace(' ', '_')), cfg, tensors), backend);
    SplittableRandom rng = new SplittableRandom(5);
    Map<String, TrainableLinear> params = new LinkedHashMap<>();
    for (int l = 0; l < cfg.numLayers(); l++) {
      for (String m : LayerWeights.MODULES) {
        int in = weights.layer(l).linear(m).in();
        int out = weights.layer(l).linear(m).out();
        TrainableLinear p =
            full
                ? TrainableLinear.full(in, out)
                : TrainableLinear.lora(in, out, 3, 0.7f, extra.equals("dropout") ? 0.3 : 0, rng);
        // Non-zero values everywhere, so every gradient path is exercised.
        for (float[] v : p.values) {
          for (int i = 0; i < v.length; i++) {
            v[i] = (float) (rng.nextGaussian() * 0.3);
          }
        }
        params.put(l + "." + m, p);
      }
    }
    // Full fine-tuning's embeddings, norms and head, non-zero too.
    Map<String, TrainableLinear> parts =
        !extra.equals("parts")
            ? Map.of()
            : FullParts.initial(
                weights,
                TrainConfig.fromMap(
                    Map.of("full", true, "full_train", List.of("embeddings", "norms", "head")),
                    "test"));
    for (TrainableLinear p : parts.values()) {
      for (int i = 0; i < p.values[0].length; i++) {
        p.values[0][i] = (float) (rng.nextGaussian() * 0.2);
      }
    }
    Backprop bp = new Backprop(weights, backend, parallel, params, parts);
    Backprop.Batch batch = batch(cfg.vocabSize());
    int lossRows = batch.lossRows();
    Backprop.Loss loss = Backprop.Loss.crossEntropy(lossRows);
    Backprop.Hooks hooks = Backprop.Hooks.NONE;
    if (extra.equals("kl") || extra.equals("grpo")) {
      float[] ref = new float[lossRows * cfg.vocabSize()];
      for (int i = 0; i < lossRows; i++) {
        double z = 0;
        double[] raw = new double[cfg.vocabSize()];
        for (int v = 0; v < raw.length; v++) {
          raw[v] = rng.nextGaussian();
          z += Math.exp(raw[v]);
        }
        for (int v = 0; v < raw.length; v++) {
          ref[i * cfg.vocabSize() + v] = (float) (raw[v] - Math.log(z));
        }
      }
      loss = new Backprop.Loss(0.5, 2.0, ref, 0, new int[0], null, lossRows, 1);
      if (extra.equals("grpo")) {
        // No cross-entropy, β·KL and the clipped policy term at temperature 0.8. The sampling
        // log-probabilities are the current ones shifted by ±0.05 (ratio inside the clip range) or
        // ±0.5 (outside: clipped on the side the advantage's sign picks), far from the range's
        // edges.
        float[] old = bp.targetLogprobs(batch, Backprop.Hooks.NONE, 0.8);
        float[] advantages = new float[lossRows];
        double[] shifts = {-0.5, -0.05, 0.05, 0.5};
        for (int i = 0; i < lossRows; i++) {
          old[i] += (float) shifts[i % 4];
          advantages[i] = (float) (i % 3 == 0 ? -1.3 : 0.9);
        }
        loss =
            new Backprop.Loss(0, 0.3, ref, 0, new int[0], null, lossRows, 1)
                .withPolicy(new Backprop.Policy(advantages, old, 0.8, 0.2, 0.2));
      }
    } else if (extra.equals("features")) {
      float[] ref = new float[batch.rows() * cfg.hiddenSize()];
      for (int r = 0; r < batch.rows(); r++) {
        double n = 0;
        for (int i = 0; i < cfg.hiddenSize(); i++) {
          ref[r * cfg.hiddenSize() + i] = (float) rng.nextGaussian();
          n += ref[r * cfg.hiddenSize() + i] * ref[r * cfg.hiddenSize() + i];
        }
        for (int i = 0; i < cfg.hiddenSize(); i++) {
          ref[r * cfg.hiddenSize() + i] /= (float) Math.sqrt(n);
        }
      }
      loss =
          new Backprop.Loss(
              1, 0, null, 3.0, new int[] {0}, new float[][] {ref}, lossRows, batch.rows());
    } else if (extra.equals("hooks")) {
      float[] steer = new float[cfg.hiddenSize()];
      float[] dirn = new float[cfg.hiddenSize()];
      for (int i = 0; i < steer.length; i++) {
        steer[i] = (float) rng.nextGaussian();
        dirn[i] = (float) rng.nextGaussian();
      }
      hooks = new Hooks2(steer, DirectionProjection.orthonormal(List.of(dirn), cfg.hiddenSize()));
    }
    long dropoutSeed = 99;
    Backprop.Loss fixedLoss = loss;
    Backprop.Hooks fixedHooks = hooks;
    java.util.function.DoubleSupplier evaluate =
        () -> {
          Backprop.Sums s =
              bp.step(batch, fixedLoss, fixedHooks, new SplittableRandom(dropoutSeed));
          params.values().forEach(TrainableLinear::zeroGrads);
          parts.values().forEach(TrainableLinear::zeroGrads);
          return (fixedLoss.ceWeight() * s.crossEntropy()
                      + fixedLoss.klLambda() * s.kl()
                      + s.policy())
                  / fixedLoss.normalizer()
              + fixedLoss.featureLambda() * s.feature() / fixedLoss.featureNormalizer();
        };
    bp.step(batch, loss, hooks, new SplittableRandom(dropoutSeed));
    Map<String, TrainableLinear> all = new LinkedHashMap<>(params);
    all.putAll(parts);
    Map<String, float[][]> analytic = new LinkedHashMap<>();
    all.forEach(
        (k, p) -> {
          float[][] g = new float[p.grads.length][];
          for (int i = 0; i < g.length; i++) {
            g[i] = p.grads[i].clone();
          }
          analytic.put(k, g);
          p.zeroGrads();
        });
    List<String> failures = new ArrayList<>();
    int checked = 0;
    // The policy ratio exp(Δ log π) curves more than the other terms: a smaller step keeps the
    // central difference's error below the tolerance.
    double eps = extra.equals("grpo") ? 2e-3 : 1e-2;
    // Four random entries of every full tensor; two of each LoRA factor, which has two factors per
    // module: every tensor is probed, and each probe costs two training steps.
    int trials = full ? 4 : 2;
    for (var e : all.entrySet()) {
      TrainableLinear p = e.getValue();
      for (int t = 0; t < p.values.length; t++) {
        float[] v = p.values[t];
        for (int trial = 0; trial < trials; trial++) {
          // An embedding row gets a gradient only when its token is in the batch.
          int i =
              e.getKey().equals(FullParts.EMBED)
                  ? batch.tokens()[rng.nextInt(batch.rows())] * cfg.hiddenSize()
                      + rng.nextInt(cfg.hiddenSize())
                  : rng.nextInt(v.length);
          float old = v[i];
          v[i] = (float) (old + eps);
          double plus = evaluate.getAsDouble();
          v[i] = (float) (old - eps);
          double minus = evaluate.getAsDouble();
          v[i] = old;
          double numeric = (plus - minus) / (2 * eps);
          double got = analytic.get(e.getKey())[t][i];
          checked++;
          if (Math.abs(numeric - got) > 2e-3 + 2e-2 * Math.abs(numeric)) {
            failures.add(
                e.getKey() + "[" + t + "][" + i + "]: analytic " + got + ", numeric " + numeric);
          }
        }
      }
    }
    assertThat(checked).isGreaterThan(50);
    assertThat(failures).as(name).isEmpty();
    if (extra.equals("parts")) {
      // Every part was checked, and the tied head is the embedding matrix, not a tensor of its own.
      assertThat(parts)
          .containsKey(FullParts.EMBED)
          .containsKey(FullParts.FINAL_NORM)
          .containsKey(FullParts.layerNorm(1, "post_attention_layernorm"));
      assertThat(parts.containsKey(FullParts.HEAD)).isEqualTo(!cfg.tieWordEmbeddings());
      assertThat(parts.containsKey(FullParts.layerNorm(0, "self_attn.q_norm")))
          .isEqualTo(cfg.qkNorm());
    }
  }

  /** Steering at layer 0 and a projection at layer 1, as the mitigations apply them. */
  private record Hooks2(float[] steer, DirectionProjection projection) implements Backprop.Hooks {
    @Override
    public void forward(int layer, float[] h, int rows, int dim) {
      if (layer == 0) {
        for (int r = 0; r < rows; r++) {
          for (int i = 0; i < dim; i++) {
            h[r * dim + i] += 1.5f * steer[i];
          }
        }
      } else {
        projection.apply(h, rows);
      }
    }

    @Override
    public void backward(int layer, float[] dh, int rows, int dim) {
      if (layer == 1) {
        projection.apply(dh, rows);
      }
    }
  }
}
