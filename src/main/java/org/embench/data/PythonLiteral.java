package org.embench.data;

import java.util.ArrayList;
import java.util.List;
import org.embench.UserException;
import org.embench.judge.TokenLogprob;

/**
 * Parses the Python dict literal the upstream CSV stores judge outputs in, e.g. {@code {'0': 0.99,
 * ' ': 2.3e-09, "'": 1e-10}}: string keys in single or double quotes with Python escapes, numeric
 * values. Written here because no Java library reads Python literals; it accepts only this shape
 * and says where it stopped otherwise.
 */
final class PythonLiteral {
  private final String s;
  private int i;

  private PythonLiteral(String s) {
    this.s = s;
  }

  /** Token → probability pairs in the literal's order, converted to natural-log probabilities. */
  static List<TokenLogprob> probabilityDict(String text) {
    PythonLiteral p = new PythonLiteral(text);
    List<TokenLogprob> out = new ArrayList<>();
    p.skipSpace();
    p.expect('{');
    p.skipSpace();
    if (p.peek() == '}') {
      p.i++;
    } else {
      while (true) {
        p.skipSpace();
        String key = p.string();
        p.skipSpace();
        p.expect(':');
        p.skipSpace();
        double prob = p.number();
        if (Double.isNaN(prob) || prob < 0 || prob > 1 + 1e-6) {
          throw new UserException(
              "probability of token " + quote(key) + " is " + prob + ", not in [0, 1]");
        }
        out.add(new TokenLogprob(key, Math.log(prob)));
        p.skipSpace();
        char c = p.next();
        if (c == '}') {
          break;
        }
        if (c != ',') {
          throw p.error("expected ',' or '}'");
        }
        p.skipSpace();
        if (p.peek() == '}') {
          p.i++;
          break;
        }
      }
    }
    p.skipSpace();
    if (p.i != p.s.length()) {
      throw p.error("unexpected text after the dict");
    }
    return out;
  }

  private String string() {
    char quote = next();
    if (quote != '\'' && quote != '"') {
      throw error("expected a quoted string");
    }
    StringBuilder sb = new StringBuilder();
    while (true) {
      char c = next();
      if (c == quote) {
        return sb.toString();
      }
      if (c != '\\') {
        sb.append(c);
        continue;
      }
      char e = next();
      switch (e) {
        case '\\', '\'', '"' -> sb.append(e);
        case 'n' -> sb.append('\n');
        case 't' -> sb.append('\t');
        case 'r' -> sb.append('\r');
        case 'a' -> sb.append('\u0007');
        case 'b' -> sb.append('\b');
        case 'f' -> sb.append('\f');
        case 'v' -> sb.append('\u000b');
        case '0', '1', '2', '3', '4', '5', '6', '7' -> {
          int v = e - '0';
          for (int n = 0;
              n < 2 && i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '7';
              n++) {
            v = v * 8 + (s.charAt(i++) - '0');
          }
          sb.append((char) v);
        }
        case 'x' -> sb.appendCodePoint(hex(2));
        case 'u' -> sb.appendCodePoint(hex(4));
        case 'U' -> {
          int backslash = i - 2;
          int v = hex(8);
          if (!Character.isValidCodePoint(v)) {
            i = backslash;
            throw error("\\U escape beyond U+10FFFF");
          }
          sb.appendCodePoint(v);
        }
        default -> sb.append('\\').append(e);
      }
    }
  }

  private int hex(int digits) {
    if (i + digits > s.length()) {
      throw error("truncated escape");
    }
    try {
      int v = Integer.parseUnsignedInt(s.substring(i, i + digits), 16);
      i += digits;
      return v;
    } catch (NumberFormatException e) {
      throw error("bad hex escape");
    }
  }

  private double number() {
    int start = i;
    while (i < s.length() && "+-.0123456789eEinfatyINFATY".indexOf(s.charAt(i)) >= 0) {
      i++;
    }
    String t = s.substring(start, i);
    switch (t) {
      case "nan", "NaN" -> {
        return Double.NaN;
      }
      case "inf", "Infinity" -> {
        return Double.POSITIVE_INFINITY;
      }
      default -> {
        try {
          return Double.parseDouble(t);
        } catch (NumberFormatException e) {
          i = start;
          throw error("expected a number");
        }
      }
    }
  }

  private void skipSpace() {
    while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
      i++;
    }
  }

  private char peek() {
    return i < s.length() ? s.charAt(i) : '\0';
  }

  private char next() {
    if (i >= s.length()) {
      throw error("unexpected end");
    }
    return s.charAt(i++);
  }

  private void expect(char c) {
    if (next() != c) {
      i--;
      throw error("expected '" + c + "'");
    }
  }

  private UserException error(String what) {
    return new UserException(what + " at character " + (i + 1) + " of the probability dict");
  }

  private static String quote(String token) {
    return "'" + token.replace("\n", "\\n") + "'";
  }
}
