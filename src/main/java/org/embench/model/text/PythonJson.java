package org.embench.model.text;

import java.lang.reflect.Array;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Python's {@code json.dumps}, which transformers registers as the {@code tojson} filter of chat
 * templates. Jackson is not used because the output must match Python's byte for byte: separators
 * {@code ", "} and {@code ": "}, Python's indent layout, escaping of only quotes, backslashes and
 * control characters when {@code ensure_ascii} is false, and Python's float repr.
 */
final class PythonJson {
  private final boolean ensureAscii;
  private final Integer indent;
  private final String itemSeparator;
  private final String keySeparator;
  private final boolean sortKeys;

  /** Arguments as in json.dumps; null separators mean Python's defaults for the indent given. */
  PythonJson(
      boolean ensureAscii,
      Integer indent,
      String itemSeparator,
      String keySeparator,
      boolean sortKeys) {
    this.ensureAscii = ensureAscii;
    this.indent = indent;
    this.itemSeparator = itemSeparator != null ? itemSeparator : indent == null ? ", " : ",";
    this.keySeparator = keySeparator != null ? keySeparator : ": ";
    this.sortKeys = sortKeys;
  }

  String dumps(Object value) {
    StringBuilder out = new StringBuilder();
    write(out, value, 0);
    return out.toString();
  }

  private void write(StringBuilder out, Object x, int level) {
    if (x == null) {
      out.append("null");
    } else if (x instanceof Boolean b) {
      out.append(b ? "true" : "false");
    } else if (x instanceof CharSequence || x instanceof Character) {
      string(out, x.toString());
    } else if (x instanceof Integer
        || x instanceof Long
        || x instanceof Short
        || x instanceof Byte
        || x instanceof BigInteger) {
      out.append(x);
    } else if (x instanceof Number n) {
      out.append(floatRepr(n.doubleValue()));
    } else if (x instanceof Map<?, ?> map) {
      List<Map.Entry<?, ?>> entries = new ArrayList<>(map.entrySet());
      if (sortKeys) {
        entries.sort(Comparator.comparing(e -> String.valueOf(e.getKey())));
      }
      out.append('{');
      for (int i = 0; i < entries.size(); i++) {
        separate(out, i, level);
        string(out, key(entries.get(i).getKey()));
        out.append(keySeparator);
        write(out, entries.get(i).getValue(), level + 1);
      }
      close(out, entries.isEmpty(), level, '}');
    } else if (x instanceof Iterable<?> || x.getClass().isArray()) {
      List<Object> items = items(x);
      out.append('[');
      for (int i = 0; i < items.size(); i++) {
        separate(out, i, level);
        write(out, items.get(i), level + 1);
      }
      close(out, items.isEmpty(), level, ']');
    } else {
      // Jinjava records it as a template error, which JinjaEngine reports as a
      // ChatTemplateException (a
      // UserException) with the template's line.
      throw new IllegalArgumentException(
          "tojson: object of type " + x.getClass().getSimpleName() + " is not JSON serializable");
    }
  }

  private void separate(StringBuilder out, int index, int level) {
    if (index > 0) {
      out.append(itemSeparator);
    }
    newline(out, level + 1);
  }

  private void close(StringBuilder out, boolean empty, int level, char bracket) {
    if (!empty) {
      newline(out, level);
    }
    out.append(bracket);
  }

  private void newline(StringBuilder out, int level) {
    if (indent != null) {
      out.append('\n').append(" ".repeat(indent * level));
    }
  }

  /** Python turns non-string keys into strings: true, null, float repr, or str(). */
  private static String key(Object k) {
    if (k == null) {
      return "null";
    }
    if (k instanceof Boolean b) {
      return b ? "true" : "false";
    }
    if (k instanceof Double || k instanceof Float) {
      return floatRepr(((Number) k).doubleValue());
    }
    return k.toString();
  }

  private static List<Object> items(Object x) {
    List<Object> items = new ArrayList<>();
    if (x instanceof Iterable<?> iterable) {
      iterable.forEach(items::add);
    } else {
      for (int i = 0; i < Array.getLength(x); i++) {
        items.add(Array.get(x, i));
      }
    }
    return items;
  }

  private void string(StringBuilder out, String s) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        default -> {
          if (c < 0x20 || (ensureAscii && c > 0x7e)) {
            // UTF-16 units, which is also how Python escapes characters beyond the BMP
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }

  /** Python's float repr: shortest round-trip digits, exponent form outside [1e-4, 1e16). */
  static String floatRepr(double d) {
    if (Double.isNaN(d)) {
      return "NaN";
    }
    if (Double.isInfinite(d)) {
      return d > 0 ? "Infinity" : "-Infinity";
    }
    if (d == 0) {
      return 1 / d < 0 ? "-0.0" : "0.0";
    }
    BigDecimal decimal = new BigDecimal(Double.toString(d)).stripTrailingZeros();
    String digits = decimal.unscaledValue().abs().toString();
    int exponent = digits.length() - 1 - decimal.scale();
    String sign = d < 0 ? "-" : "";
    if (exponent >= -4 && exponent < 16) {
      String plain = decimal.abs().toPlainString();
      return sign + (plain.contains(".") ? plain : plain + ".0");
    }
    String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
    return String.format(
        "%s%se%s%02d", sign, mantissa, exponent < 0 ? "-" : "+", Math.abs(exponent));
  }
}
