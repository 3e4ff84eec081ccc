package org.embench.config;

import java.util.List;
import java.util.Locale;
import org.embench.UserException;

/**
 * One parameter an extension (a mitigation, a reward, a capability task kind) declares: its name,
 * type, default (null with {@code required} for one the user must give, null without it for one
 * that may stay unset), and a help line. Values are checked strictly: a string where a number is
 * expected is an error, not a number parsed from it, so a spec means exactly what it says.
 */
public record Param(String name, Type type, Object defaultValue, boolean required, String help) {
  public enum Type {
    NUMBER,
    INTEGER,
    BOOLEAN,
    STRING,
    INTEGERS,
    STRINGS;

    String describe() {
      return switch (this) {
        case NUMBER -> "a number";
        case INTEGER -> "a whole number";
        case BOOLEAN -> "true or false";
        case STRING -> "a string";
        case INTEGERS -> "a whole number or a list of them";
        case STRINGS -> "a list of strings";
      };
    }

    /** The type a default value has. */
    static Type of(Object defaultValue) {
      return defaultValue instanceof Boolean
          ? BOOLEAN
          : defaultValue instanceof Integer
              ? INTEGER
              : defaultValue instanceof Number
                  ? NUMBER
                  : defaultValue instanceof List<?> ? INTEGERS : STRING;
    }
  }

  public static Param required(String name, Type type, String help) {
    return new Param(name, type, null, true, help);
  }

  /**
   * A parameter with a default, or none ({@code defaultValue} null): then it is simply left out
   * when not given.
   */
  public static Param optional(String name, Type type, Object defaultValue, String help) {
    return new Param(name, type, defaultValue, false, help);
  }

  /**
   * A parameter whose type is its default's: an Integer default takes whole numbers, a Double any
   * number.
   */
  public static Param of(String name, Object defaultValue, String help) {
    return new Param(name, Type.of(defaultValue), defaultValue, false, help);
  }

  /**
   * {@code value} as this parameter's type: a number is a double, a whole number an int, one whole
   * number given for a list a list of one. Errors name the value as {@code prefix.name}.
   */
  public Object bind(String prefix, Object value) {
    Object bound =
        switch (type) {
          case NUMBER ->
              value instanceof Number n && Double.isFinite(n.doubleValue())
                  ? n.doubleValue()
                  : null;
          case INTEGER -> whole(value);
          case BOOLEAN -> value instanceof Boolean b ? b : null;
          case STRING -> value instanceof String s ? s : null;
          case INTEGERS ->
              value instanceof List<?> l
                  ? wholes(l)
                  : whole(value) != null ? List.of(whole(value)) : null;
          case STRINGS ->
              value instanceof List<?> l && l.stream().allMatch(String.class::isInstance)
                  ? l.stream().map(String.class::cast).toList()
                  : null;
        };
    if (bound == null) {
      throw new UserException(
          prefix + "." + name + ": expected " + type.describe() + ", got " + shown(value));
    }
    return bound;
  }

  /**
   * {@code value} written as text (the command line's {@code key=value}, a metric override) read as
   * this parameter's type, then checked as {@link #bind} checks it: {@code 5} is a whole number,
   * {@code 0.5} a number, {@code true}/{@code false} a boolean, a list comma-separated. A value
   * that is not text is bound as it is.
   */
  public Object bindText(String prefix, Object value) {
    if (!(value instanceof String text)) {
      return bind(prefix, value);
    }
    String t = text.strip();
    Object read =
        switch (type) {
          case NUMBER, INTEGER -> number(t);
          case BOOLEAN ->
              t.equalsIgnoreCase("true") || t.equalsIgnoreCase("false")
                  ? (Object) Boolean.parseBoolean(t)
                  : t;
          case STRING -> t;
          case INTEGERS ->
              java.util.Arrays.stream(t.split(",", -1)).map(x -> number(x.strip())).toList();
          case STRINGS -> java.util.Arrays.stream(t.split(",", -1)).map(String::strip).toList();
        };
    return bind(prefix, read);
  }

  /** Text as the number it spells (a long when whole), or the text itself when it spells none. */
  private static Object number(String text) {
    if (text.matches("-?\\d{1,18}")) {
      return Long.parseLong(text);
    }
    try {
      return text.matches("[-+.\\dEe]+") ? (Object) Double.parseDouble(text) : text;
    } catch (NumberFormatException e) {
      return text;
    }
  }

  private static Integer whole(Object value) {
    return (value instanceof Integer || value instanceof Long)
            && ((Number) value).longValue() == ((Number) value).intValue()
        ? ((Number) value).intValue()
        : null;
  }

  private static List<Integer> wholes(List<?> values) {
    List<Integer> out = values.stream().map(Param::whole).toList();
    return out.contains(null) ? null : out;
  }

  private static String shown(Object value) {
    if (value == null) {
      return "nothing (null)";
    }
    String kind =
        value instanceof String
            ? "a string"
            : value instanceof Number
                ? "a number"
                : value instanceof Boolean
                    ? "a boolean"
                    : value instanceof List<?>
                        ? "a list"
                        : value.getClass().getSimpleName().toLowerCase(Locale.ROOT);
    return "'" + value + "' (" + kind + ")";
  }

  /** The default as help text shows it. */
  public String shownDefault() {
    return required ? "(required)" : defaultValue == null ? "(unset)" : helpValue(defaultValue);
  }

  /**
   * A default value as help text shows it: an empty one as (none), a long one (a prompt) by
   * reference to the README.
   */
  public static String helpValue(Object value) {
    String v = String.valueOf(value);
    return v.isEmpty()
        ? "(none)"
        : v.length() > 24 ? "(a prompt; see README)" : v.replace("\n", "\\n");
  }
}
