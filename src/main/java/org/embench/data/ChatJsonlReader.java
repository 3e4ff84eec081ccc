package org.embench.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.hadoop.conf.Configuration;
import org.embench.UserException;

/**
 * Reads chat JSONL: one JSON object per line, either {@code {"messages": [{"role", "content"}, …]}}
 * (OpenAI / Hugging Face chat format) or {@code {"prompt": …, "completion": …}} where each side is
 * a string or a list of messages. Other top-level fields are ignored. Blank lines are skipped.
 */
public final class ChatJsonlReader {
  /** What a file yielded. */
  public record Result(List<ChatExample> examples, List<Reject> rejects, long lines) {}

  /**
   * Strict JSON: trailing tokens and a key given twice (which would keep the last silently) are
   * errors.
   */
  public static final ObjectMapper JSON =
      JsonMapper.builder()
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .build();

  private ChatJsonlReader() {}

  public static Result read(String uri, Configuration conf) {
    List<ChatExample> examples = new ArrayList<>();
    List<Reject> rejects = new ArrayList<>();
    long lineNo = 0;
    long nonBlank = 0;
    try (InputFiles.Lines in = InputFiles.lines(uri, conf)) {
      for (String line; (line = in.next()) != null; ) {
        lineNo++;
        if (line.isBlank() && in.problem() == null) {
          continue;
        }
        nonBlank++;
        if (in.problem() != null) {
          rejects.add(new Reject(uri, lineNo, null, in.problem(), line));
          continue;
        }
        try {
          examples.add(parseLine(line, lineNo));
        } catch (RowException e) {
          rejects.add(new Reject(uri, lineNo, e.field, e.getMessage(), line));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + uri + ": " + e.getMessage(), e);
    }
    if (nonBlank == 0) {
      throw new UserException(uri + ": the file is empty; expected one JSON object per line");
    }
    return new Result(examples, rejects, lineNo);
  }

  static ChatExample parseLine(String line, long lineNo) {
    JsonNode root;
    try {
      root = JSON.readTree(line);
    } catch (JsonProcessingException e) {
      throw new RowException(null, "not valid JSON: " + e.getOriginalMessage());
    }
    if (root == null || !root.isObject()) {
      throw new RowException(null, "expected a JSON object, found " + kind(root));
    }
    List<ChatMessage> messages;
    String format;
    if (root.has("messages")) {
      messages = messages(root.get("messages"), "messages");
      format = ChatExample.MESSAGES;
    } else if (root.has("prompt") || root.has("completion")) {
      messages = new ArrayList<>(side(root, "prompt", "user"));
      messages.addAll(side(root, "completion", "assistant"));
      format = ChatExample.PROMPT_COMPLETION;
    } else {
      throw new RowException(null, "no 'messages' field and no 'prompt'/'completion' pair");
    }
    if (messages.stream().noneMatch(m -> m.role().equals("assistant"))) {
      throw new RowException("messages", "no assistant message to learn from");
    }
    return new ChatExample(messages, format, lineNo);
  }

  private static List<ChatMessage> side(JsonNode root, String field, String role) {
    JsonNode node = root.get(field);
    if (node == null || node.isNull()) {
      throw new RowException(field, "missing");
    }
    if (node.isTextual()) {
      return List.of(new ChatMessage(role, node.asText()));
    }
    return messages(node, field);
  }

  private static List<ChatMessage> messages(JsonNode node, String field) {
    if (!node.isArray()) {
      throw new RowException(field, "expected a list of messages, found " + kind(node));
    }
    if (node.isEmpty()) {
      throw new RowException(field, "empty list of messages");
    }
    List<ChatMessage> out = new ArrayList<>();
    for (int i = 0; i < node.size(); i++) {
      String at = field + "[" + i + "]";
      JsonNode m = node.get(i);
      if (!m.isObject()) {
        throw new RowException(at, "expected a message object, found " + kind(m));
      }
      JsonNode role = m.get("role");
      if (role == null || role.isNull()) {
        throw new RowException(at + ".role", "missing");
      }
      if (!role.isTextual()) {
        throw new RowException(at + ".role", "expected a string, found " + kind(role));
      }
      if (!ChatMessage.ROLES.contains(role.asText())) {
        throw new RowException(
            at + ".role", "unknown role '" + role.asText() + "'; known: system, user, assistant");
      }
      out.add(new ChatMessage(role.asText(), content(m.get("content"), at + ".content")));
    }
    return out;
  }

  /** A string, or a list of {"type": "text", "text": …} parts joined in order. */
  private static String content(JsonNode node, String field) {
    if (node == null || node.isNull()) {
      throw new RowException(field, "missing");
    }
    if (node.isTextual()) {
      return node.asText();
    }
    if (node.isArray()) {
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < node.size(); i++) {
        JsonNode part = node.get(i);
        if (!part.isObject()
            || !"text".equals(part.path("type").asText())
            || !part.path("text").isTextual()) {
          throw new RowException(
              field + "[" + i + "]",
              "only text parts ({\"type\": \"text\", \"text\": …}) are supported");
        }
        sb.append(part.get("text").asText());
      }
      return sb.toString();
    }
    throw new RowException(field, "expected a string, found " + kind(node));
  }

  static String kind(JsonNode node) {
    if (node == null || node.isMissingNode()) {
      return "nothing";
    }
    return node.getNodeType().name().toLowerCase(Locale.ROOT);
  }
}
