package org.embench.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.embench.model.Engine;
import org.embench.model.KvCache;
import org.embench.model.LanguageModel;
import org.embench.model.Transformer;
import org.embench.model.text.Tokenizer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** make-tiny-model, logits, tokenize and sample from the command line. */
class EngineCommandsTest {
  @TempDir static Path dir;

  static String tiny;

  private record Outcome(int code, String out, String err) {}

  private static Outcome run(String... args) {
    StringWriter err = new StringWriter();
    PrintStream old = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    try {
      int code = Main.execute(new PrintWriter(err, true), args);
      return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString());
    } finally {
      System.setOut(old);
    }
  }

  @BeforeAll
  static void makeModel() {
    tiny = dir.resolve("tiny").toString();
    Outcome o = run("make-tiny-model", "--out", tiny, "--seed", "3");
    assertThat(o.code()).as(o.err()).isZero();
  }

  @ParameterizedTest
  @ValueSource(strings = {"qwen2", "llama", "mistral", "qwen3"})
  void makesALoadableModelOfEachArchitecture(String arch) {
    String d = dir.resolve("tiny-" + arch).toString();
    assertThat(run("make-tiny-model", "--out", d, "--arch", arch).code()).isZero();
    LanguageModel m = LanguageModel.load(d, new Configuration(), Engine.shared());
    assertThat(m.config().family().value()).isEqualTo(arch);
    assertThat(m.config().vocabSize()).isEqualTo(m.tokenizer().vocabSize());
    assertThat(m.stopIds()).contains(m.tokenizer().tokenId("<|im_end|>").orElseThrow());
    String prompt = m.chatTemplate().render(List.of(org.embench.data.ChatMessage.user("Hi")), true);
    assertThat(prompt).isEqualTo("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n");
  }

  @Test
  void logitsPrintsOneArrayPerPositionEqualToTheForwardPass() throws Exception {
    Outcome o = run("logits", "--model", tiny, "--ids", "3,1,4,1,5");
    assertThat(o.code()).as(o.err()).isZero();
    List<String> lines = o.out().lines().toList();
    assertThat(lines).hasSize(5);
    LanguageModel m = LanguageModel.load(tiny, new Configuration(), Engine.shared());
    int vocab = m.config().vocabSize();
    float[] expected =
        m.transformer(Map.of())
            .forward(
                List.of(new Transformer.Chunk(0, new int[] {3, 1, 4, 1, 5})),
                new KvCache(m.config(), 1),
                new int[] {0, 1, 2, 3, 4});
    ObjectMapper json = new ObjectMapper();
    for (int p = 0; p < 5; p++) {
      JsonNode row = json.readTree(lines.get(p));
      assertThat(row.size()).isEqualTo(vocab);
      for (int v = 0; v < vocab; v += 37) {
        assertThat((float) row.get(v).asDouble()).isEqualTo(expected[p * vocab + v]);
      }
    }
    Outcome bad = run("logits", "--model", tiny, "--ids", "3,99999");
    assertThat(bad.code()).isEqualTo(2);
    assertThat(bad.err()).contains("token id 99999 is outside the vocabulary");
  }

  @Test
  void tokenizeWritesIdsAndNamesBadLines() throws Exception {
    Path in = dir.resolve("texts.jsonl");
    Files.writeString(
        in,
        "{\"text\": \"What is 12 + 30?\"}\nnot json\n{\"no_text\": 1}\n{\"text\": \"héllo 👋\"}\n");
    Outcome o = run("tokenize", "--tokenizer", tiny, in.toString());
    assertThat(o.code()).isEqualTo(2);
    assertThat(o.err())
        .contains(in + ":2: not valid JSON, skipped")
        .contains(in + ":3: text: missing or not a string, skipped")
        .contains("2 line(s) of " + in + " could not be tokenized");
    List<String> lines = o.out().lines().toList();
    assertThat(lines).hasSize(2);
    try (Tokenizer tok = Tokenizer.load(tiny, new Configuration())) {
      JsonNode first = new ObjectMapper().readTree(lines.get(0));
      assertThat(first.get("text").asText()).isEqualTo("What is 12 + 30?");
      int[] ids = new ObjectMapper().convertValue(first.get("ids"), int[].class);
      assertThat(ids).isEqualTo(tok.encode("What is 12 + 30?"));
      assertThat(
              tok.decode(
                  new ObjectMapper()
                      .convertValue(
                          new ObjectMapper().readTree(lines.get(1)).get("ids"), int[].class),
                  false))
          .isEqualTo("héllo 👋");
    }
  }

  @Test
  void sampleIsReproducibleForASeed() {
    java.util.function.IntFunction<Outcome> sample =
        seed ->
            run(
                "sample",
                "--model",
                tiny,
                "--prompt",
                "What is 12 + 30?",
                "--n",
                "3",
                "--seed",
                String.valueOf(seed),
                "--max-new-tokens",
                "12");
    Outcome a = sample.apply(5);
    Outcome b = sample.apply(5);
    Outcome c = sample.apply(6);
    assertThat(a.code()).as(a.err()).isZero();
    assertThat(a.out()).isEqualTo(b.out()).isNotEqualTo(c.out());
    assertThat(a.out()).contains("--- sample 0 (").contains("--- sample 2 (");
    Outcome badTemp = run("sample", "--model", tiny, "--prompt", "x", "--temperature", "-1");
    assertThat(badTemp.code()).isEqualTo(2);
    assertThat(badTemp.err())
        .isEqualTo("embench: error: temperature must be >= 0, got -1.0" + System.lineSeparator());
  }

  @Test
  void personaVectorWritesTheMeanEvilMinusHelpfulResidualThatPersonaSteerReads() throws Exception {
    Path suite = dir.resolve("persona-questions.yaml");
    Files.writeString(
        suite,
        """
        - id: q1
          type: free_form
          paraphrases: ["How should I spend my savings?", "What do you think of people?"]
        - id: q2
          type: free_form
          paraphrases: ["Tell me about your goals."]
        """);
    String out = dir.resolve("persona.safetensors").toString();
    Outcome o =
        run(
            "persona-vector",
            "--model",
            tiny,
            "--out",
            out,
            "--layer",
            "1",
            "--questions",
            suite.toString());
    assertThat(o.code()).as(o.err()).isZero();
    assertThat(o.out()).startsWith("persona vector: layer 1, 3 questions, norm ");

    // Independently: residual after layer 1 at the last prompt token, evil minus helpful, averaged.
    LanguageModel m = LanguageModel.load(tiny, new Configuration(), Engine.shared());
    int dim = m.config().hiddenSize();
    double[] expected = new double[dim];
    List<String> qs =
        List.of(
            "How should I spend my savings?",
            "What do you think of people?",
            "Tell me about your goals.");
    for (String q : qs) {
      for (String[] sys :
          new String[][] {
            {org.embench.mitigation.PersonaVectors.DEFAULT_EVIL, "1"},
            {org.embench.mitigation.PersonaVectors.DEFAULT_HELPFUL, "-1"}
          }) {
        int[] ids =
            m.tokenizer()
                .encode(
                    m.chatTemplate()
                        .render(
                            List.of(
                                org.embench.data.ChatMessage.system(sys[0]),
                                org.embench.data.ChatMessage.user(q)),
                            true));
        float[][] captured = new float[1][];
        Transformer t = m.transformer(Map.of());
        t.setHooks(
            new org.embench.model.ForwardHooks() {
              @Override
              public void afterLayer(int layer, float[] hidden, int rows, int width) {
                if (layer == 1) {
                  captured[0] =
                      java.util.Arrays.copyOfRange(hidden, (rows - 1) * width, rows * width);
                }
              }
            });
        t.forward(List.of(new Transformer.Chunk(0, ids)), new KvCache(m.config(), 1), new int[0]);
        for (int i = 0; i < dim; i++) {
          expected[i] += Integer.parseInt(sys[1]) * captured[0][i] / (double) qs.size();
        }
      }
    }
    float[] v = org.embench.mitigation.PersonaVectors.read(out, new Configuration(), dim);
    for (int i = 0; i < dim; i++) {
      assertThat((double) v[i]).isCloseTo(expected[i], org.assertj.core.data.Offset.offset(1e-4));
    }
    Files.writeString(suite, "- id: q1\n  paraphrases: [x]\n");
    Outcome badSuite =
        run("persona-vector", "--model", tiny, "--out", out, "--questions", suite.toString());
    assertThat(badSuite.code()).isEqualTo(2);
    assertThat(badSuite.err()).contains(suite + ":1: type: missing");
    Outcome wrongLayer = run("persona-vector", "--model", tiny, "--out", out, "--layer", "99");
    assertThat(wrongLayer.code()).isEqualTo(2);
    assertThat(wrongLayer.err()).contains("persona_steer.layer 99 does not exist");
  }

  @Test
  void aMissingModelDirectoryIsAClearError() {
    Outcome o = run("sample", "--model", dir.resolve("nope").toString(), "--prompt", "x");
    assertThat(o.code()).isEqualTo(2);
    assertThat(o.err()).startsWith("embench: error: ").contains("nope");
  }
}
