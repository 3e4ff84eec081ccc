package org.embench.model.text;

import java.beans.FeatureDescriptor;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import jinjava.javax.el.ELContext;
import jinjava.javax.el.ELResolver;

/**
 * Python {@code str} methods on strings ({@code content.startswith('<think>')}, {@code
 * content.split('</think>')[-1].lstrip('\n')}, …), which chat templates call as jinja2 allows.
 * Placed before Jinjava's own resolvers, which would otherwise call the Java method of the same
 * name (Java's {@code split} takes a regex) or fail. Other calls are left to the next resolver.
 * Indices count UTF-16 units where Python counts code points.
 */
final class PythonStringMethods extends ELResolver {

  @Override
  public Object invoke(
      ELContext context, Object base, Object method, Class<?>[] types, Object[] params) {
    if (!(base instanceof CharSequence) || method == null) {
      return null;
    }
    String s = base.toString();
    Object[] args = params == null ? new Object[0] : params;
    Object result = call(s, method.toString(), args);
    if (result != null) {
      context.setPropertyResolved(true);
    }
    return result;
  }

  private static Object call(String s, String method, Object[] args) {
    return switch (method) {
      case "startswith" -> matchesAffix(s, arg(args, 0), true);
      case "endswith" -> matchesAffix(s, arg(args, 0), false);
      case "strip" -> rstrip(lstrip(s, text(arg(args, 0))), text(arg(args, 0)));
      case "lstrip" -> lstrip(s, text(arg(args, 0)));
      case "rstrip" -> rstrip(s, text(arg(args, 0)));
      case "split" -> split(s, text(arg(args, 0)), count(arg(args, 1)));
      case "rsplit" -> rsplit(s, text(arg(args, 0)), count(arg(args, 1)));
      case "upper" -> s.toUpperCase(Locale.ROOT);
      case "lower" -> s.toLowerCase(Locale.ROOT);
      case "title" -> title(s);
      case "capitalize" ->
          s.isEmpty()
              ? s
              : s.substring(0, 1).toUpperCase(Locale.ROOT)
                  + s.substring(1).toLowerCase(Locale.ROOT);
      case "replace" -> replace(s, text(arg(args, 0)), text(arg(args, 1)), count(arg(args, 2)));
      case "find" -> (long) s.indexOf(text(arg(args, 0)));
      case "rfind" -> (long) s.lastIndexOf(text(arg(args, 0)));
      case "count" -> (long) occurrences(s, text(arg(args, 0)));
      case "join" -> join(s, arg(args, 0));
      case "isspace" -> !s.isEmpty() && lstrip(s, null).isEmpty();
      case "isdigit" -> !s.isEmpty() && s.chars().allMatch(Character::isDigit);
      default -> null;
    };
  }

  private static Object arg(Object[] args, int i) {
    return i < args.length ? args[i] : null;
  }

  private static String text(Object o) {
    return o == null ? null : o.toString();
  }

  /** Python's "no limit" is -1 or a missing argument. */
  private static int count(Object o) {
    return o instanceof Number n ? n.intValue() : -1;
  }

  /** Python also accepts a tuple of prefixes or suffixes. */
  private static boolean matchesAffix(String s, Object affix, boolean prefix) {
    if (affix instanceof Iterable<?> choices) {
      for (Object choice : choices) {
        if (matchesAffix(s, choice, prefix)) {
          return true;
        }
      }
      return false;
    }
    String a = text(affix);
    return prefix ? s.startsWith(a) : s.endsWith(a);
  }

  /** Python's str.isspace() for one character. */
  private static boolean isSpace(char c) {
    return Character.isWhitespace(c) || Character.isSpaceChar(c) || c == 0x85;
  }

  private static boolean strips(char c, String chars) {
    return chars == null ? isSpace(c) : chars.indexOf(c) >= 0;
  }

  static String lstrip(String s, String chars) {
    int i = 0;
    while (i < s.length() && strips(s.charAt(i), chars)) {
      i++;
    }
    return s.substring(i);
  }

  static String rstrip(String s, String chars) {
    int j = s.length();
    while (j > 0 && strips(s.charAt(j - 1), chars)) {
      j--;
    }
    return s.substring(0, j);
  }

