package org.embench.judge;

/**
 * Parses a token the way Python's {@code int(str)} does, because the upstream aggregation keeps a
 * token exactly when {@code int(token)} succeeds: surrounding whitespace is ignored, one sign is
 * allowed, any Unicode decimal digit counts, and single underscores may separate digits.
 */
final class PythonInt {
  private PythonInt() {}

  /**
   * The value, or null when Python's int() would raise ValueError. Values beyond long are clamped.
   */
  static Long parse(String token) {
    int start = 0;
    int end = token.length();
    while (start < end && isPythonSpace(token.charAt(start))) {
      start++;
    }
    while (end > start && isPythonSpace(token.charAt(end - 1))) {
      end--;
    }
    if (start == end) {
      return null;
    }
    boolean negative = false;
    char first = token.charAt(start);
    if (first == '+' || first == '-') {
      negative = first == '-';
      start++;
    }
    long value = 0;
    boolean lastWasDigit = false;
    boolean any = false;
    for (int i = start; i < end; ) {
      int cp = token.codePointAt(i);
      i += Character.charCount(cp);
      if (cp == '_') {
        if (!lastWasDigit) {
          return null;
        }
        lastWasDigit = false;
        continue;
      }
      if (Character.getType(cp) != Character.DECIMAL_DIGIT_NUMBER) {
        return null;
      }
      value =
          value > Long.MAX_VALUE / 20 ? Long.MAX_VALUE / 2 : value * 10 + Character.digit(cp, 10);
      lastWasDigit = true;
      any = true;
    }
    if (!any || !lastWasDigit) {
      return null;
    }
    return negative ? -value : value;
  }

  /** Python's str.isspace() for the characters that occur in tokens. */
  private static boolean isPythonSpace(char c) {
    return Character.isWhitespace(c) || Character.isSpaceChar(c) || c == '\u0085';
  }
}
