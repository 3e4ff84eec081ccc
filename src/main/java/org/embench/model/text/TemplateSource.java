package org.embench.model.text;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Rewrites jinja2 template source into source Jinjava renders the same way. Only expressions and
 * statements ({@code {{ … }}}, {@code {% … %}}) are touched, never template text or comments.
 */
final class TemplateSource {
  /**
   * Jinjava slices have no step; {@code x[::-1]}, common in chat templates, is {@code x|reverse}.
   */
  private static final Pattern REVERSE_SLICE = Pattern.compile("\\[\\s*:\\s*:\\s*-\\s*1\\s*]");

  /** Any other slice with a step, which Jinjava would misread. */
  private static final Pattern STEP_SLICE =
      Pattern.compile("\\[[^\\[\\]'\"]*:[^\\[\\]'\"]*:[^\\[\\]'\"]*]");

  private TemplateSource() {}

  static String prepare(String source) {
    // jinja2 reads \r\n and \r as \n, and (keep_trailing_newline=False) drops one final newline
    String s = source.replace("\r\n", "\n").replace('\r', '\n');
    s = s.endsWith("\n") ? s.substring(0, s.length() - 1) : s;
    StringBuilder out = new StringBuilder(s.length());
    int i = 0;
    while (i < s.length()) {
      int open = nextTagStart(s, i);
      if (open < 0) {
        out.append(s, i, s.length());
        break;
      }
      out.append(s, i, open);
      int close = tagEnd(s, open);
      String tag = s.substring(open, close);
      out.append(s.startsWith("{#", open) ? tag : rewriteCode(tag, open, s));
      i = close;
    }
    return out.toString();
  }

  private static int nextTagStart(String s, int from) {
    for (int i = s.indexOf('{', from); i >= 0 && i + 1 < s.length(); i = s.indexOf('{', i + 1)) {
      char c = s.charAt(i + 1);
      if (c == '{' || c == '%' || c == '#') {
        return i;
      }
    }
    return -1;
  }

  /** One past the end of the tag opened at {@code open}; quotes inside expressions are skipped. */
  private static int tagEnd(String s, int open) {
    char kind = s.charAt(open + 1);
    String closing = kind == '{' ? "}}" : kind == '%' ? "%}" : "#}";
    char quote = 0;
    for (int i = open + 2; i < s.length(); i++) {
      char c = s.charAt(i);
      if (quote != 0) {
        if (c == '\\') {
          i++;
        } else if (c == quote) {
          quote = 0;
        }
      } else if (kind != '#' && (c == '\'' || c == '"')) {
        quote = c;
      } else if (s.startsWith(closing, i)) {
        return i + 2;
      }
    }
    return s.length(); // unclosed: Jinjava reports the syntax error
  }

  private static String rewriteCode(String code, int offset, String source) {
    String rewritten = REVERSE_SLICE.matcher(code).replaceAll("|reverse");
    Matcher step = STEP_SLICE.matcher(rewritten);
    if (step.find()) {
      throw new ChatTemplateException(
          "chat template line "
              + lineOf(source, offset)
              + ": the slice "
              + step.group()
              + " has a step, which is not supported (only [::-1] is)");
    }
    return rewritten;
  }

  private static long lineOf(String source, int offset) {
    return source.substring(0, offset).chars().filter(c -> c == '\n').count() + 1;
  }
}
