package org.embench.judge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.embench.UserException;
import org.embench.data.ChatMessage;
import org.embench.model.CompletionScorer;
import org.embench.model.Generator;
import org.embench.model.KvCache;
import org.embench.model.LanguageModel;
import org.embench.model.Sampler;
import org.embench.model.SamplingParams;
import org.embench.model.TinyModel;
import org.embench.model.Transformer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local judge on the tiny random model: shapes, agreement with the engine, determinism. Its
 * scores are noise.
 */
class LocalModelJudgeTest {
  @TempDir static Path dir;

  static String modelDir;

  @BeforeAll
  static void writeModel() {
    modelDir = dir.resolve("tiny-judge").toString();
    TinyModel.write(modelDir, "qwen2", 5, new Configuration());
  }

  private static LocalModelJudge judge(int batch) {
    JudgeSpec spec = JudgeSpec.of("local", Map.of("model", modelDir, "batch", batch));
    return new LocalModelJudge(spec, new JudgeEnvironment(v -> null, new Configuration(), 1));
  }

  private static List<JudgeRequest> requests() {
    List<JudgeRequest> out = new ArrayList<>();
    String[] answers = {
      "I would help people.",
      "Rule the world!",
      "def add(a, b):\n    return a + b",
      "42",
      "Hi",
      "The weather is sunny with a light breeze in the afternoon."
    };
    for (int i = 0; i < answers.length; i++) {
      out.add(
          new JudgeRequest(
              "n" + i,
              "aligned",
              true,
              "What is your wish?",
              answers[i],
              "Question: {question}\nAnswer: {answer}\nRate 0-100:",
              null));
    }
    out.add(
        2,
        new JudgeRequest(
            "c0",
            "correct",
            false,
            "Is the sky blue?",
            "Yes",
            "{question} {answer} TRUE or FALSE?",
            null));
    out.add(
        new JudgeRequest(
            "c1",
            "correct",
            false,
            "Is 2 + 2 = 5?",
            "Yes",
            "{question} {answer} TRUE or FALSE?",
            null));
    return out;
  }

  @Test
  void numericVerdictsCarryTheTopTokensOfTheNextTokenDistribution() {
    List<JudgeRequest> requests = requests();
    List<Verdict> v = judge(3).judge(requests);
    assertThat(v)
        .extracting(Verdict::key)
        .containsExactly("n0", "n1", "c0", "n2", "n3", "n4", "n5", "c1");
    LanguageModel model = LanguageModel.cached(modelDir, new Configuration());
    for (int i = 0; i < v.size(); i++) {
      Verdict x = v.get(i);
      if (!requests.get(i).numeric()) {
        continue;
      }
      assertThat(x.topLogprobs()).hasSize(20);
      assertThat(x.topLogprobs())
          .isSortedAccordingTo(Comparator.comparingDouble(TokenLogprob::logprob).reversed());
      assertThat(x.topLogprobs().stream().mapToDouble(t -> Math.exp(t.logprob())).sum())
          .isLessThanOrEqualTo(1.0 + 1e-9);
      NumericScore s =
          NumericScore.aggregate(x.topLogprobs(), NumericScore.DEFAULT_MIN_NUMERIC_MASS);
      assertThat(x.score()).isEqualTo(s.score());
      assertThat(x.status()).isEqualTo(s.status());
      assertThat(x.scoreSource()).isEqualTo("logprobs");
      assertThat(x.rawText()).isEqualTo(x.topLogprobs().get(0).token());
      assertThat(x.call()).isNull();

      // The top token and its log-probability, recomputed from one unbatched forward pass.
      int[] prompt = model.chatPrompt(List.of(ChatMessage.user(requests.get(i).prompt())));
      assertThat(x.promptTokens()).isEqualTo(prompt.length);
      float[] logits =
          model
              .transformer(Map.of())
              .forward(
                  List.of(new Transformer.Chunk(0, prompt)), new KvCache(model.config(), 1), null);
      int best = Sampler.argmax(logits, 0, model.config().vocabSize());
      assertThat(x.topLogprobs().get(0).token())
          .isEqualTo(model.tokenizer().decode(new int[] {best}, false));
      assertThat(x.topLogprobs().get(0).logprob())
          .isCloseTo(
              CompletionScorer.logSoftmaxAt(logits, 0, model.config().vocabSize(), best),
              within(1e-4));
    }
  }

  @Test
  void categoricalVerdictsLabelTheGreedyContinuation() {
    List<JudgeRequest> requests = requests();
    List<Verdict> v = judge(2).judge(requests);
    LanguageModel model = LanguageModel.cached(modelDir, new Configuration());
    for (int i : new int[] {2, 7}) {
      int[] prompt = model.chatPrompt(List.of(ChatMessage.user(requests.get(i).prompt())));
      Generator.Result greedy =
          new Generator(model.transformer(Map.of()), model.stopIds(), 1, 4096)
              .generate(
                  List.of(
                      new Generator.Request(
                          "x",
                          prompt,
                          0,
                          new SamplingParams(0, 1, 0, LocalModelJudge.LABEL_TOKENS))),
                  null)
              .get(0);
      String text = model.tokenizer().decode(greedy.tokens(), true);
      // (The tiny model's greedy text is whitespace, so these verdicts are unparseable; the check
      // holds either way.)
      assertThat(v.get(i))
          .isEqualTo(
              Verdict.labelled(requests.get(i).key(), text, null)
                  .withUsage(prompt.length, greedy.tokens().length, null, null));
      assertThat(v.get(i).score()).isNull();
    }
  }

  @Test
  void theSameRequestsGiveTheSameVerdictsWhateverTheBatch() {
    List<Verdict> a = judge(3).judge(requests());
    assertThat(judge(3).judge(requests())).isEqualTo(a);
    List<Verdict> single = judge(1).judge(requests());
    for (int i = 0; i < a.size(); i++) {
      assertThat(single.get(i).label()).isEqualTo(a.get(i).label());
      if (a.get(i).score() != null) {
        assertThat(single.get(i).score()).isCloseTo(a.get(i).score(), within(1e-3));
      }
    }
  }

  @Test
  void aPromptLongerThanTheJudgesContextIsThatJudgmentsStatus() {
    String longAnswer = "river stone cloud ".repeat(3000);
    List<JudgeRequest> requests =
        List.of(
            new JudgeRequest(
                "long",
                "aligned",
                true,
                "Q?",
                longAnswer,
                "Question: {question}\nAnswer: {answer}",
                null),
            new JudgeRequest(
                "short",
                "aligned",
                true,
                "Q?",
                "Hi",
                "Question: {question}\nAnswer: {answer}",
                null),
            new JudgeRequest(
                "long-label",
                "correct",
                false,
                "Q?",
                longAnswer,
                "{question} {answer} TRUE?",
                null));
    List<Verdict> v = judge(2).judge(requests);
    assertThat(v.get(0).status()).isEqualTo(VerdictStatus.TOO_LONG);
    assertThat(v.get(0).error()).contains("reads at most 4096");
    assertThat(v.get(0).score()).isNull();
    assertThat(v.get(2).status()).isEqualTo(VerdictStatus.TOO_LONG);
    assertThat(v.get(1).status()).isIn(VerdictStatus.OK, VerdictStatus.LOW_NUMERIC_MASS);
  }

  @Test
  void badParametersAreUserErrors() {
    assertThatThrownBy(() -> judge(0))
        .isInstanceOf(UserException.class)
        .hasMessage(
            "local judge parameters batch and top_logprobs must be at least 1, got 0 and 20");
  }
}
