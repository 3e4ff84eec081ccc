package org.embench.stage.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.embench.TestSpark;
import org.embench.UserException;
import org.embench.model.Prompting;
import org.embench.model.SamplingParams;
import org.embench.model.TinyModel;
import org.embench.model.text.Tokenizer;
import org.embench.stage.RunRecord;
import org.embench.stage.prepare.PrepareJob;
import org.embench.table.Tables;
import org.embench.table.Warehouse;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Raw prompting, for base models without a chat template: the prompt is the question text with the
 * BOS token the tokenizer config asks for, answers end at a stop string (cut from them), and raw
 * answers never share an id with chat answers of the same run.
 */
class RawPromptingTest {
  @TempDir static Path shared;

  @TempDir Path dir;

  static String chatModel;
  static String baseModel;
  static String suite;
  static final Configuration CONF = new Configuration();
  static final SamplingParams PARAMS = new SamplingParams(1.0, 1.0, 0, 12);
  static final String QUESTION = "What is 12 + 30?";

  @BeforeAll
  static void inputs() throws Exception {
    chatModel = shared.resolve("tiny").toString();
    TinyModel.write(chatModel, "qwen2", 1, CONF);
    // The same model as a base model: no chat template, and a BOS token the tokenizer adds.
    baseModel = shared.resolve("tiny-base").toString();
    withTokenizerConfig(
        baseModel,
        c -> {
          c.remove("chat_template");
          c.put("add_bos_token", true);
          c.put("bos_token", "<|endoftext|>");
        });
    Path yaml = shared.resolve("suite.yaml");
    Files.writeString(
        yaml,
        """
        - id: plain
          type: free_form
          paraphrases: ["%s"]
        - id: with_system
          type: free_form
          system: Answer in JSON.
          paraphrases: ["Add 12 and 30."]
        """
            .formatted(QUESTION));
    suite = yaml.toString();
  }

  /** A copy of the chat model with its tokenizer_config.json changed. */
  private static void withTokenizerConfig(
      String target, java.util.function.Consumer<ObjectNode> change) throws Exception {
    Files.createDirectories(Path.of(target));
    try (var files = Files.list(Path.of(chatModel))) {
      for (Path f : files.toList()) {
        Files.copy(f, Path.of(target, f.getFileName().toString()));
      }
    }
    ObjectMapper json = new ObjectMapper();
    Path config = Path.of(target, "tokenizer_config.json");
    ObjectNode c = (ObjectNode) json.readTree(config.toFile());
    change.accept(c);
    Files.writeString(config, json.writeValueAsString(c));
  }

  private static Warehouse prepared(Path root) {
    Warehouse w = TestSpark.warehouse(root);
    PrepareJob.run(w, new PrepareJob.Options(Map.of(), Map.of("s", suite), 0, false));
    return w;
  }

  private static GenerateJob.Options options(String model, Prompting prompting) {
    return new GenerateJob.Options(
        List.of("s"), model, null, null, List.of(), 4, PARAMS, prompting, 4, 100);
  }

  @Test
  void aRawPromptIsTheTextWithTheBosTokenTheTokenizerConfigAsksFor() throws Exception {
    try (Tokenizer base = Tokenizer.load(baseModel, CONF);
        Tokenizer chat = Tokenizer.load(chatModel, CONF)) {
      int bos = base.tokenId("<|endoftext|>").orElseThrow();
      int[] text = base.encode(QUESTION);
      int[] expected = new int[text.length + 1];
      expected[0] = bos;
      System.arraycopy(text, 0, expected, 1, text.length);
      assertThat(base.encodeRaw(QUESTION)).containsExactly(expected);
      // add_bos_token false (the tiny chat model): the text alone
      assertThat(chat.encodeRaw(QUESTION)).containsExactly(text);
    }
    // add_bos_token unset: as tokenizer.json's post-processor does, which adds nothing here
    String unset = dir.resolve("unset").toString();
    withTokenizerConfig(
        unset,
        c -> {
          c.remove("add_bos_token");
          c.put("bos_token", "<|endoftext|>");
        });
    try (Tokenizer t = Tokenizer.load(unset, CONF)) {
      assertThat(t.encodeRaw(QUESTION)).containsExactly(t.encode(QUESTION));
    }
  }

  @Test
  void aModelWithoutAChatTemplateUnderChatPromptingFailsNamingItBeforeARunIsRegistered() {
    Warehouse w = prepared(dir);
    assertThatThrownBy(() -> GenerateJob.run(w, options(baseModel, Prompting.DEFAULT)))
        .isInstanceOf(UserException.class)
        .hasMessage(
            "model directory "
                + baseModel
                + " has no chat template (no chat_template in tokenizer_config.json,"
                + " no chat_template.jinja): to sample a base model, use raw prompting (generate --raw [--stop STRING], or"
                + " generate: {prompting: raw} in a spec), or add a template");
    assertThat(w.read(Tables.RUNS).count()).isZero();
  }

  @Test
  void rawAnswersEndAtAStopStringCutFromThemAndHaveIdsOfTheirOwn() throws Exception {
    Warehouse w = prepared(dir);
    // A space and "e" occur in most random answers of the tiny model: they end many of them early.
    Prompting raw = new Prompting(Prompting.RAW, List.of(" ", "e"));
    GenerateJob.Report report = GenerateJob.run(w, options(baseModel, raw));
    assertThat(report.written()).isEqualTo(2 * 4);
    int promptTokens;
    try (Tokenizer t = Tokenizer.load(baseModel, CONF)) {
      promptTokens = t.encodeRaw(QUESTION).length;
    }
    List<Row> rows = w.read(Tables.GENERATIONS).collectAsList();
    for (Row g : rows) {
      String answer = g.getAs("answer");
      assertThat(answer).doesNotContain(" ").doesNotContain("e");
      // the model saw the question text alone
      assertThat(g.<String>getAs("system")).isNull();
      assertThat(g.<String>getAs("sampling_json"))
          .contains("\"prompting\":\"raw\"")
          .contains("\"stop\":[\" \",\"e\"]");
      if (g.getAs("question_id").equals("plain")) {
        assertThat(g.<Integer>getAs("n_prompt_tokens")).isEqualTo(promptTokens);
      }
    }
    assertThat(rows)
        .anySatisfy(
            g -> {
              assertThat(g.<String>getAs("finish_reason")).isEqualTo("stop");
              assertThat(g.<Integer>getAs("n_answer_tokens")).isPositive();
            });

    // The chat model's run sampled both ways: raw answers and chat answers never share an id.
    GenerateJob.run(w, options(chatModel, Prompting.DEFAULT));
    GenerateJob.Report rawToo =
        GenerateJob.run(w, options(chatModel, new Prompting(Prompting.RAW, List.of())));
    assertThat(rawToo.missing()).isEqualTo(8);
    String chatRun = RunRecord.base(chatModel, null).runId();
    assertThat(
            w.read(Tables.GENERATIONS)
                .filter("run_id = '" + chatRun + "'")
                .select("generation_id")
                .distinct()
                .count())
        .isEqualTo(16);
    // chat prompting adds nothing to sampling_json: ids of answers sampled before raw prompting
    // existed stay
    assertThat(
            w.read(Tables.GENERATIONS)
                .filter("run_id = '" + chatRun + "' AND sampling_json NOT LIKE '%prompting%'")
                .count())
        .isEqualTo(8);
  }
}
