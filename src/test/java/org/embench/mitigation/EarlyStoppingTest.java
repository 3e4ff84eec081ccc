package org.embench.mitigation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.embench.UserException;
import org.embench.data.ChatMessage;
import org.embench.model.Engine;
import org.embench.model.LanguageModel;
import org.embench.model.TinyModel;
import org.embench.train.EarlyStop;
import org.embench.train.TrainConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code early_stop}'s parameters and its held-out data. */
class EarlyStoppingTest {
  @TempDir static Path dir;

  static LanguageModel model;

  @BeforeAll
  static void load() {
    String d = dir.resolve("tiny").toString();
    TinyModel.write(d, "qwen2", 4, new Configuration());
    model = LanguageModel.load(d, new Configuration(), new Engine(2));
  }

  private static MitigationContext context(
      Map<String, List<List<ChatMessage>>> datasets, String datasetId) {
    return new MitigationContext(
        model, datasets, TrainConfig.fromMap(Map.of(), "test"), 1, new Configuration(), datasetId);
  }

  @Test
  void defaultsArePatienceThreeEveryTenStepsOnSixtyFourExamples() {
    Mitigation m = Mitigations.create("early_stop", Map.of());
    assertThat(m.params())
        .isEqualTo(
            Map.of(
                "at_step",
                0,
                "patience",
                3,
                "min_delta",
                0.0,
                "eval_every",
                10,
                "eval_examples",
                64));
    assertThat(Mitigations.NAMES).contains("early_stop");
  }

  @Test
  void badParametersAreRejectedByName() {
    assertThatThrownBy(() -> Mitigations.create("early_stop", Map.of("patience", 0)))
        .isInstanceOf(UserException.class)
        .hasMessageContaining("at_step")
        .hasMessageContaining("patience");
    assertThatThrownBy(() -> Mitigations.create("early_stop", Map.of("eval_every", 0)))
        .isInstanceOf(UserException.class)
        .hasMessage("early_stop.eval_every must be >= 1, got 0");
    assertThatThrownBy(() -> Mitigations.create("early_stop", Map.of("eval_examples", 0)))
        .isInstanceOf(UserException.class)
        .hasMessage("early_stop.eval_examples must be >= 1, got 0");
    assertThatThrownBy(() -> Mitigations.create("early_stop", Map.of("at_step", -1)))
        .isInstanceOf(UserException.class)
        .hasMessage("early_stop.at_step must be >= 0, got -1");
    assertThatThrownBy(() -> Mitigations.create("early_stop", Map.of("min_delta", -0.1)))
        .isInstanceOf(UserException.class)
        .hasMessage("early_stop.min_delta must be >= 0, got -0.1");
    assertThatThrownBy(() -> Mitigations.create("early_stop", Map.of("patience", 1.5)))
        .isInstanceOf(UserException.class)
        .hasMessageContaining("patience");
    assertThatThrownBy(() -> Mitigations.create("early_stop", Map.of("patiense", 2)))
        .isInstanceOf(UserException.class)
        .hasMessageContaining("patiense");
  }

  @Test
  void patienceEvaluatesOnTheTrainingSetsEvalSplitUpToEvalExamples() {
    List<List<ChatMessage>> eval = MitigationsTest.conversations("held", 10);
    MitigationContext ctx =
        context(
            Map.of("task", MitigationsTest.conversations("task", 10), "task@eval", eval), "task");
    EarlyStop stop =
        Mitigations.create("early_stop", Map.of("eval_examples", 4, "eval_every", 5))
            .earlyStop(ctx);
    assertThat(stop.heldOut()).hasSize(4);
    assertThat(stop.heldOut().get(0).ids())
        .isEqualTo(ctx.tokenize(eval.subList(0, 1)).get(0).ids());
    assertThat(List.of(stop.atStep(), stop.patience(), stop.evalEvery()))
        .isEqualTo(List.of(0, 3, 5));
  }

  @Test
  void aTrainingSetWithoutHeldOutExamplesIsAClearError() {
    Mitigation m = Mitigations.create("early_stop", Map.of());
    assertThatThrownBy(
            () ->
                m.earlyStop(
                    context(
                        Map.of(
                            "task",
                            MitigationsTest.conversations("task", 4),
                            "task@eval",
                            List.of()),
                        "task")))
        .isInstanceOf(UserException.class)
        .hasMessageContaining("'task' has no eval split")
        .hasMessageContaining("--eval-fraction");
    assertThatThrownBy(
            () ->
                m.earlyStop(
                    context(Map.of("task", MitigationsTest.conversations("task", 4)), "task")))
        .isInstanceOf(UserException.class)
        .hasMessageContaining("train.split must be 'train'");
    // A fixed step needs no held-out data.
    EarlyStop fixed =
        Mitigations.create("early_stop", Map.of("at_step", 5, "patience", 0))
            .earlyStop(context(Map.of("task", MitigationsTest.conversations("task", 4)), "task"));
    assertThat(fixed.atStep()).isEqualTo(5);
    assertThat(fixed.heldOut()).isEmpty();
  }
}
