package org.embench.judge;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.util.ArrayList;
import java.util.List;

/**
 * The parts of a Chat Completions response a judge uses: the first choice's text, the top
 * log-probabilities of its first token, and the token usage.
 *
 * @param text the reply text (the refusal text when the model refused and sent no content)
 * @param firstTokenTop the first token's top log-probabilities, or null when the response has none
 * @param promptTokens usage.prompt_tokens, or null
 * @param completionTokens usage.completion_tokens, or null
 */
record ChatReply(
    String text, List<TokenLogprob> firstTokenTop, Integer promptTokens, Integer completionTokens) {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A response body that is not JSON or lacks a field every completion has. */
  static final class MalformedException extends Exception {
    MalformedException(String message) {
      super(message);
    }
  }

  static ChatReply parse(String body) throws MalformedException {
    JsonNode root;
    try {
      root = JSON.readTree(body);
    } catch (JsonProcessingException e) {
      throw new MalformedException("the response is not JSON: " + e.getOriginalMessage());
    }
    // readTree gives null or a missing node for an empty body; path() turns both into "absent".
    JsonNode choice = root == null ? MissingNode.getInstance() : root.path("choices").path(0);
    if (!choice.isObject()) {
      throw new MalformedException("the response has no choices[0]");
    }
    JsonNode message = choice.path("message");
    if (!message.isObject()) {
      throw new MalformedException("choices[0] has no message");
    }
    String text =
        message.path("content").isTextual()
            ? message.get("content").asText()
            : message.path("refusal").isTextual() ? message.get("refusal").asText() : "";
    JsonNode usage = root.path("usage");
    return new ChatReply(
        text,
        firstTokenTop(choice.path("logprobs")),
        optionalInt(usage, "prompt_tokens"),
        optionalInt(usage, "completion_tokens"));
  }

  private static List<TokenLogprob> firstTokenTop(JsonNode logprobs) throws MalformedException {
    JsonNode top = logprobs.path("content").path(0).path("top_logprobs");
    if (!top.isArray() || top.isEmpty()) {
      return null;
    }
    List<TokenLogprob> out = new ArrayList<>(top.size());
    for (JsonNode t : top) {
      if (!t.path("token").isTextual() || !t.path("logprob").isNumber()) {
        throw new MalformedException(
            "a top_logprobs entry lacks a token or a numeric logprob: " + excerpt(t.toString()));
      }
      out.add(new TokenLogprob(t.get("token").asText(), t.get("logprob").asDouble()));
    }
    return out;
  }

  private static Integer optionalInt(JsonNode node, String field) {
    JsonNode v = node.path(field);
    return v.canConvertToInt() && v.isIntegralNumber() ? v.asInt() : null;
  }

  /** At most 200 characters of a text, for error details. */
  static String excerpt(String text) {
    String oneLine = text.replaceAll("\\s+", " ").strip();
    return oneLine.length() <= 200 ? oneLine : oneLine.substring(0, 200) + "…";
  }
}
