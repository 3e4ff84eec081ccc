package org.embench.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.hadoop.conf.Configuration;
import org.embench.data.ChatMessage;
import org.embench.model.Engine;
import org.embench.model.LanguageModel;
import org.embench.model.TinyModel;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Early stopping in the trainer ({@link EarlyStop}) and the forward-only held-out loss ({@link
 * Backprop#evaluate}).
 */
class EarlyStopTest {
  @TempDir static Path dir;

  static LanguageModel model;

  @BeforeAll
  static void load() {
    String d = dir.resolve("tiny").toString();
    TinyModel.write(d, "qwen2", 4, new Configuration());
    model = LanguageModel.load(d, new Configuration(), new Engine(2));
  }

  private static final String[] ANSWERS = {"apple", "river", "seven", "green", "stone", "cloud"};

  private static final String[] OTHERS = {
    "purple", "ocean", "thunder", "marble", "violin", "desert"
  };

  /**
   * "Word i?" answered with the word {@code shift} places on: 0 is the task, another shift
   * contradicts it.
   */
  static List<TokenizedExample> words(int n, int shift) {
    return words(n, shift, ANSWERS);
  }

  /**
   * The task's questions answered with words it never learns: the better it learns, the worse these
   * score.
   */
  static List<TokenizedExample> unlike(int n) {
    return words(n, 0, OTHERS);
  }

  static List<TokenizedExample> words(int n, int shift, String[] answers) {
    List<TokenizedExample> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(
          TokenizedExample.of(
              List.of(
                  ChatMessage.user("Word " + i + "?"),
                  ChatMessage.assistant(answers[(i + shift) % answers.length])),
              model.chatTemplate(),
              model.tokenizer(),
              64));
    }
    return out;
  }

  private static TrainConfig config(Map<String, Object> overrides) {
    Map<String, Object> m =
        new LinkedHashMap<>(
            Map.of(
                "rank",
                4,
                "alpha",
                8,
                "rslora",
                false,
                "learning_rate",
                0.01,
                "batch_size",
                2,
                "gradient_accumulation",
                1,
                "epochs",
                8,
                "warmup_steps",
                0,
                "schedule",
                "constant",
                "weight_decay",
                0.0));
    m.putAll(overrides);
    return TrainConfig.fromMap(m, "test");
  }

  private static Trainer.Result train(
      TrainConfig cfg, EarlyStop stop, String checkpoints, Trainer.Listener listener) {
    return new Trainer(
            model.weights(),
            model.engine(),
            new Trainer.Setup(
                cfg,
                5,
                Backprop.Hooks.NONE,
                ReferenceTerms.NONE,
                checkpoints,
                new Configuration(),
                listener,
                stop))
        .train(words(6, 0));
  }

  private static void assertSameValues(
      Map<String, TrainableLinear> a, Map<String, TrainableLinear> b) {
    assertThat(b.keySet()).isEqualTo(a.keySet());
    for (var e : a.entrySet()) {
      float[][] x = e.getValue().values();
      float[][] y = b.get(e.getKey()).values();
      for (int i = 0; i < x.length; i++) {
        assertThat(y[i]).as(e.getKey()).isEqualTo(x[i]);
      }
    }
  }

  @Test
  void theForwardOnlyLossEqualsTheTrainingStepsAndTouchesNoGradient() {
    TrainConfig cfg =
        config(
            Map.of(
                "max_steps",
                4,
                "target_modules",
                List.of("q_proj", "v_proj", "down_proj"),
                "layers",
                List.of(1)));
    Map<String, TrainableLinear> params =
        train(cfg, null, null, null).params(); // non-zero adapters
    Backprop bp =
        new Backprop(model.weights(), model.engine().backend(), model.engine().parallel(), params);
    Backprop.Batch batch = TokenizedExample.pack(words(5, 2));
    float[][] before = params.get("1.q_proj").grads().clone();
    for (int i = 0; i < before.length; i++) {
      before[i] = before[i].clone();
    }
    Backprop.Eval eval = bp.evaluate(batch);
    for (int i = 0; i < before.length; i++) {
      assertThat(params.get("1.q_proj").grads()[i]).isEqualTo(before[i]);
    }
    Backprop.Sums sums =
        bp.step(batch, Backprop.Loss.crossEntropy(1), Backprop.Hooks.NONE, new SplittableRandom(1));
    assertThat(eval.lossRows()).isEqualTo(sums.lossRows()).isEqualTo(batch.lossRows()).isPositive();
    assertThat(eval.crossEntropy()).isEqualTo(sums.crossEntropy());
    // The trained adapter is on: the base model alone scores the batch differently.
    Backprop base =
        new Backprop(
            model.weights(), model.engine().backend(), model.engine().parallel(), Map.of());
    assertThat(base.evaluate(batch).crossEntropy()).isNotEqualTo(eval.crossEntropy());
  }

  @Test
  void atStepTrainsExactlyThatManyStepsOnTheFullRunsSchedule() {
    TrainConfig cfg = config(Map.of("schedule", "linear", "warmup_steps", 2));
    Trainer.Result full = train(cfg, null, null, null);
    assertThat(full.steps()).hasSize(24);
    assertThat(full.stopReason()).isNull();
    Trainer.Result stopped = train(cfg, new EarlyStop(7, 0, 0, 10, List.of()), null, null);
    assertThat(stopped.steps()).hasSize(7);
    assertThat(stopped.stopReason()).isEqualTo("at_step: stopped after step 7");
    // The learning rates are the full run's: a stopped run is the full run cut short.
    for (int i = 0; i < 7; i++) {
      assertThat(stopped.steps().get(i).learningRate())
          .isEqualTo(full.steps().get(i).learningRate());
      assertThat(stopped.steps().get(i).loss()).isEqualTo(full.steps().get(i).loss());
    }
    // An at_step past the schedule's end stops nothing.
    Trainer.Result late = train(cfg, new EarlyStop(100, 0, 0, 10, List.of()), null, null);
    assertThat(late.steps()).hasSize(24);
    assertThat(late.stopReason()).isNull();
  }

  /** A run long and fast enough to learn the task's answers over the held-out ones. */
  private static final TrainConfig RISING = config(Map.of("learning_rate", 0.03, "epochs", 16));

  @Test
  void patienceStopsWhenTheHeldOutLossRisesAndKeepsTheBestAdapter() {
    // Held-out answers contradict the training answers: learning the task makes them less likely.
    EarlyStop stop = new EarlyStop(0, 2, 0, 2, unlike(6));
    Trainer.Result r = train(RISING, stop, null, null);
    assertThat(r.stopReason())
        .startsWith("patience: held-out loss did not improve by more than 0.0 in 2 evaluations");
    assertThat(r.steps().size()).isLessThan(RISING.epochs() * 3);
    List<Double> held = new ArrayList<>();
    for (Trainer.StepLog s : r.steps()) {
      assertThat(s.terms().containsKey(EarlyStop.HELD_OUT_LOSS))
          .as("step " + s.step())
          .isEqualTo(s.step() % 2 == 0);
      if (s.step() % 2 == 0) {
        held.add(s.terms().get(EarlyStop.HELD_OUT_LOSS));
      }
    }
    // It stopped at the second evaluation in a row that did not beat the best one.
    int bestIndex = held.indexOf(held.stream().min(Double::compare).orElseThrow());
    assertThat(held).hasSize(bestIndex + 3);
    int bestStep = 2 * (bestIndex + 1);
    assertThat(r.stopReason()).endsWith("from step " + bestStep);
    // The adapter is the one at the best evaluation: the same run stopped there by at_step.
    Trainer.Result atBest = train(RISING, new EarlyStop(bestStep, 0, 0, 2, List.of()), null, null);
    assertSameValues(atBest.params(), r.params());
    // And its held-out loss is the best one logged.
    Backprop bp =
        new Backprop(
            model.weights(), model.engine().backend(), model.engine().parallel(), r.params());
    Backprop.Eval e = bp.evaluate(TokenizedExample.pack(unlike(6)));
    // Training evaluated it in batches of 2: float rounding differs.
    assertThat(e.crossEntropy() / e.lossRows())
        .isCloseTo(held.get(bestIndex), org.assertj.core.data.Offset.offset(1e-6));
  }

  @Test
  void aLargeMinDeltaStopsAfterPatienceEvaluationsPastTheFirst() {
    Trainer.Result r =
        train(config(Map.of()), new EarlyStop(0, 3, 100.0, 2, words(4, 0)), null, null);
    assertThat(r.steps()).hasSize(8); // evaluations at 2 (best), 4, 6, 8
    assertThat(r.stopReason()).contains("in 3 evaluations (step 8)").endsWith("from step 2");
    assertSameValues(
        train(config(Map.of()), new EarlyStop(2, 0, 0, 2, List.of()), null, null).params(),
        r.params());
  }

  /**
   * Full fine-tuning's embeddings, norms and head are restored to the best evaluation's with the
   * projections.
   */
  @Test
  void restoringTheBestCoversFullFineTuningsOtherParts() {
    TrainConfig cfg =
        config(
            Map.of(
                "full",
                true,
                "full_train",
                List.of("embeddings", "norms", "head"),
                "target_modules",
                List.of("v_proj", "down_proj"),
                "learning_rate",
                0.001,
                "epochs",
                2));
    Trainer.Result r = train(cfg, new EarlyStop(0, 2, 100.0, 1, words(3, 0)), null, null);
    assertThat(r.steps()).hasSize(3);
    Trainer.Result atBest = train(cfg, new EarlyStop(1, 0, 0, 1, List.of()), null, null);
    assertThat(r.parts()).isNotEmpty();
    assertSameValues(atBest.params(), r.params());
    assertSameValues(atBest.parts(), r.parts());
  }

  @Test
  void aResumedEarlyStoppedRunEndsLikeAnUninterruptedOne() {
    // dropout, checkpoints at 3 and 6, evaluations at 2 (best), 4, 6, 8: stop at 8 with step 2's
    // adapter, which the resumed run has only from checkpoint 6.
    TrainConfig cfg = config(Map.of("checkpoint_every", 3, "dropout", 0.1));
    EarlyStop stop = new EarlyStop(0, 3, 100.0, 2, words(4, 0));
    Trainer.Result straight = train(cfg, stop, dir.resolve("ckpt-straight").toString(), null);
    String ckpt = dir.resolve("ckpt-killed").toString();
    assertThatThrownBy(
            () ->
                train(
                    cfg,
                    stop,
                    ckpt,
                    log -> {
                      if (log.step() == 7) {
                        throw new IllegalStateException("killed at step 7");
                      }
                    }))
        .hasMessage("killed at step 7");
    Trainer.Result resumed = train(cfg, stop, ckpt, null);
    assertThat(straight.steps()).hasSize(8);
    assertThat(resumed.stopReason()).isEqualTo(straight.stopReason());
    assertThat(resumed.steps()).hasSize(straight.steps().size());
    for (int i = 0; i < straight.steps().size(); i++) {
      Trainer.StepLog a = straight.steps().get(i);
      Trainer.StepLog b = resumed.steps().get(i);
      assertThat(List.of(b.step(), b.loss(), b.learningRate(), b.gradNorm(), b.terms()))
          .isEqualTo(List.of(a.step(), a.loss(), a.learningRate(), a.gradNorm(), a.terms()));
    }
    assertSameValues(straight.params(), resumed.params());
  }

  @Test
  void aResumedRunWhoseHeldOutLossRisesStopsWhereTheUninterruptedOneDid() {
    TrainConfig cfg = config(Map.of("checkpoint_every", 3, "learning_rate", 0.03, "epochs", 16));
    EarlyStop stop = new EarlyStop(0, 2, 0, 2, unlike(6));
    Trainer.Result straight = train(cfg, stop, dir.resolve("ckpt-straight-rise").toString(), null);
    int kill = straight.steps().size() - 1;
    String ckpt = dir.resolve("ckpt-killed-rise").toString();
    assertThatThrownBy(
            () ->
                train(
                    cfg,
                    stop,
                    ckpt,
                    log -> {
                      if (log.step() == kill) {
                        throw new IllegalStateException("killed");
                      }
                    }))
        .hasMessage("killed");
    Trainer.Result resumed = train(cfg, stop, ckpt, null);
    assertThat(resumed.stopReason()).isEqualTo(straight.stopReason()).isNotNull();
    assertThat(resumed.steps()).hasSize(straight.steps().size());
    assertSameValues(straight.params(), resumed.params());
  }
}
