package org.embench.model.text;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.embench.Shared;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class StreamDecoderTest {
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

  private static List<String> deltas(int[] ids, boolean skipSpecialTokens) {
    StreamDecoder decoder = qwen.streamDecoder(skipSpecialTokens);
    List<String> deltas = new ArrayList<>();
    for (int id : ids) {
      deltas.add(decoder.push(id));
    }
    deltas.add(decoder.flush());
    return deltas;
  }

  @Test
  void deltasConcatenateToTheFullDecodingWithoutBrokenCharacters() {
    for (String text :
        List.of(
            "Café naïve résumé — ça va?",
            "emoji 👩‍👩‍👧‍👦 family 🏳️‍🌈 and 🦜🦩",
            "日本語のテキストです。中文字符 𠜎𠜱𠝹",
            "Привет, мир! مرحبا بالعالم",
            "<|im_start|>assistant\n<think>\n🤔\n</think>\n\nOK 👍<|im_end|>")) {
      int[] ids = qwen.encode(text);
      List<String> deltas = deltas(ids, false);
      assertThat(String.join("", deltas))
          .as(text)
          .isEqualTo(qwen.decode(ids, false))
          .isEqualTo(text);
      assertThat(deltas).as(text).noneMatch(d -> d.contains("\uFFFD"));
    }
  }

  @Test
  void anEmojiSplitOverTokensComesOutWhole() {
    int[] ids = qwen.encode("🦩");
    assertThat(ids.length).as("the test needs an emoji of several tokens").isGreaterThan(1);
    List<String> deltas = deltas(ids, false);
    assertThat(deltas.subList(0, ids.length - 1)).allMatch(String::isEmpty);
    assertThat(deltas.get(ids.length - 1)).isEqualTo("🦩");
  }

  @Test
  void skipsSpecialTokens() {
    int[] ids = qwen.encode("<|im_start|>assistant\nhi 😀<|im_end|>");
    assertThat(String.join("", deltas(ids, true))).isEqualTo("assistant\nhi 😀");
  }

  @Test
  void flushEmitsAnIncompleteCharacterAsReplacement() {
    int[] ids = qwen.encode("🦩");
    StreamDecoder decoder = qwen.streamDecoder(false);
    assertThat(decoder.push(ids[0])).isEmpty();
    assertThat(decoder.flush()).contains("\uFFFD");
    assertThat(decoder.flush()).isEmpty();
  }
}
