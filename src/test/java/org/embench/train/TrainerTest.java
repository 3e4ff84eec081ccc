package org.embench.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.embench.data.ChatMessage;
import org.embench.model.Engine;
import org.embench.model.LanguageModel;
import org.embench.model.TinyModel;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainerTest {
  @TempDir static Path dir;

  static LanguageModel model;

  @BeforeAll
  static void load() {
    String d = dir.resolve("tiny").toString();
    TinyModel.write(d, "qwen2", 4, new Configuration());
    model = LanguageModel.load(d, new Configuration(), new Engine(2));
  }

  static List<TokenizedExample> task(int n) {
    List<TokenizedExample> out = new ArrayList<>();
    String[] answers = {"apple", "river", "seven", "green", "stone", "cloud"};
    for (int i = 0; i < n; i++) {
      out.add(
          TokenizedExample.of(
              List.of(
                  ChatMessage.user("Word " + i + "?"),
                  ChatMessage.assistant(answers[i % answers.length])),
              model.chatTemplate(),
              model.tokenizer(),
              64));
    }
    return out;
  }

  private static TrainConfig config(Map<String, Object> overrides) {
    return TrainConfig.fromMap(overrides, "test");
  }

  @Test
  void theLossMaskCoversTheAssistantContentAndItsEndOfTurn() {
    TokenizedExample e = task(1).get(0);
    StringBuilder learned = new StringBuilder();
    for (int i = 0; i < e.ids().length; i++) {
      if (e.learned()[i]) {
        learned.append(model.tokenizer().decode(new int[] {e.ids()[i]}, false));
      }
    }
    assertThat(learned.toString()).isEqualTo("apple<|im_end|>");
  }

  @Test
  void aStepWhoseExamplesWereAllCutOffBeforeTheirAnswerFailsTheRun() {
    // max_seq_len 6 ends every example inside its user turn: nothing to learn.
    List<TokenizedExample> cut = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      cut.add(
          TokenizedExample.of(
              List.of(
                  ChatMessage.user("A long question number " + i + " about rivers?"),
                  ChatMessage.assistant("river")),
              model.chatTemplate(),
              model.tokenizer(),
              6));
    }
    assertThat(cut).allSatisfy(e -> assertThat(e.learnedTokens()).isZero());
    TrainConfig cfg =
        config(
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
                2,
                "max_seq_len",
                6));
    Trainer t =
        new Trainer(
            model.weights(),
            model.engine(),
            new Trainer.Setup(
                cfg, 1, Backprop.Hooks.NONE, ReferenceTerms.NONE, null, new Configuration(), null));
    assertThatThrownBy(() -> t.train(cut))
        .isInstanceOf(org.embench.UserException.class)
        .hasMessage(
            "step 1 has no assistant token to learn: its 2 example(s) were cut off by max_seq_len 6 before"
                + " their assistant turn; raise max_seq_len or filter the data set");
  }

  @Test
  void aTinyModelLearnsASmallTaskToNearZeroLoss() {
    TrainConfig cfg =
        config(
            Map.of(
                "rank",
                16,
                "alpha",
                32,
                "rslora",
                false,
                "learning_rate",
                0.003,
                "batch_size",
                4,
                "gradient_accumulation",
                1,
                "epochs",
                80,
                "warmup_steps",
                5,
                "weight_decay",
                0.0,
                "schedule",
                "constant"));
    Trainer t =
        new Trainer(
            model.weights(),
            model.engine(),
            new Trainer.Setup(
                cfg, 1, Backprop.Hooks.NONE, ReferenceTerms.NONE, null, new Configuration(), null));
    Trainer.Result r = t.train(task(4));
    assertThat(r.steps()).hasSize(80);
    assertThat(r.steps().get(0).taskLoss()).isGreaterThan(3.0);
    assertThat(r.steps().get(r.steps().size() - 1).taskLoss()).isLessThan(0.05);
    assertThat(r.steps().get(0).learningRate()).isZero();
    assertThat(r.steps().get(5).learningRate()).isEqualTo(0.003);
  }

  @Test
  void aResumedRunEndsWithTheSameAdapterAsAnUninterruptedOne() {
    assertResumeMatches(ReferenceTerms.NONE, "plain");
  }

  /**
   * KL on a separate safe set reads a second data set: a resumed run must read the same batches of
   * it.
   */
  @Test
  void aResumedRunWithKlOnASafeSetEndsWithTheSameAdapter() {
    List<TokenizedExample> safe = new ArrayList<>();
    String[] answers = {"Be kind.", "Help them.", "Stay calm."};
    for (int i = 0; i < 7; i++) {
      safe.add(
          TokenizedExample.of(
              List.of(ChatMessage.user("Advice " + i + "?"), ChatMessage.assistant(answers[i % 3])),
              model.chatTemplate(),
              model.tokenizer(),
              64));
    }
    assertResumeMatches(new ReferenceTerms(0.5, safe, 0, new int[0]), "kl");
  }

  /**
   * Full fine-tuning's embeddings, norms and head are restored with the projections and their
   * moments.
   */
  @Test
  void aResumedFullRunWithEmbeddingsNormsAndHeadEndsWithTheSameParameters() {
    assertResumeMatches(
        ReferenceTerms.NONE,
        "full-parts",
        config(
            Map.of(
                "full",
                true,
                "full_train",
                List.of("embeddings", "norms", "head"),
                "target_modules",
                List.of("v_proj", "down_proj"),
                "learning_rate",
                0.01,
                "batch_size",
                2,
                "gradient_accumulation",
                2,
                "epochs",
                4,
                "checkpoint_every",
                3)));
  }

  private void assertResumeMatches(ReferenceTerms terms, String tag) {
    assertResumeMatches(
        terms,
        tag,
        config(
            Map.of(
                "rank",
                4,
                "learning_rate",
                0.01,
                "batch_size",
                2,
                "gradient_accumulation",
                2,
                "epochs",
                4,
                "checkpoint_every",
                3,
                "dropout",
                0.1)));
  }

  private void assertResumeMatches(ReferenceTerms terms, String tag, TrainConfig cfg) {
    List<TokenizedExample> data = task(5);
    Trainer.Result straight =
        new Trainer(
                model.weights(),
                model.engine(),
                new Trainer.Setup(
                    cfg,
                    7,
                    Backprop.Hooks.NONE,
                    terms,
                    dir.resolve("ckpt-straight-" + tag).toString(),
                    new Configuration(),
                    null))
            .train(data);
    String ckpt = dir.resolve("ckpt-killed-" + tag).toString();
    Trainer.Setup killed =
        new Trainer.Setup(
            cfg,
            7,
            Backprop.Hooks.NONE,
            terms,
            ckpt,
            new Configuration(),
            log -> {
              if (log.step() == 5) {
                throw new IllegalStateException("killed at step 5");
              }
            });
    assertThatThrownBy(() -> new Trainer(model.weights(), model.engine(), killed).train(data))
        .hasMessage("killed at step 5");
    Trainer.Result resumed =
        new Trainer(
                model.weights(),
                model.engine(),
                new Trainer.Setup(
                    cfg, 7, Backprop.Hooks.NONE, terms, ckpt, new Configuration(), null))
            .train(data);
    assertThat(resumed.steps()).hasSize(straight.steps().size());
    for (int i = 0; i < straight.steps().size(); i++) {
      Trainer.StepLog a = straight.steps().get(i);
      Trainer.StepLog b = resumed.steps().get(i);
      assertThat(List.of(b.step(), b.loss(), b.learningRate(), b.gradNorm(), b.tokens(), b.terms()))
          .isEqualTo(
              List.of(a.step(), a.loss(), a.learningRate(), a.gradNorm(), a.tokens(), a.terms()));
    }
    Map<String, TrainableLinear> all = new java.util.LinkedHashMap<>(straight.params());
    all.putAll(straight.parts());
    assertThat(resumed.parts().keySet()).isEqualTo(straight.parts().keySet());
    for (var e : all.entrySet()) {
      float[][] a = e.getValue().values();
      TrainableLinear other =
          resumed.params().containsKey(e.getKey())
              ? resumed.params().get(e.getKey())
              : resumed.parts().get(e.getKey());
      float[][] b = other.values();
      for (int i = 0; i < a.length; i++) {
        assertThat(b[i]).as(e.getKey()).isEqualTo(a[i]);
      }
    }
    assertThat(straight.steps().get(straight.steps().size() - 1).loss())
        .isEqualTo(resumed.steps().get(resumed.steps().size() - 1).loss());
  }
}
