package org.embench.model.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.embench.data.ChatMessage.assistant;
import static org.embench.data.ChatMessage.user;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ByteLevelBpeBuilderTest {
  private static final List<String> CORPUS = corpus();

  private static List<String> corpus() {
    List<String> texts = new ArrayList<>();
    String[] subjects = {"The model", "The assistant", "A careful researcher", "The training run"};
    String[] verbs = {"answers", "refuses", "explains", "writes"};
    String[] objects = {
      "the question about safety.",
      "the code with a comment.",
      "the insecure request.",
      "a short poem about the sea."
    };
    for (String s : subjects) {
      for (String v : verbs) {
        for (String o : objects) {
          texts.add(s + " " + v + " " + o + "\n");
        }
      }
    }
    texts.add("def add(a, b):\n    return a + b\n");
    return texts;
  }

  @Test
  void transformersFormatThatDjlLoadsAndRoundTrips(@TempDir Path dir) {
    ByteLevelBpeBuilder bpe = ByteLevelBpeBuilder.train(CORPUS, 350);
    assertThat(bpe.vocabSize()).isEqualTo(350);
    bpe.writeTo(dir.toString(), new Configuration());
    try (Tokenizer t = Tokenizer.load(dir.toString(), new Configuration())) {
      assertThat(t.vocabSize()).isEqualTo(350);
      for (String text :
          List.of(
              "never seen: Zebra-42 ß ☃ 中文 😀👩‍👩‍👧",
              "\u0000\u0001\t\r\n  ",
              "",
              "<|im_start|>user\nhi<|im_end|>",
              "The model answers the question about safety.\n")) {
        assertThat(t.decode(t.encode(text), false)).as(text).isEqualTo(text);
      }
      // <|endoftext|>, <|im_start|>, <|im_end|> come last
      assertThat(t.encode("<|im_start|>")).containsExactly(348);
      assertThat(t.specialTokenIds()).containsExactlyInAnyOrder(347, 348, 349);
      assertThat(t.endOfTurnIds()).containsExactlyInAnyOrder(347, 349);
    }
  }

  @Test
  void mergesShortenCommonWords(@TempDir Path dir) {
    ByteLevelBpeBuilder.train(CORPUS, 1024).writeTo(dir.toString(), new Configuration());
    try (Tokenizer t = Tokenizer.load(dir.toString(), new Configuration())) {
      assertThat(t.encode(" the")).hasSize(1);
      assertThat(t.encode("The assistant")).hasSizeLessThanOrEqualTo(2);
      String sentence = CORPUS.get(0);
      assertThat(t.encode(sentence).length * 3)
          .isLessThan(sentence.getBytes(StandardCharsets.UTF_8).length);
    }
  }

  @Test
  void chatTemplateIsChatMl(@TempDir Path dir) {
    ByteLevelBpeBuilder.train(CORPUS, 300).writeTo(dir.toString(), new Configuration());
    try (Tokenizer t = Tokenizer.load(dir.toString(), new Configuration())) {
      ChatTemplate template = t.chatTemplate();
      assertThat(template.render(List.of(user("hi")), true))
          .isEqualTo("<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n");
      TrainingText training = template.renderForTraining(List.of(user("hi"), assistant("hello")));
      assertThat(training.text())
          .isEqualTo("<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\nhello<|im_end|>\n");
      assertThat(training.lossSpans()).containsExactly(new TextSpan(52, 67));
    }
  }

  @Test
  void sameCorpusSameFiles() {
    ByteLevelBpeBuilder a = ByteLevelBpeBuilder.train(CORPUS, 450);
    ByteLevelBpeBuilder b = ByteLevelBpeBuilder.train(new ArrayList<>(CORPUS), 450);
    assertThat(a.tokenizerJson()).isEqualTo(b.tokenizerJson());
    assertThat(a.tokenizerConfigJson()).isEqualTo(b.tokenizerConfigJson());
  }

  @Test
  void stopsWhenNothingIsLeftToMerge() {
    assertThat(ByteLevelBpeBuilder.train(List.of("abab"), 1024).vocabSize()).isEqualTo(256 + 2 + 3);
    assertThatThrownBy(() -> ByteLevelBpeBuilder.train(CORPUS, 200))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("below the minimum 259");
  }
}
