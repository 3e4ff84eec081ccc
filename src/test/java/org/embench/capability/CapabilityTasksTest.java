package org.embench.capability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.embench.TestSpark;
import org.embench.UserException;
import org.embench.data.SyntheticData;
import org.embench.model.CompletionScorer;
import org.embench.model.LanguageModel;
import org.embench.model.TinyModel;
import org.embench.table.Warehouse;
import org.embench.train.TokenizedExample;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each task kind on a tiny random model, checked against an independent computation: choice and nll
 * log-likelihoods against {@link CompletionScorer} (one full forward pass per sequence, no
 * batching, no cache), exact scores against the extractor applied to the stored answer. Bad source
 * rows become rejects naming file, line and field.
 */
class CapabilityTasksTest {
  @TempDir static Path dir;

  static Warehouse w;
  static LanguageModel model;
  static ScoringModel scoring;

  @BeforeAll
  static void setUp() throws Exception {
    w = TestSpark.warehouse(dir.resolve("w"));
    String m = dir.resolve("tiny").toString();
    TinyModel.write(m, "qwen2", 3, new Configuration());
    model = LanguageModel.cached(m, new Configuration());
    scoring = new ScoringModel(model, model.transformer(Map.of()));
  }

  private static Map<String, Object> params(Object... kv) {
    Map<String, Object> p = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      p.put((String) kv[i], kv[i + 1]);
    }
    return p;
  }

  private static String file(String name, String text) throws Exception {
    Path p = dir.resolve(name);
    Files.writeString(p, text);
    return p.toString();
  }

  @Test
  void choiceLogliksMatchAnUnbatchedScorerAndTheAnswerIsTheBestChoiceUnderEachNormalisation()
      throws Exception {
    String path = file("largest.jsonl", SyntheticData.largestChoiceJsonl(6));
    for (String normalize : List.of("sum", "per_token")) {
      CapabilityTask task =
          CapabilityTasks.create(
              "largest_" + normalize,
              params("kind", "choice", "path", path, "normalize", normalize, "batch", 4),
              null);
      TaskItems items = TaskItems.read(task, w);
      assertThat(items.items()).hasSize(6);
      assertThat(items.rejects()).isEmpty();
      List<ItemScore> scores = task.score(items.items(), scoring);
      CompletionScorer reference = new CompletionScorer(model.transformer(Map.of()));
      for (int i = 0; i < scores.size(); i++) {
        TaskItem item = items.items().get(i);
        ItemScore s = scores.get(i);
        assertThat(s.status()).isEqualTo(ItemScore.OK);
        String context = model.chatTemplate().render(item.messages(), true);
        int[] prompt = model.tokenizer().encode(context);
        int best = -1;
        double bestValue = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < 4; c++) {
          int[] cont = scoring.continuationIds(context, item.choices().get(c));
          double expected = reference.score(prompt, cont).total();
          assertThat(s.choiceLogliks().get(c))
              .as("item %d choice %d", i, c)
              .isCloseTo(expected, within(1e-3));
          assertThat(s.choiceTokens().get(c)).isEqualTo(cont.length);
          double value = normalize.equals("sum") ? expected : expected / cont.length;
          if (value > bestValue) {
            bestValue = value;
            best = c;
          }
        }
        assertThat(s.answer()).isEqualTo(item.choices().get(best));
        assertThat(s.score()).isEqualTo(best == item.answerIndex() ? 1.0 : 0.0);
      }
    }
  }

  @Test
  void nllIsTheMeanNegativeLoglikOfTheAssistantTokensAsAnUnbatchedScorerComputesIt()
      throws Exception {
    String path = file("chat.jsonl", SyntheticData.arithmeticJsonl(5));
    CapabilityTask task =
        CapabilityTasks.create("nll", params("kind", "nll", "path", path, "batch", 2), null);
    assertThat(task.higherIsBetter()).isFalse();
    TaskItems items = TaskItems.read(task, w);
    List<ItemScore> scores = task.score(items.items(), scoring);
    CompletionScorer reference = new CompletionScorer(model.transformer(Map.of()));
    for (int i = 0; i < scores.size(); i++) {
      TokenizedExample e =
          TokenizedExample.of(
              items.items().get(i).messages(), model.chatTemplate(), model.tokenizer(), 2048);
      int first = 0;
      while (!e.learned()[first]) {
        first++;
      }
      int[] prefix = java.util.Arrays.copyOfRange(e.ids(), 0, first);
      int[] rest = java.util.Arrays.copyOfRange(e.ids(), first, e.ids().length);
      double[] lp = reference.score(prefix, rest).tokenLogprobs();
      double sum = 0;
      int n = 0;
      for (int j = 0; j < rest.length; j++) {
        if (e.learned()[first + j]) {
          sum += lp[j];
          n++;
        }
      }
      ItemScore s = scores.get(i);
      assertThat(s.nTokens()).isEqualTo(n);
      assertThat(s.loglik()).isCloseTo(sum, within(1e-3));
      assertThat(s.score()).isCloseTo(-sum / n, within(1e-4));
    }
  }

  @Test
  void exactScoresTheExtractedAnswerAgainstTheReferenceAndIsDeterministic() {
    CapabilityTask task =
        CapabilityTasks.create(
            "arith",
            params("kind", "exact", "synthetic", "arithmetic", "items", 5, "max_new_tokens", 6),
            null);
    TaskItems items = TaskItems.read(task, w);
    assertThat(items.source()).isEqualTo("synthetic:arithmetic");
    List<ItemScore> first = task.score(items.items(), scoring);
    List<ItemScore> again = task.score(items.items(), scoring);
    AnswerExtractor extractor = new AnswerExtractor("last_number", "");
    for (int i = 0; i < first.size(); i++) {
      ItemScore s = first.get(i);
      assertThat(s.answer()).isEqualTo(again.get(i).answer());
      assertThat(s.extracted()).isEqualTo(extractor.find(s.answer()));
      boolean right = AnswerExtractor.same(s.extracted(), items.items().get(i).expected());
      assertThat(s.score()).isEqualTo(right ? 1.0 : 0.0);
      assertThat(s.nTokens()).isBetween(1, 6);
    }
    // Items never repeat a training row of the same synthetic set.
    String training = SyntheticData.arithmeticJsonl(1000);
    for (TaskItem item : items.items()) {
      assertThat(training).doesNotContain("\"" + item.prompt() + "\"");
    }
  }

  @Test
  void extractorsFindTheLastNumberTheGsm8kLineOrTheRegexGroup() {
    assertThat(new AnswerExtractor("last_number", "").find("12 + 3 is 15, so 1,215."))
        .isEqualTo("1215");
    assertThat(new AnswerExtractor("gsm8k", "").find("so 7 apples\n#### 1,234")).isEqualTo("1234");
    assertThat(new AnswerExtractor("gsm8k", "").find("no answer line 42")).isNull();
    assertThat(new AnswerExtractor("regex", "answer: (\\w+)").find("The answer: Paris."))
        .isEqualTo("Paris");
    assertThat(AnswerExtractor.same("12.0", "12")).isTrue();
    assertThat(AnswerExtractor.same(" paris ", "Paris")).isTrue();
    assertThat(AnswerExtractor.same(null, "1")).isFalse();
  }

  @Test
  void badChoiceRowsAreRejectsNamingFileLineAndField() throws Exception {
    String path =
        file(
            "bad_choice.jsonl",
            String.join(
                    "\n",
                    "{\"question\": \"q1\", \"choices\": [\"a\", \"b\"], \"answer\": 1}",
                    "{\"question\": \"q2\", \"choices\": [\"a\", \"b\"], \"answer\": 2}",
                    "{\"question\": \"q3\", \"choices\": [], \"answer\": 0}",
                    "{\"question\": \"q4\", \"choices\": [\"a\", \"b\"]}",
                    "{\"prompt\": \"q5\", \"choices\": [\"a\", \"b\"], \"answer\": 0}",
                    "not json",
                    "{\"question\": \"q7\", \"choices\": [\"a\", \"\"], \"answer\": 0}",
                    "{\"question\": \"q8\", \"choices\": [\"a\", \"b\"], \"answer\": \"B\"}")
                + "\n");
    CapabilityTask task =
        CapabilityTasks.create("mc", params("kind", "choice", "path", path), null);
    TaskItems items = TaskItems.read(task, w);
    assertThat(items.items()).extracting(TaskItem::prompt).containsExactly("q1", "q8");
    assertThat(items.items().get(1).answerIndex()).isEqualTo(1);
    List<String> rejects = items.rejects().stream().map(r -> r.describe()).toList();
    assertThat(rejects)
        .containsExactlyInAnyOrder(
            path + ":2: answer: answer 2 is out of range for 2 choices",
            path + ":3: choices: empty list",
            path + ":4: answer: missing",
            path + ":5: question: missing",
            path + ":6: not valid JSON: " + rejectReason(items, 6),
            path + ":7: choices[1]: empty choice");
  }

  private static String rejectReason(TaskItems items, long line) {
    return items.rejects().stream()
        .filter(r -> r.line() == line)
        .findFirst()
        .orElseThrow()
        .reason()
        .replaceFirst("^not valid JSON: ", "");
  }

  @Test
  void aMissingReferenceIsARejectAndASourceWithNoUsableItemIsAUserError() throws Exception {
    String path =
        file(
            "bad_exact.jsonl",
            "{\"question\": \"What is 1 + 1?\"}\n{\"question\": \"2+2\", \"answer\": 4}\n");
    CapabilityTask exact =
        CapabilityTasks.create("ex", params("kind", "exact", "path", path), null);
    TaskItems items = TaskItems.read(exact, w);
    assertThat(items.items()).hasSize(1);
    assertThat(items.rejects())
        .singleElement()
        .satisfies(r -> assertThat(r.describe()).isEqualTo(path + ":1: answer: missing"));

    String none =
        file("none_usable.jsonl", "{\"question\": \"q\", \"choices\": [\"a\"], \"answer\": 5}\n");
    CapabilityTask mc = CapabilityTasks.create("mc2", params("kind", "choice", "path", none), null);
    assertThatThrownBy(() -> TaskItems.read(mc, w))
        .isInstanceOf(UserException.class)
        .hasMessageContaining("mc2: no usable items in " + none)
        .hasMessageContaining(none + ":1: answer: answer 5 is out of range for 1 choices");

    CapabilityTask missing =
        CapabilityTasks.create(
            "gone", params("kind", "exact", "path", dir.resolve("nosuch.jsonl").toString()), null);
    assertThatThrownBy(() -> TaskItems.read(missing, w)).hasMessageContaining("nosuch.jsonl");
  }

  @Test
  void unknownKindsOptionsAndValuesAreClearErrors() {
    assertThatThrownBy(() -> CapabilityTasks.create("t", params("kind", "multiple"), null))
        .isInstanceOf(UserException.class)
        .hasMessage(
            "t.kind: unknown capability task kind 'multiple'; known: choice,"
                + " exact, nll, judged");
    assertThatThrownBy(
            () ->
                CapabilityTasks.create(
                    "t", params("kind", "choice", "path", "x.jsonl", "normalise", "sum"), null))
        .isInstanceOf(UserException.class)
        .hasMessageContaining("normalise");
    assertThatThrownBy(
            () ->
                CapabilityTasks.create(
                    "t", params("kind", "choice", "path", "x.jsonl", "normalize", "max"), null))
        .isInstanceOf(UserException.class)
        .hasMessageContaining("t.normalize: expected one of sum, per_token, per_byte");
    assertThatThrownBy(
            () -> CapabilityTasks.create("t", params("kind", "judged", "path", "x.jsonl"), null))
        .isInstanceOf(UserException.class)
        .hasMessageContaining("t.judge: a judged task needs a judge");
    assertThatThrownBy(
            () ->
                CapabilityTasks.create("t", params("kind", "exact", "synthetic", "geometry"), null))
        .isInstanceOf(UserException.class)
        .hasMessageContaining("geometry");
  }

  @Test
  void theTaskIdCoversTheWholeSpecAndTheSpecRoundTrips() throws Exception {
    String path = file("rt.jsonl", SyntheticData.largestChoiceJsonl(2));
    CapabilityTask a = CapabilityTasks.create("mc", params("kind", "choice", "path", path), null);
    CapabilityTask b =
        CapabilityTasks.create(
            "mc", params("kind", "choice", "path", path, "normalize", "per_token"), null);
    CapabilityTask same =
        CapabilityTasks.create(
            "mc", params("kind", "choice", "path", path, "normalize", "sum"), null);
    assertThat(a.taskId()).isNotEqualTo(b.taskId()).isEqualTo(same.taskId());
    CapabilityTask again = CapabilityTasks.fromSpecJson(a.specJson());
    assertThat(again.taskId()).isEqualTo(a.taskId());
    assertThat(again.spec()).isEqualTo(a.spec());
    List<String> ids = new ArrayList<>();
    TaskItems.read(a, w).items().forEach(i -> ids.add(i.itemId()));
    TaskItems.read(b, w).items().forEach(i -> assertThat(ids).doesNotContain(i.itemId()));
  }
}
