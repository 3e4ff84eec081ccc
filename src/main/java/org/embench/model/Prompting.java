package org.embench.model;

import java.util.List;
import java.util.Map;
import org.embench.UserException;

/**
 * How a question becomes a prompt, and what else ends an answer. {@code chat} renders the question
 * (and its system prompt) with the model's chat template; {@code raw} encodes the question text as
 * it is, with a BOS token where the tokenizer adds one, for base models that have no template.
 *
 * @param mode {@value #CHAT} or {@value #RAW}
 * @param stop strings that end an answer when its text contains one; the answer is cut before it
 */
public record Prompting(String mode, List<String> stop) implements java.io.Serializable {
  public static final String CHAT = "chat";
  public static final String RAW = "raw";
  public static final List<String> MODES = List.of(CHAT, RAW);
  public static final Prompting DEFAULT = new Prompting(CHAT, List.of());

  public Prompting {
    if (!MODES.contains(mode)) {
      throw new UserException("prompting must be " + String.join(" or ", MODES) + ", got '" + mode + "'");
    }
    stop = List.copyOf(stop);
    if (stop.stream().anyMatch(String::isEmpty)) {
      throw new UserException("a stop string must not be empty");
    }
  }

  public boolean raw() {
    return mode.equals(RAW);
  }

  /**
   * Adds this prompting to a sampling_json map: nothing for plain chat prompting, so the ids of
   * chat generations made before this setting existed stay as they were; the mode and the stop
   * strings otherwise, so raw and chat answers of one run never share a generation id.
   */
  public Map<String, Object> addTo(Map<String, Object> sampling) {
    if (raw()) {
      sampling.put("prompting", mode);
    }
    if (!stop.isEmpty()) {
      sampling.put("stop", stop);
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
