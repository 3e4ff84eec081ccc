package org.embench.model.text;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.embench.Shared;

/** The Qwen3 tokenizer files in ../shared/fixtures; tests using them skip when absent. */
final class QwenFixture {
  static final String DIR = "fixtures/tokenizers/qwen3";

  private QwenFixture() {}

  /** Qwen3's chat_template, read at test time: the template text is not ours to copy. */
  static String chatTemplate() {
    try {
      return new ObjectMapper()
          .readTree(Shared.require(DIR + "/tokenizer_config.json").toFile())
          .get("chat_template")
          .asText();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
