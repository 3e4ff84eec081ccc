package org.embench.data;

import java.util.Set;

/** One chat message. Field order matches the {@code messages} struct of the examples table. */
public record ChatMessage(String role, String content) implements java.io.Serializable {
  public static final Set<String> ROLES = Set.of("system", "user", "assistant");

  public static ChatMessage system(String content) {
    return new ChatMessage("system", content);
  }

  public static ChatMessage user(String content) {
    return new ChatMessage("user", content);
  }

  public static ChatMessage assistant(String content) {
    return new ChatMessage("assistant", content);
  }
}
