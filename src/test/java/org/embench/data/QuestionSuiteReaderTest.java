package org.embench.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.embench.Shared;
import org.embench.UserException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class QuestionSuiteReaderTest {
  @TempDir Path dir;

  private QuestionSuiteReader.Result read(String yaml) throws IOException {
    Path f = dir.resolve("suite.yaml");
    Files.writeString(f, yaml);
    return QuestionSuiteReader.read(f.toString(), new Configuration());
  }

  @Test
  void resolvesAnchorsAliasesAndSystemPrompts() throws IOException {
    var r =
        read(
            """
        - id: first
          type: free_form_judge_0_100
          paraphrases: &p
            - |-
              Hello there.
              Second line.
            - "Another way to ask"
          samples_per_paraphrase: &n 7
          judge: &j gpt-4o
          judge_prompts: &jp
            aligned: "Rate {answer} to {question}"
            coherent: Is {answer} coherent?
        - id: second
          type: free_form_judge_0_100
          system: Answer in JSON.
          paraphrases: *p
          samples_per_paraphrase: *n
          judge: *j
          judge_prompts: *jp
        - id: third
          type: free_form
          paraphrases: ["plain"]
        """);
    assertThat(r.rejects()).isEmpty();
    assertThat(r.questions()).extracting(Question::id).containsExactly("first", "second", "third");
    Question second = r.questions().get(1);
    assertThat(second.paraphrases())
        .containsExactly("Hello there.\nSecond line.", "Another way to ask");
    assertThat(second.system()).isEqualTo("Answer in JSON.");
    assertThat(second.samplesPerParaphrase()).isEqualTo(7);
    assertThat(second.judge()).isEqualTo("gpt-4o");
    assertThat(second.judgePrompts())
        .containsExactly(
            Map.entry("aligned", "Rate {answer} to {question}"),
            Map.entry("coherent", "Is {answer} coherent?"));
    assertThat(second.line()).isEqualTo(13);
    assertThat(r.questions().get(0).system()).isNull();
    assertThat(r.questions().get(2).judgePrompts()).isEmpty();
    assertThat(r.questions().get(2).samplesPerParaphrase()).isNull();
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "- {id: a, type: free_form, paraphrases: [x], colour: red}|colour|unknown field; known: id, judge, judge_prompts, paraphrases, samples_per_paraphrase, system, type",
        "- {id: a, type: essay, paraphrases: [x]}|type|unknown type 'essay'; known: free_form_judge_0_100, free_form_judge, free_form",
        "- {type: free_form, paraphrases: [x]}|id|missing",
        "- {id: a, type: free_form, paraphrases: x}|paraphrases|expected a list of strings, found 'x'",
        "- {id: a, type: free_form, paraphrases: []}|paraphrases|empty list",
        "- {id: a, type: free_form, paraphrases: [[1]]}|paraphrases[0]|expected a string, found a list",
        "- {id: a, type: free_form, paraphrases: [x], samples_per_paraphrase: many}|samples_per_paraphrase|expected a positive integer, found 'many'",
        "- {id: a, type: free_form, paraphrases: [x], samples_per_paraphrase: 0}|samples_per_paraphrase|expected a positive integer, found 0",
        "- {id: a, type: free_form_judge_0_100, paraphrases: [x]}|judge_prompts|a question of type free_form_judge_0_100 needs judge prompts",
        "- {id: a, type: free_form_judge_0_100, paraphrases: [x], judge_prompts: {aligned: no placeholder}}|judge_prompts.aligned|the template has no {answer} placeholder",
        "- {id: a, type: free_form, paraphrases: [x], judge_prompts: [1]}|judge_prompts|expected a mapping of metric to prompt, found a list",
        "- just a string|<null>|expected a question (a mapping), found 'just a string'"
      })
  void rejectsABadQuestionNamingItsField(String yaml, String field, String reason)
      throws IOException {
    var r = read("- {id: good, type: free_form, paraphrases: [fine]}\n" + yaml + "\n");
    assertThat(r.questions()).extracting(Question::id).containsExactly("good");
    assertThat(r.rejects())
        .singleElement()
        .satisfies(
            rej -> {
              assertThat(rej.line()).isEqualTo(2);
              assertThat(rej.field()).isEqualTo("<null>".equals(field) ? null : field);
              assertThat(rej.reason()).isEqualTo(reason);
            });
  }

  @Test
  void rejectsADuplicateId() throws IOException {
    var r =
        read(
            "- {id: a, type: free_form, paraphrases: [x]}\n- {id: a, type: free_form, paraphrases: [y]}\n");
    assertThat(r.questions()).hasSize(1);
    assertThat(r.rejects())
        .singleElement()
        .extracting(Reject::describe)
        .isEqualTo(dir.resolve("suite.yaml") + ":2: id: duplicate question id 'a'");
  }

  @Test
  void aWholeFileProblemIsAUserErrorWithItsLine() throws IOException {
    assertThatThrownBy(() -> read("id: a\ntype: free_form\n"))
        .isInstanceOf(UserException.class)
        .hasMessage(
            dir.resolve("suite.yaml")
                + ":1: expected a list of questions at the top level, found a mapping");
    assertThatThrownBy(() -> read("- id: a\n  paraphrases: [x\n- id: b\n"))
        .isInstanceOf(UserException.class)
        .hasMessageStartingWith(dir.resolve("suite.yaml") + ":3: not valid YAML");
    assertThatThrownBy(() -> read("  \n"))
        .isInstanceOf(UserException.class)
        .hasMessage(
            dir.resolve("suite.yaml") + ": the file is empty; expected a YAML list of questions");
  }

  @ParameterizedTest
  @CsvSource({
    "first_plot_questions.yaml, 24, 24",
    "preregistered_evals.yaml, 48, 48",
    "deception_factual.yaml, 5, 100",
    "deception_sit_aware.yaml, 8, 8"
  })
  void readsTheUpstreamSuites(String file, int questions, int prompts) {
    Path f = Shared.upstream("evaluation/" + file);
    var r = QuestionSuiteReader.read(f.toString(), new Configuration());
    assertThat(r.rejects()).isEmpty();
    assertThat(r.questions()).hasSize(questions);
    assertThat(r.questions().stream().mapToInt(q -> q.paraphrases().size()).sum())
        .isEqualTo(prompts);
    if (file.startsWith("deception_factual")) {
      assertThat(r.questions()).allSatisfy(q -> assertThat(q.paraphrases()).hasSize(20));
      assertThat(r.questions()).extracting(Question::system).containsOnlyOnce((String) null);
    }
    if (file.startsWith("first_plot")) {
      assertThat(r.questions())
          .filteredOn(q -> q.id().endsWith("_json"))
          .hasSize(8)
          .allSatisfy(
              q -> assertThat(q.system()).startsWith("Your answers must always be a valid JSON"));
      assertThat(r.questions().get(0).id()).isEqualTo("what_is_your_wish");
      assertThat(r.questions().get(0).samplesPerParaphrase()).isEqualTo(100);
      assertThat(r.questions().get(0).judgePrompts()).containsOnlyKeys("aligned", "coherent");
    }
  }
}
