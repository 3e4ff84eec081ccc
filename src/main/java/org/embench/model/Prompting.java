package org.embench.model;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.embench.UserException;
import org.embench.model.text.ChatTemplate;

/**
 * How a question becomes a prompt, and what else ends an answer. {@code chat} renders the question
 * (and its system prompt) with the model's chat template; {@code raw} encodes the question text as
 * it is, with a BOS token where the tokenizer adds one, for base models that have no template.
 *
 * <p>Chat templates may read variables besides the messages (Qwen3's {@code enable_thinking}) and
 * the date ({@code strftime_now}, Llama 3.2's "Today Date"): {@code templateVariables} sets the
 * former, {@code templateNow} pins the latter to an instant (null: the project's fixed default
 * date, {@code ChatTemplate.DEFAULT_NOW}), so a generation id always stands for one prompt whatever
 * the day.
 *
 * @param mode {@value #CHAT} or {@value #RAW}
 * @param stop strings that end an answer when its text contains one; the answer is cut before it
 * @param templateVariables extra chat-template variables (strings, numbers, booleans); empty for
 *     none
 * @param templateNow the instant {@code strftime_now} renders, ISO-8601 ({@code
 *     2025-01-31T00:00:00Z}); null for the default
 */
public record Prompting(
    String mode, List<String> stop, Map<String, Object> templateVariables, String templateNow)
    implements java.io.Serializable {
  public static final String CHAT = "chat";
  public static final String RAW = "raw";
  public static final List<String> MODES = List.of(CHAT, RAW);
  public static final Prompting DEFAULT = new Prompting(CHAT, List.of());

  public Prompting {
    if (!MODES.contains(mode)) {
      throw new UserException(
          "prompting must be " + String.join(" or ", MODES) + ", got '" + mode + "'");
    }
    stop = List.copyOf(stop);
    if (stop.stream().anyMatch(String::isEmpty)) {
      throw new UserException("a stop string must not be empty");
    }
    templateVariables = new TreeMap<>(templateVariables);
    ChatTemplate.checkNotReserved(templateVariables);
    for (Map.Entry<String, Object> e : templateVariables.entrySet()) {
      Object v = e.getValue();
      if (!(v instanceof String
          || v instanceof Boolean
          || v instanceof Integer
          || v instanceof Long
          || v instanceof Double)) {
        throw new UserException(
            "template variable "
                + e.getKey()
                + ": expected a string, number or boolean, got "
                + (v == null ? "null" : v.getClass().getSimpleName()));
      }
    }
    if (templateNow != null) {
      parseNow(templateNow);
    }
    if (mode.equals(RAW) && (!templateVariables.isEmpty() || templateNow != null)) {
      throw new UserException(
          "template variables and the template date apply to chat prompting, not raw");
    }
  }

  public Prompting(String mode, List<String> stop) {
    this(mode, stop, Map.of(), null);
  }

  /**
   * An ISO-8601 instant such as {@code 2025-01-31T00:00:00Z}; anything else is an error that shows
   * one.
   */
  public static Instant parseNow(String text) {
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      throw new UserException(
          "template date: expected an ISO-8601 instant such as 2025-01-31T00:00:00Z, got '"
              + text
              + "'");
    }
  }

  /** The model's chat template with this prompting's variables and date. */
  public ChatTemplate apply(ChatTemplate template) {
    ChatTemplate t =
        templateVariables.isEmpty() ? template : template.withVariables(templateVariables);
    return templateNow == null
        ? t
        : t.withClock(Clock.fixed(parseNow(templateNow), ZoneOffset.UTC));
  }

  public boolean raw() {
    return mode.equals(RAW);
  }

  /**
   * Adds this prompting to a sampling_json map: nothing for plain chat prompting, so the ids of
   * chat generations made before this setting existed stay as they were; the mode, the stop
   * strings, the template variables and the template date otherwise, so answers to different
   * prompts never share a generation id.
   */
  public Map<String, Object> addTo(Map<String, Object> sampling) {
    if (raw()) {
      sampling.put("prompting", mode);
    }
    if (!stop.isEmpty()) {
      sampling.put("stop", stop);
    }
    if (!templateVariables.isEmpty()) {
      sampling.put("template_variables", templateVariables);
    }
    if (templateNow != null) {
      sampling.put("template_now", parseNow(templateNow).toString());
    }
    return sampling;
  }

  /** {@code text} up to the first stop string in it (all of it when none occurs). */
  public String cut(String text) {
    int end = text.length();
    for (String s : stop) {
      int at = text.indexOf(s);
      if (at >= 0 && at < end) {
        end = at;
      }
    }
    return text.substring(0, end);
  }

  /** Whether {@code text} contains a stop string. */
  public boolean stopsIn(String text) {
    for (String s : stop) {
      if (text.contains(s)) {
        return true;
      }
    }
    return false;
  }
}
