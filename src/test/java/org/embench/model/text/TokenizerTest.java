package org.embench.model.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.embench.Shared;
import org.embench.UserException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Qwen3 tokenizer of ../shared/fixtures against ids that transformers produced. */
class TokenizerTest {
  private static Tokenizer qwen;

  @BeforeAll
  static void load() {
    qwen = Tokenizer.load(Shared.require(QwenFixture.DIR).toString(), new Configuration());
  }

  @AfterAll
  static void close() {
    if (qwen != null) {
      qwen.close();
    }
  }

  @Test
  void encodesEveryReferenceTextAsTransformersDoes() throws IOException {
    ObjectMapper json = new ObjectMapper();
    List<String> lines =
        Files.readAllLines(Shared.require(QwenFixture.DIR + "/reference_encodings.jsonl"));
    assertThat(lines).hasSize(162);
    for (int n = 0; n < lines.size(); n++) {
      JsonNode row = json.readTree(lines.get(n));
      int[] expected = json.treeToValue(row.get("ids"), int[].class);
      assertThat(qwen.encode(row.get("text").asText()))
          .as("line %d: %s", n + 1, row.get("text").asText())
          .containsExactly(expected);
    }
  }

  @Test
  void specialTokenTextEncodesAsTheSpecialIdAndNothingIsAdded() {
    assertThat(qwen.encode("<|im_start|>user\nhi<|im_end|>"))
        .containsExactly(151644, 872, 198, 6023, 151645);
    assertThat(qwen.encode("")).isEmpty();
    assertThat(qwen.tokenId("<|im_start|>")).hasValue(151644);
    assertThat(qwen.tokenId("Ġthe")).hasValue(279);
    assertThat(qwen.tokenId("no such token")).isEmpty();
  }

  @Test
  void neverTruncates() {
    String text = "word ".repeat(3000);
    assertThat(qwen.encode(text)).hasSizeGreaterThan(2500);
    assertThat(qwen.decode(qwen.encode(text), false)).isEqualTo(text);
  }

  @Test
  void offsetsAreJavaStringIndices() {
    String text = "<|im_start|>é 😀 中文 ok";
    EncodedText encoded = qwen.encodeWithOffsets(text);
    assertThat(encoded.ids()).containsExactly(qwen.encode(text));
    assertThat(encoded.starts()[0]).isZero();
    assertThat(encoded.ends()[0]).isEqualTo("<|im_start|>".length());
    assertThat(encoded.ends()[encoded.size() - 1]).isEqualTo(text.length());
    for (int i = 0; i < encoded.size(); i++) {
      String piece = text.substring(encoded.starts()[i], encoded.ends()[i]);
      assertThat(text).contains(piece);
    }
    int ok = text.indexOf(" ok");
    assertThat(
            text.substring(
                encoded.starts()[encoded.size() - 1], encoded.ends()[encoded.size() - 1]))
        .isEqualTo(text.substring(ok));
  }

  @Test
  void maskMarksTokensInsideSpans() {
    String text = "<|im_start|>assistant\nHello there<|im_end|>\n";
    int start = text.indexOf("Hello");
    int end = text.indexOf("\n", start);
    EncodedText encoded = qwen.encodeWithOffsets(text);
    boolean[] mask = encoded.mask(List.of(new TextSpan(start, end)));
    StringBuilder masked = new StringBuilder();
    for (int i = 0; i < encoded.size(); i++) {
      if (mask[i]) {
        masked.append(text, encoded.starts()[i], encoded.ends()[i]);
      }
    }
    assertThat(masked.toString()).isEqualTo("Hello there<|im_end|>");
  }

  @Test
  void decodesWithAndWithoutSpecialTokens() {
    int[] ids = qwen.encode("<|im_start|>assistant\nCafé 😀<|im_end|>");
    assertThat(qwen.decode(ids, false)).isEqualTo("<|im_start|>assistant\nCafé 😀<|im_end|>");
    assertThat(qwen.decode(ids, true)).isEqualTo("assistant\nCafé 😀");
    assertThatThrownBy(() -> qwen.decode(new int[] {qwen.vocabSize()}, false))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("token id 151669 is outside the vocabulary [0, 151669)");
  }

  @Test
  void vocabularyAndSpecialTokens() {
    assertThat(qwen.vocabSize()).isEqualTo(151669);
    assertThat(qwen.specialTokenIds())
        .hasSize(14)
        .contains(151643, 151644, 151645)
        .doesNotContain(151667);
    // eos_token <|im_end|> and <|endoftext|>, the two ids of Qwen3's generation_config.json
    assertThat(qwen.endOfTurnIds()).containsExactlyInAnyOrder(151645, 151643);
  }

  @Test
  void readsGenerationConfigAndChatTemplateFile(@TempDir Path dir) throws IOException {
    ByteLevelBpeBuilder.train(List.of("hello world"), 300)
        .writeTo(dir.toString(), new Configuration());
    Files.writeString(dir.resolve("generation_config.json"), "{\"eos_token_id\": [0, 258]}");
    Files.writeString(dir.resolve("chat_template.jinja"), "{{ messages[0]['content'] }}!");
    try (Tokenizer t = Tokenizer.load(dir.toString(), new Configuration())) {
      int imEnd = t.tokenId("<|im_end|>").getAsInt();
      int endOfText = t.tokenId("<|endoftext|>").getAsInt();
      assertThat(t.endOfTurnIds()).containsExactlyInAnyOrder(0, 258, imEnd, endOfText);
      assertThat(t.chatTemplate().render(List.of(org.embench.data.ChatMessage.user("hi")), false))
          .isEqualTo("hi!");
    }
  }

  @Test
  void copiesFromNonLocalFileSystems(@TempDir Path dir) {
    ByteLevelBpeBuilder.train(List.of("hello world"), 300)
        .writeTo(dir.toString(), new Configuration());
    Configuration conf = new Configuration();
    conf.set("fs.remote.impl", RemoteFileSystem.class.getName());
    conf.setBoolean("fs.remote.impl.disable.cache", true);
    try (Tokenizer t = Tokenizer.load("remote://" + dir, conf)) {
      assertThat(t.decode(t.encode("hello world"), false)).isEqualTo("hello world");
    }
  }

  @Test
  void explainsMissingFilesAndTemplates(@TempDir Path dir) throws IOException {
    Configuration conf = new Configuration();
    assertThatThrownBy(() -> Tokenizer.load(dir.resolve("absent").toString(), conf))
        .isInstanceOf(UserException.class)
        .hasMessageContaining("model directory not found");
    assertThatThrownBy(() -> Tokenizer.load(dir.toString(), conf))
        .isInstanceOf(UserException.class)
        .hasMessageContaining("has no tokenizer.json");
    ByteLevelBpeBuilder.train(List.of("hello"), 300).writeTo(dir.toString(), conf);
    Files.writeString(dir.resolve("tokenizer_config.json"), "{\"eos_token\": \"<|im_end|>\"}");
    try (Tokenizer t = Tokenizer.load(dir.toString(), conf)) {
      assertThatThrownBy(t::chatTemplate)
          .isInstanceOf(UserException.class)
          .hasMessageContaining("has no chat template");
    }
    Files.writeString(dir.resolve("tokenizer.json"), "{\"model\": ");
    assertThatThrownBy(() -> Tokenizer.load(dir.toString(), conf))
        .isInstanceOf(UserException.class)
        .hasMessageContaining("is not a valid tokenizer.json");
  }
}
