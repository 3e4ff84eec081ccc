package org.embench.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.embench.UserException;

/**
 * SQL text handling for scripts and notebooks: splitting into statements at semicolons outside
 * quotes and comments, and replacing {@code ${name}} parameters.
 */
public final class SqlScript {
  private static final Pattern PARAM = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_.]*)}");

  private SqlScript() {}

  /** A SQL file of the classpath (e.g. {@code sql/scoreboard.sql}) as text. */
  public static String resource(String name) {
    try (java.io.InputStream in = SqlScript.class.getClassLoader().getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + name);
      }
      return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** The statements of a script, without empty or comment-only ones. */
  public static List<String> split(String text) {
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    int i = 0;
    int n = text.length();
    while (i < n) {
      char c = text.charAt(i);
      if (c == '-' && i + 1 < n && text.charAt(i + 1) == '-') {
        int end = text.indexOf('\n', i);
        end = end < 0 ? n : end;
        cur.append(text, i, end);
        i = end;
      } else if (c == '/' && i + 1 < n && text.charAt(i + 1) == '*') {
        int end = text.indexOf("*/", i + 2);
        end = end < 0 ? n : end + 2;
        cur.append(text, i, end);
        i = end;
      } else if (c == '\'' || c == '"' || c == '`') {
        int j = i + 1;
        while (j < n) {
          char d = text.charAt(j);
          if (d == '\\' && c != '`') {
            j += 2;
            continue;
          }
          if (d == c) {
            if (j + 1 < n && text.charAt(j + 1) == c) {
              j += 2;
              continue;
            }
            break;
          }
          j++;
        }
        int end = Math.min(n, j + 1);
        cur.append(text, i, end);
        i = end;
      } else if (c == ';') {
        add(out, cur);
        cur.setLength(0);
        i++;
      } else {
        cur.append(c);
        i++;
      }
    }
    add(out, cur);
    return out;
  }

  private static void add(List<String> out, StringBuilder stmt) {
    String s = stmt.toString().strip();
    if (!withoutComments(s).isBlank()) {
      out.add(s);
    }
  }

  /** The statement with -- and block comments removed (quotes are not inspected). */
  public static String withoutComments(String s) {
    return s.replaceAll("(?s)/\\*.*?\\*/", " ").replaceAll("--[^\n]*", " ");
  }

  /** Replaces every {@code ${name}}; an undefined name is an error naming the source. */
  public static String substitute(String sql, Map<String, String> values, String source) {
    Matcher m = PARAM.matcher(sql);
    StringBuilder sb = new StringBuilder();
    while (m.find()) {
      String v = values.get(m.group(1));
      if (v == null) {
        throw new UserException(
            source
                + ": unknown parameter ${"
                + m.group(1)
                + "}; known: "
                + String.join(", ", new TreeSet<>(values.keySet()))
                + " (set one with --param NAME=VALUE)");
      }
      m.appendReplacement(sb, Matcher.quoteReplacement(v));
    }
    m.appendTail(sb);
    return sb.toString();
  }
}
