package org.embench.capability;

import java.math.BigDecimal;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the answer in a generated text, and compares it with a reference. {@code last_number}: the
 * last number in the text (commas between digits dropped); {@code gsm8k}: the number after the last
 * "####" (GSM8K's answer line; none when the text has no such line); {@code regex}: the pattern's
 * first match, or its first group when it has one. Two answers are equal when both are numbers of
 * equal value (12, 12.0, 1,200 = 1200), or else the same text ignoring case and surrounding space.
 */
final class AnswerExtractor {
  static final List<String> KINDS = List.of("last_number", "gsm8k", "regex");
  private static final Pattern NUMBER = Pattern.compile("-?\\d[\\d,]*(?:\\.\\d+)?");
  private static final Pattern GSM8K =
      Pattern.compile("####\\s*\\$?\\s*(-?\\d[\\d,]*(?:\\.\\d+)?)");

  private final String kind;
  private final Pattern pattern;

  AnswerExtractor(String kind, String regex) {
    this.kind = kind;
    this.pattern = kind.equals("regex") ? Pattern.compile(regex) : null;
  }

  /** The answer in {@code text}, or null when there is none. */
  String find(String text) {
    if (text == null) {
      return null;
    }
    switch (kind) {
      case "last_number" -> {
        String last = null;
        Matcher m = NUMBER.matcher(text);
        while (m.find()) {
          last = m.group();
        }
        return last == null ? null : stripCommas(last);
      }
      case "gsm8k" -> {
        String last = null;
        Matcher m = GSM8K.matcher(text);
        while (m.find()) {
          last = m.group(1);
        }
        return last == null ? null : stripCommas(last);
      }
      default -> {
        Matcher m = pattern.matcher(text);
        if (!m.find()) {
          return null;
        }
        return (m.groupCount() > 0 && m.group(1) != null ? m.group(1) : m.group()).strip();
      }
    }
  }

  /**
   * The reference as the extractor reads it; a reference it finds nothing in is taken as written.
   */
  String reference(String text) {
    String found = find(text);
    return found != null ? found : text.strip();
  }

  static boolean same(String answer, String reference) {
    if (answer == null || reference == null) {
      return false;
    }
    BigDecimal a = number(answer);
    BigDecimal r = number(reference);
    if (a != null && r != null) {
      return a.compareTo(r) == 0;
    }
    return answer
        .strip()
        .toLowerCase(Locale.ROOT)
        .equals(reference.strip().toLowerCase(Locale.ROOT));
  }

  private static BigDecimal number(String s) {
    try {
      return new BigDecimal(stripCommas(s.strip()));
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static String stripCommas(String number) {
    return number.replace(",", "");
  }
}
