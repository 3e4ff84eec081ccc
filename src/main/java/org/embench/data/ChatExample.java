package org.embench.data;

import java.util.List;

/** A conversation read from a chat JSONL file, with where it came from. */
public record ChatExample(List<ChatMessage> messages, String sourceFormat, long line) {
  public static final String MESSAGES = "messages";
  public static final String PROMPT_COMPLETION = "prompt_completion";
}