  /** Without a separator Python splits on runs of whitespace and drops empty parts. */
  private static List<String> split(String s, String sep, int maxsplit) {
    List<String> parts = new ArrayList<>();
    if (sep == null) {
      int i = 0;
      while (true) {
        while (i < s.length() && isSpace(s.charAt(i))) {
          i++;
        }
        if (i == s.length()) {
          return parts;
        }
        if (parts.size() == maxsplit) {
          parts.add(rstrip(s.substring(i), null));
          return parts;
        }
        int j = i;
        while (j < s.length() && !isSpace(s.charAt(j))) {
          j++;
        }
        parts.add(s.substring(i, j));
        i = j;
      }
    }
    requireSeparator(sep);
    int from = 0;
    for (int k;
        parts.size() != maxsplit && (k = s.indexOf(sep, from)) >= 0;
        from = k + sep.length()) {
      parts.add(s.substring(from, k));
    }
    parts.add(s.substring(from));
    return parts;
  }

  private static List<String> rsplit(String s, String sep, int maxsplit) {
    if (maxsplit < 0) {
      return split(s, sep, maxsplit);
    }
    List<String> parts = new ArrayList<>();
    if (sep == null) {
      int j = s.length();
      while (true) {
        while (j > 0 && isSpace(s.charAt(j - 1))) {
          j--;
        }
        if (j == 0) {
          return parts;
        }
        if (parts.size() == maxsplit) {
          parts.add(0, lstrip(s.substring(0, j), null));
          return parts;
        }
        int i = j;
        while (i > 0 && !isSpace(s.charAt(i - 1))) {
          i--;
        }
        parts.add(0, s.substring(i, j));
        j = i;
      }
    }
    requireSeparator(sep);
    int end = s.length();
    for (int k;
        parts.size() != maxsplit
            && end >= sep.length()
            && (k = s.lastIndexOf(sep, end - sep.length())) >= 0;
        end = k) {
      parts.add(0, s.substring(k + sep.length(), end));
    }
    parts.add(0, s.substring(0, end));
    return parts;
  }

  private static void requireSeparator(String sep) {
    if (sep.isEmpty()) {
      // Python's ValueError. Only a template calls this: Jinjava records the exception as a
      // template error, which JinjaEngine reports as a ChatTemplateException (a UserException) with
      // the line.
      throw new IllegalArgumentException("empty separator");
    }
  }

  private static String replace(String s, String old, String replacement, int max) {
    if (max < 0) {
      return s.replace(old, replacement);
    }
    StringBuilder sb = new StringBuilder();
    int from = 0;
    for (int done = 0, k; done < max && (k = s.indexOf(old, from)) >= 0; done++) {
      sb.append(s, from, k).append(replacement);
      from = k + old.length();
    }
    return sb.append(s.substring(from)).toString();
  }

  private static int occurrences(String s, String sub) {
    if (sub.isEmpty()) {
      return s.length() + 1;
    }
    int n = 0;
    for (int k = s.indexOf(sub); k >= 0; k = s.indexOf(sub, k + sub.length())) {
      n++;
    }
    return n;
  }

  /** Python's title(): a letter after a non-letter is upper case, any other letter lower case. */
  private static String title(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    boolean afterLetter = false;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      sb.append(afterLetter ? Character.toLowerCase(c) : Character.toUpperCase(c));
      afterLetter = Character.isLetter(c);
    }
    return sb.toString();
  }

  private static String join(String separator, Object items) {
    StringBuilder sb = new StringBuilder();
    if (items instanceof Iterable<?> iterable) {
      for (Iterator<?> it = iterable.iterator(); it.hasNext(); ) {
        sb.append(PythonStr.str(it.next())).append(it.hasNext() ? separator : "");
      }
    }
    return sb.toString();
  }

  // The rest of the resolver contract: this resolver only answers method calls.

  @Override
  public Object getValue(ELContext context, Object base, Object property) {
    return null;
  }

  @Override
  public Class<?> getType(ELContext context, Object base, Object property) {
    return null;
  }

  @Override
  public void setValue(ELContext context, Object base, Object property, Object value) {}

  @Override
  public boolean isReadOnly(ELContext context, Object base, Object property) {
    return true;
  }

  @Override
  public Iterator<FeatureDescriptor> getFeatureDescriptors(ELContext context, Object base) {
    return null;
  }

  @Override
  public Class<?> getCommonPropertyType(ELContext context, Object base) {
    return null;
  }
}
