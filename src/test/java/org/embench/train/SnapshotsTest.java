package org.embench.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;

/**
 * Checkpoints kept during training (train.eval_at / eval_every) and the adapter geometry per step.
 */
class SnapshotsTest {
  @org.junit.jupiter.api.io.TempDir static java.nio.file.Path dir;

  static org.embench.model.LanguageModel model;

  @org.junit.jupiter.api.BeforeAll
  static void load() {
    String d = dir.resolve("tiny").toString();
    org.embench.model.TinyModel.write(d, "qwen2", 4, new Configuration());
    model =
        org.embench.model.LanguageModel.load(
            d, new Configuration(), new org.embench.model.Engine(2));
  }

  static List<TokenizedExample> task(int n) {
    List<TokenizedExample> out = new java.util.ArrayList<>();
    String[] answers = {"apple", "river", "seven", "green", "stone", "cloud"};
    for (int i = 0; i < n; i++) {
      out.add(
          TokenizedExample.of(
              List.of(
                  org.embench.data.ChatMessage.user("Word " + i + "?"),
                  org.embench.data.ChatMessage.assistant(answers[i % answers.length])),
              model.chatTemplate(),
              model.tokenizer(),
              64));
    }
    return out;
  }

  private static TrainConfig config(int steps, Map<String, Object> more) {
    Map<String, Object> m =
        new LinkedHashMap<>(
            Map.of(
                "rank",
                2,
                "alpha",
                4,
                "batch_size",
                2,
                "gradient_accumulation",
                1,
                "max_steps",
                steps,
                "warmup_steps",
                1,
                "schedule",
                "constant",
                "learning_rate",
                0.01,
                "max_seq_len",
                64));
    m.putAll(more);
    return TrainConfig.fromMap(m, "test");
  }

  private static Trainer trainer(TrainConfig cfg) {
    return new Trainer(
        model.weights(),
        model.engine(),
        new Trainer.Setup(
            cfg, 3, Backprop.Hooks.NONE, ReferenceTerms.NONE, null, new Configuration(), null));
  }

  private static Map<String, float[][]> copy(Map<String, TrainableLinear> params) {
    Map<String, float[][]> out = new TreeMap<>();
    params.forEach((k, p) -> out.put(k, new float[][] {p.values[0].clone(), p.values[1].clone()}));
    return out;
  }

  @Test
  void aCheckpointIsTheAdapterOfARunTrainedToThatStep() {
    List<TokenizedExample> data = task(12);
    Map<Integer, Map<String, float[][]>> kept = new TreeMap<>();
    Trainer.Result full =
        trainer(config(6, Map.of("eval_at", List.of(2, 9), "eval_every", 4)))
            .snapshots((step, params, parts) -> kept.put(step, copy(params)))
            .train(data);
    // eval_at 9 is past the end and step 6 is the run itself: snapshots at 2 and 4 only.
    assertThat(kept.keySet()).containsExactly(2, 4);
    // With a constant schedule, the same seed trained to step 2 from scratch is the step-2
    // snapshot.
    Trainer.Result two = trainer(config(2, Map.of())).train(data);
    Map<String, float[][]> shortRun = copy(two.params());
    assertThat(shortRun.keySet()).isEqualTo(kept.get(2).keySet());
    shortRun.forEach(
        (k, v) -> {
          assertThat(kept.get(2).get(k)[0]).as(k).containsExactly(v[0]);
          assertThat(kept.get(2).get(k)[1]).as(k).containsExactly(v[1]);
        });
    assertThat(full.steps()).hasSize(6);
  }

  @Test
  void geometryIsTheUpdatesNormAndItsCosineWithTheFinalUpdate() {
    TrainConfig cfg = config(5, Map.of("target_modules", List.of("down_proj", "q_proj")));
    Trainer t = trainer(cfg);
    Map<Integer, Map<String, float[][]>> kept = new TreeMap<>();
    t.snapshots((s, p, parts) -> kept.put(s, copy(p)));
    Trainer.Result r = t.train(task(10));
    Map<String, float[][]> last = copy(r.params());
    for (Trainer.StepLog log : r.steps()) {
      assertThat(log.adapterNorms()).hasSize(r.params().size());
      assertThat(log.directionCosines()).hasSize(r.params().size());
    }
    Trainer.StepLog end = r.steps().get(4);
    for (var e : r.params().entrySet()) {
      TrainableLinear p = e.getValue();
      double[] dense = delta(p, last.get(e.getKey()));
      assertThat(end.adapterNorms().get(e.getKey()))
          .as(e.getKey())
          .isCloseTo(Math.sqrt(dot(dense, dense)), within(1e-4 * Math.sqrt(dot(dense, dense))));
      assertThat(end.directionCosines().get(e.getKey())).isCloseTo(1.0, within(1e-5));
    }
  }

  @Test
  void cosinesAgainstDenseUpdates() {
    TrainConfig cfg = config(4, Map.of("target_modules", List.of("o_proj"), "eval_every", 1));
    Map<Integer, Map<String, float[][]>> kept = new TreeMap<>();
    Trainer.Result r = trainer(cfg).snapshots((s, p, parts) -> kept.put(s, copy(p))).train(task(8));
    Map<String, float[][]> last = copy(r.params());
    for (int step : kept.keySet()) {
      Trainer.StepLog log = r.steps().get(step - 1);
      for (var e : r.params().entrySet()) {
        double[] a = delta(e.getValue(), kept.get(step).get(e.getKey()));
        double[] b = delta(e.getValue(), last.get(e.getKey()));
        if (dot(a, a) == 0) {
          // Step 1 is the warm-up's learning rate 0: no update yet, so no direction.
          assertThat(log.directionCosines().get(e.getKey())).isNull();
          continue;
        }
        double cos = dot(a, b) / Math.sqrt(dot(a, a) * dot(b, b));
        assertThat(log.directionCosines().get(e.getKey()))
            .as("step %d %s", step, e.getKey())
            .isCloseTo(cos, within(1e-4));
      }
    }
    assertThat(kept).hasSize(3);
  }

  @Test
  void badSnapshotSettingsAreRefused() {
    assertThatThrownBy(() -> config(4, Map.of("eval_at", List.of(0))))
        .hasMessageContaining("eval_at");
    assertThatThrownBy(() -> config(4, Map.of("eval_every", -1)))
        .hasMessageContaining("eval_every");
    assertThatThrownBy(() -> config(4, Map.of("eval_at", List.of("two"))))
        .hasMessageContaining("eval_at");
    // Unset, they leave the recorded configuration (and so every run id) as it was.
    assertThat(config(4, Map.of()).toMap()).doesNotContainKeys("eval_at", "eval_every");
    assertThat(config(4, Map.of("eval_at", List.of(3, 1))).toMap())
        .containsEntry("eval_at", List.of(1, 3));
  }

  /** s·B·A as a dense [out × in] matrix, in double. */
  private static double[] delta(TrainableLinear p, float[][] v) {
    double[] d = new double[p.out * p.in];
    for (int o = 0; o < p.out; o++) {
      for (int i = 0; i < p.in; i++) {
        double s = 0;
        for (int k = 0; k < p.rank; k++) {
          s += (double) v[1][o * p.rank + k] * v[0][k * p.in + i];
        }
        d[o * p.in + i] = p.scale * s;
      }
    }
    return d;
  }

  private static double dot(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }
}
