package org.embench.capability;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.embench.data.ChatMessage;

/**
 * Reads the fields a task names from a source row: a column name, or a dotted path into nested
 * columns ({@code choices.text} in ARC's Parquet files). A missing or mistyped field is an {@link
 * ItemException} naming it.
 */
final class RowFields {
  private static final Pattern PLACEHOLDER = Pattern.compile("\\{([A-Za-z_][A-Za-z0-9_.]*)}");

  private RowFields() {}

  static JsonNode at(JsonNode row, String path) {
    JsonNode node = row;
    for (String part : path.split("\\.")) {
      node = node == null ? null : node.get(part);
    }
    return node;
  }

  /** A required text field (a number is taken as its text). */
  static String text(JsonNode row, String path) {
    JsonNode n = at(row, path);
    if (n == null || n.isNull()) {
      throw new ItemException(path, "missing");
    }
    if (!n.isValueNode()) {
      throw new ItemException(path, "expected text, found " + kind(n));
    }
    return n.asText();
  }

  /** A required non-empty list of texts. */
  static List<String> texts(JsonNode row, String path) {
    JsonNode n = at(row, path);
    if (n == null || n.isNull()) {
      throw new ItemException(path, "missing");
    }
    if (!n.isArray()) {
      throw new ItemException(path, "expected a list, found " + kind(n));
    }
    if (n.isEmpty()) {
      throw new ItemException(path, "empty list");
    }
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n.size(); i++) {
      JsonNode e = n.get(i);
      if (e == null || e.isNull() || !e.isValueNode()) {
        throw new ItemException(path + "[" + i + "]", "expected text, found " + kind(e));
      }
      out.add(e.asText());
    }
    return out;
  }

  /**
   * The template with every {@code {name}} replaced, in one pass, by {@code given}'s value or else
   * the row's field of that name. Inserted text is never substituted again.
   */
  static String fill(String template, JsonNode row, Map<String, String> given) {
    Matcher m = PLACEHOLDER.matcher(template);
    StringBuilder sb = new StringBuilder();
    while (m.find()) {
      String name = m.group(1);
      String value = given.containsKey(name) ? given.get(name) : text(row, name);
      m.appendReplacement(sb, Matcher.quoteReplacement(value));
    }
    m.appendTail(sb);
    return sb.toString();
  }

  /** A chat conversation: {@code messages}, a non-empty list of {role, content} objects. */
  static List<ChatMessage> messages(JsonNode row) {
    JsonNode n = row.get("messages");
    if (n == null || !n.isArray() || n.isEmpty()) {
      throw new ItemException(
          "messages", "expected a non-empty list of messages, found " + kind(n));
    }
    List<ChatMessage> out = new ArrayList<>();
    for (int i = 0; i < n.size(); i++) {
      String at = "messages[" + i + "]";
      String role = text(n.get(i), "role");
      if (!ChatMessage.ROLES.contains(role)) {
        throw new ItemException(
            at + ".role", "unknown role '" + role + "'; known: system, user, assistant");
      }
      JsonNode content = n.get(i).get("content");
      if (content == null || !content.isTextual()) {
        throw new ItemException(at + ".content", "expected text, found " + kind(content));
      }
      out.add(new ChatMessage(role, content.asText()));
    }
    return out;
  }

  /** The last user message's text: how a conversation's prompt is shown. */
  static String lastUser(List<ChatMessage> chat) {
    for (int i = chat.size() - 1; i >= 0; i--) {
      if (chat.get(i).role().equals("user")) {
        return chat.get(i).content();
      }
    }
    throw new ItemException("messages", "no user message");
  }

  static String kind(JsonNode node) {
    if (node == null || node.isMissingNode()) {
      return "nothing";
    }
    return node.getNodeType().name().toLowerCase(Locale.ROOT);
  }
}
