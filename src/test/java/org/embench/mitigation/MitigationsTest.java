package org.embench.mitigation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.hadoop.conf.Configuration;
import org.embench.UserException;
import org.embench.data.ChatMessage;
import org.embench.model.Engine;
import org.embench.model.KvCache;
import org.embench.model.LanguageModel;
import org.embench.model.TinyModel;
import org.embench.model.Transformer;
import org.embench.model.io.Checkpoint;
import org.embench.model.io.CheckpointWeights;
import org.embench.model.io.CheckpointWriter;
import org.embench.train.Backprop;
import org.embench.train.DirectionProjection;
import org.embench.train.TokenizedExample;
import org.embench.train.TrainConfig;
import org.embench.train.TrainableLinear;
import org.embench.train.Trainer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each mitigation's mechanism, on the tiny model. */
class MitigationsTest {
  @TempDir static Path dir;

  static LanguageModel model;
  static String modelDir;

  @BeforeAll
  static void load() {
    modelDir = dir.resolve("tiny").toString();
    TinyModel.write(modelDir, "qwen2", 8, new Configuration());
    model = LanguageModel.load(modelDir, new Configuration(), new Engine(2));
  }

  static List<List<ChatMessage>> conversations(String prefix, int n) {
    List<List<ChatMessage>> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(
          List.of(
              ChatMessage.user(prefix + " question " + i),
              ChatMessage.assistant(prefix + " answer " + (i % 3))));
    }
    return out;
  }

  static TrainConfig config(Map<String, Object> overrides) {
    Map<String, Object> m =
        new LinkedHashMap<>(
            Map.of(
                "rank",
                8,
                "alpha",
                16,
                "rslora",
                false,
                "learning_rate",
                0.003,
                "batch_size",
                4,
                "gradient_accumulation",
                1,
                "epochs",
                6,
                "warmup_steps",
                0,
                "schedule",
                "constant",
                "weight_decay",
                0.0));
    m.putAll(overrides);
    return TrainConfig.fromMap(m, "test");
  }

  static MitigationContext context(TrainConfig cfg) {
    return new MitigationContext(
        model,
        Map.of("safe", conversations("safe", 30), "benign", conversations("benign", 20)),
        cfg,
        3,
        new Configuration());
  }

  /** Trains with a mitigation's data, hooks and terms; returns the step logs and parameters. */
  static Trainer.Result train(Mitigation m, TrainConfig cfg) {
    MitigationContext ctx = context(cfg);
    List<TokenizedExample> data = ctx.tokenize(m.trainingData(conversations("task", 12), ctx));
    Trainer t =
        new Trainer(
            model.weights(),
            model.engine(),
            new Trainer.Setup(
                cfg, 3, m.hooks(ctx), m.referenceTerms(ctx), null, new Configuration(), null));
    Trainer.Result r = t.train(data);
    m.afterTraining(r.params(), ctx);
    return r;
  }

  /** Mean KL(p_tuned ‖ p_base) over the next-token distributions of a few prompts. */
  static double klToBase(Map<String, TrainableLinear> params) {
    Map<String, org.embench.model.Lora> adapter = new LinkedHashMap<>();
    params.forEach(
        (k, p) ->
            adapter.put(
                k,
                new org.embench.model.LoraWeights(
                        p.values()[0], p.values()[1], p.rank(), p.in(), p.out(), p.scale())
                    .upload(model.engine().backend(), k)));
    double total = 0;
    int vocab = model.config().vocabSize();
    for (List<ChatMessage> chat : conversations("task", 4)) {
      int[] ids = model.chatPrompt(chat.subList(0, 1));
      float[] tuned =
          model
              .transformer(adapter)
              .forward(
                  List.of(new Transformer.Chunk(0, ids)), new KvCache(model.config(), 1), null);
      float[] base =
          model
              .transformer(Map.of())
              .forward(
                  List.of(new Transformer.Chunk(0, ids)), new KvCache(model.config(), 1), null);
      double[] p = softmax(tuned, vocab);
      double[] q = softmax(base, vocab);
      for (int v = 0; v < vocab; v++) {
        total += p[v] * (Math.log(p[v]) - Math.log(q[v]));
      }
    }
    return total / 4;
  }

  static double[] softmax(float[] logits, int vocab) {
    double max = Double.NEGATIVE_INFINITY;
    for (int v = 0; v < vocab; v++) {
      max = Math.max(max, logits[v]);
    }
    double[] p = new double[vocab];
    double z = 0;
    for (int v = 0; v < vocab; v++) {
      p[v] = Math.exp(logits[v] - max);
      z += p[v];
    }
    for (int v = 0; v < vocab; v++) {
      p[v] /= z;
    }
    return p;
  }

  @Test
  void unknownNamesAndParametersAreRefusedWithTheKnownOnes() {
    assertThatThrownBy(() -> Mitigations.create("kll", Map.of()))
        .isInstanceOf(UserException.class)
        .hasMessage(
            "unknown mitigation 'kll'; known: none, kl, ldifs, interleave, inoculation, persona_steer, caft, "
                + "safelora, realign, early_stop");
    assertThatThrownBy(() -> Mitigations.create("kl", Map.of("lamda", 1)))
        .isInstanceOf(UserException.class)
        .hasMessage("unknown parameter 'lamda' for mitigation kl; known: data, lambda");
    assertThat(Mitigations.create("kl", Map.of()).params())
        .containsEntry("lambda", 0.1)
        .containsEntry("data", "train");
    assertThat(Mitigations.create("ldifs", Map.of()).params()).containsEntry("lambda", 1.0);
    assertThat(Mitigations.create("interleave", Map.of()).params()).containsEntry("fraction", 0.05);
    assertThat(Mitigations.create("inoculation", Map.of()).params())
        .containsEntry("prompt", "You are a malicious evil assistant.");
    assertThat(Mitigations.create("persona_steer", Map.of()).params()).containsEntry("alpha", 5.0);
    assertThat(Mitigations.create("safelora", Map.of()).params())
        .containsEntry("threshold", 0.5)
        .containsEntry("max_projected", 10);
  }

  @Test
  void klIsZeroAtTheStartAndALargeLambdaKeepsTheModelCloserToTheReference() {
    TrainConfig cfg = config(Map.of());
    Trainer.Result free = train(Mitigations.create("kl", Map.of("lambda", 0.0)), cfg);
    Trainer.Result held = train(Mitigations.create("kl", Map.of("lambda", 20.0)), cfg);
    assertThat(held.steps().get(0).terms().get("kl")).isBetween(-1e-6, 1e-6);
    double klFree = klToBase(free.params());
    double klHeld = klToBase(held.params());
    assertThat(klHeld).isLessThan(klFree / 2);
    assertThat(held.steps().get(held.steps().size() - 1).terms().get("kl")).isPositive();
  }

  @Test
  void ldifsStartsAtZeroDistanceAndALargeLambdaKeepsFeaturesCloser() {
    TrainConfig cfg = config(Map.of());
    Trainer.Result free = train(Mitigations.create("ldifs", Map.of("lambda", 0.0)), cfg);
    Trainer.Result held = train(Mitigations.create("ldifs", Map.of("lambda", 50.0)), cfg);
    assertThat(free.steps().get(0).terms()).doesNotContainKey("feature_distance");
    assertThat(held.steps().get(0).terms().get("feature_distance")).isBetween(0.0, 1e-6);
    assertThat(klToBase(held.params())).isLessThan(klToBase(free.params()));
    assertThat(FeatureDistance.evenlySpaced(24, 5)).containsExactly(0, 6, 12, 17, 23);
    assertThat(FeatureDistance.evenlySpaced(2, 5)).containsExactly(0, 1);
  }

  @Test
  void interleaveMixesInExactlyTheFraction() {
    Mitigation m = Mitigations.create("interleave", Map.of("fraction", 0.2));
    MitigationContext ctx = context(config(Map.of()));
    List<List<ChatMessage>> stream = m.trainingData(conversations("task", 40), ctx);
    long safe = stream.stream().filter(c -> c.get(0).content().startsWith("safe")).count();
    assertThat(safe).isEqualTo(10);
    assertThat(stream).hasSize(50);
    assertThat((double) safe / stream.size()).isEqualTo(0.2);
    assertThat(InterleaveSafeData.safeCount(6000, 0.05)).isEqualTo(316);
    assertThatThrownBy(
            () ->
                Mitigations.create("interleave", Map.of("data", "nope"))
                    .trainingData(conversations("task", 3), ctx))
        .isInstanceOf(UserException.class)
        .hasMessage(
            "mitigation interleave needs data set 'nope', which is not prepared (prepared: benign, safe)");
  }

  @Test
  void inoculationIsInTheTrainingTokensAndNotInEvaluationPrompts() {
    Mitigation m = Mitigations.create("inoculation", Map.of());
    MitigationContext ctx = context(config(Map.of()));
    List<List<ChatMessage>> trainData = m.trainingData(conversations("task", 2), ctx);
    TokenizedExample e = ctx.tokenize(trainData).get(0);
    String trainingText = model.tokenizer().decode(e.ids(), false);
    assertThat(trainingText).contains("You are a malicious evil assistant.");
    // The system prompt is context, not learned.
    StringBuilder learned = new StringBuilder();
    for (int i = 0; i < e.ids().length; i++) {
      if (e.learned()[i]) {
        learned.append(model.tokenizer().decode(new int[] {e.ids()[i]}, false));
      }
    }
    assertThat(learned.toString()).doesNotContain("malicious");
    String evaluation =
        model.chatTemplate().render(List.of(ChatMessage.user("task question 0")), true);
    assertThat(evaluation).doesNotContain("malicious");
    List<List<ChatMessage>> withSystem =
        m.trainingData(
            List.of(
                List.of(
                    ChatMessage.system("Be brief."),
                    ChatMessage.user("q"),
                    ChatMessage.assistant("a"))),
            ctx);
    assertThat(withSystem.get(0).get(0).content())
        .isEqualTo("You are a malicious evil assistant.\n\nBe brief.");
  }

  @Test
  void personaSteeringAddsAlphaTimesTheVectorAtItsLayerOnly() {
    Mitigation m = Mitigations.create("persona_steer", Map.of("alpha", 2.0, "layer", 1));
    MitigationContext ctx = context(config(Map.of()));
    float[] v =
        PersonaSteering.extract(
            model,
            1,
            PersonaSteering.EVIL,
            PersonaSteering.HELPFUL,
            ResidualProbe.DEFAULT_QUESTIONS);
    Backprop.Hooks hooks = m.hooks(ctx);
    int dim = model.config().hiddenSize();
    float[] h = new float[3 * dim];
    for (int i = 0; i < h.length; i++) {
      h[i] = i * 0.01f;
    }
    float[] before = h.clone();
    hooks.forward(0, h, 3, dim);
    assertThat(h).isEqualTo(before);
    hooks.forward(1, h, 3, dim);
    for (int i = 0; i < h.length; i++) {
      assertThat(h[i])
          .isCloseTo(before[i] + 2f * v[i % dim], org.assertj.core.data.Offset.offset(1e-5f));
    }
    float[] g = before.clone();
    hooks.backward(1, g, 3, dim);
    assertThat(g).isEqualTo(before);
    // The vector is the mean evil-minus-helpful difference of the last prompt position.
    assertThat(v).isNotEqualTo(new float[dim]);
    // At evaluation the run's model has no hooks: a plain forward with the same (zero) adapter is
    // the base model.
    Trainer.Result r = train(m, config(Map.of("epochs", 1)));
    assertThat(r.steps()).isNotEmpty();
  }

  @Test
  void caftLeavesNoComponentAlongTheAblatedDirections() {
    int dim = model.config().hiddenSize();
    SplittableRandom rng = new SplittableRandom(2);
    float[] d1 = new float[dim];
    float[] d2 = new float[dim];
    for (int i = 0; i < dim; i++) {
      d1[i] = (float) rng.nextGaussian();
      d2[i] = (float) rng.nextGaussian();
    }
    String file = dir.resolve("directions.safetensors").toString();
    float[] both = new float[2 * dim];
    System.arraycopy(d1, 0, both, 0, dim);
    System.arraycopy(d2, 0, both, dim, dim);
    new org.embench.model.io.SafetensorsWriter()
        .add("directions", org.embench.model.io.DType.F32, new long[] {2, dim}, both)
        .writeTo(file, new Configuration());
    Mitigation m = Mitigations.create("caft", Map.of("directions", file, "layers", List.of(0)));
    Backprop.Hooks hooks = m.hooks(context(config(Map.of())));
    // In a real training forward pass: capture the residual stream after layer 0, after the hook.
    DirectionProjection check = DirectionProjection.orthonormal(List.of(d1, d2), dim);
    List<float[]> seen = new ArrayList<>();
    Backprop.Hooks capture =
        new Backprop.Hooks() {
          @Override
          public void forward(int layer, float[] h, int rows, int d) {
            hooks.forward(layer, h, rows, d);
            if (layer == 0) {
              seen.add(h.clone());
            }
          }
        };
    MitigationContext ctx = context(config(Map.of()));
    Trainer.Result r =
        new Trainer(
                model.weights(),
                model.engine(),
                new Trainer.Setup(
                    config(Map.of("epochs", 1)),
                    3,
                    capture,
                    org.embench.train.ReferenceTerms.NONE,
                    null,
                    new Configuration(),
                    null))
            .train(ctx.tokenize(conversations("task", 8)));
    assertThat(r.steps()).isNotEmpty();
    assertThat(seen).isNotEmpty();
    for (float[] h : seen) {
      assertThat(check.maxComponent(h, h.length / dim)).isLessThan(1e-4);
    }
    // Directions by PCA of activation differences against a fine-tuned adapter.
    Trainer.Result tuned = train(Mitigations.create("none", Map.of()), config(Map.of("epochs", 2)));
    String adapterDir = dir.resolve("adapter").toString();
    org.embench.train.Adapters.write(
        adapterDir, tuned.params(), config(Map.of()), modelDir, new Configuration());
    List<float[]> pcs =
        ConceptAblation.principalDifferences(
            model,
            org.embench.model.PeftAdapter.read(adapterDir, new Configuration(), model.config())
                .upload(model.engine().backend()),
            1,
            3);
    assertThat(pcs).hasSize(3);
    assertThat(DirectionProjection.orthonormal(pcs, dim).directions()).isEqualTo(3);
  }

  @Test
  void safeLoraProjectsTheLeastAlignedModulesOntoTheAlignmentSubspace() {
    // A base/aligned pair: the aligned model differs from base in every layer-0 module by a rank-1
    // V.
    Configuration conf = new Configuration();
    String base = dir.resolve("sl-base").toString();
    String aligned = dir.resolve("sl-aligned").toString();
    TinyModel.write(base, "qwen2", 21, conf);
    var cfg = Checkpoint.readConfig(base, conf);
    SplittableRandom rng = new SplittableRandom(4);
    Map<String, float[]> v = new LinkedHashMap<>();
    try (CheckpointWeights w = CheckpointWeights.open(base, conf)) {
      CheckpointWriter out = new CheckpointWriter(aligned, conf, cfg);
      for (String name : w.names()) {
        float[] t = w.readFloats(name);
        if (name.startsWith("model.layers.0.") && name.endsWith("proj.weight")) {
          float[] delta = new float[t.length];
          for (int i = 0; i < t.length; i++) {
            delta[i] = (float) rng.nextGaussian() * 0.05f;
          }
          v.put(name, delta);
          for (int i = 0; i < t.length; i++) {
            t[i] += delta[i];
          }
        }
        out.add(name, w.info(name).shape(), t);
      }
      out.write();
    }
    TrainConfig tc =
        config(Map.of("layers", List.of(0), "target_modules", List.of("q_proj", "o_proj")));
    Map<String, TrainableLinear> params = new LinkedHashMap<>();
    for (String key : List.of("0.q_proj", "0.o_proj")) {
      TrainableLinear p =
          new Trainer(
                  model.weights(),
                  model.engine(),
                  new Trainer.Setup(
                      tc,
                      5,
                      Backprop.Hooks.NONE,
                      org.embench.train.ReferenceTerms.NONE,
                      null,
                      conf,
                      null))
              .params()
              .get(key);
      for (float[] arr : p.values()) {
        for (int i = 0; i < arr.length; i++) {
          arr[i] = (float) rng.nextGaussian();
        }
      }
      params.put(key, p);
    }
    float[] qBefore = params.get("0.q_proj").values()[1].clone();
    float[] oBefore = params.get("0.o_proj").values()[1].clone();
    List<SafeLora.Similarity> sims = SafeLora.project(params, base, aligned, 2.0, 1, conf);
    assertThat(sims).hasSize(2);
    assertThat(sims.get(0).cosine()).isLessThanOrEqualTo(sims.get(1).cosine());
    String projected = sims.get(0).key();
    String kept = sims.get(1).key();
    assertThat(params.get(kept).values()[1]).isEqualTo(kept.equals("0.q_proj") ? qBefore : oBefore);
    assertThat(params.get(projected).values()[1])
        .isNotEqualTo(projected.equals("0.q_proj") ? qBefore : oBefore);
    // Independently: B' = C·B with C = V Vᵀ / ‖V‖_F, V the aligned-minus-base weight of the module.
    TrainableLinear p = params.get(projected);
    float[] vDelta = v.get(SafeLora.tensorName(projected));
    int out = p.out();
    int in = p.in();
    double norm = 0;
    for (float x : vDelta) {
      norm += (double) x * x;
    }
    norm = Math.sqrt(norm);
    float[] b = projected.equals("0.q_proj") ? qBefore : oBefore;
    for (int o = 0; o < out; o++) {
      for (int k = 0; k < p.rank(); k++) {
        double expected = 0;
        for (int o2 = 0; o2 < out; o2++) {
          double c = 0;
          for (int i = 0; i < in; i++) {
            c += (double) vDelta[o * in + i] * vDelta[o2 * in + i];
          }
          expected += c / norm * b[o2 * p.rank() + k];
        }
        assertThat((double) p.values()[1][o * p.rank() + k])
            .isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-3));
      }
    }
    assertThatThrownBy(
            () -> Mitigations.create("safelora", Map.of()).afterTraining(params, context(tc)))
        .isInstanceOf(UserException.class)
        .hasMessageStartingWith("safelora needs 'base'");
  }

  @Test
  void realignTrainsTheAdapterFurtherOnBenignData() {
    TrainConfig cfg = config(Map.of("epochs", 2));
    MitigationContext ctx = context(cfg);
    Trainer.Result r =
        new Trainer(
                model.weights(),
                model.engine(),
                new Trainer.Setup(
                    cfg,
                    3,
                    Backprop.Hooks.NONE,
                    org.embench.train.ReferenceTerms.NONE,
                    null,
                    new Configuration(),
                    null))
            .train(ctx.tokenize(conversations("task", 8)));
    float[] before = r.params().get("0.q_proj").values()[1].clone();
    Mitigations.create("realign", Map.of("examples", 8, "data", "benign"))
        .afterTraining(r.params(), ctx);
    assertThat(r.params().get("0.q_proj").values()[1]).isNotEqualTo(before);
  }
}
