package org.embench.rl;

import java.util.Locale;
import org.embench.UserException;

/**
 * One parameter a reward declares: its type, its default (null with {@code required} for one the
 * user must give, null without it for one that may stay unset), and a help line. Values are bound
 * strictly: a string where a number is expected is an error, not a number parsed from it, so a spec
 * means exactly what it says.
 */
public record RewardParam(String name, Type type, Object defaultValue, boolean required, String help) {
  public enum Type {
    NUMBER, BOOLEAN, STRING;

    String describe() {
      return switch (this) {
        case NUMBER -> "a number";
        case BOOLEAN -> "true or false";
        case STRING -> "a string";
      };
    }
  }

  public static RewardParam required(String name, Type type, String help) {
    return new RewardParam(name, type, null, true, help);
  }

  /** A parameter with a default, or none ({@code defaultValue} null): then it is simply left out when not given. */
  public static RewardParam optional(String name, Type type, Object defaultValue, String help) {
    return new RewardParam(name, type, defaultValue, false, help);
  }

  /**
   * {@code value} as this parameter's type; a number is always a double, so that 1 and 1.0 record
   * the same. Errors name the value as {@code reward.param}.
   */
  Object bind(String reward, Object value) {
    Object bound = switch (type) {
      case NUMBER -> value instanceof Number n && Double.isFinite(n.doubleValue()) ? n.doubleValue() : null;
      case BOOLEAN -> value instanceof Boolean b ? b : null;
      case STRING -> value instanceof String s ? s : null;
    };
    if (bound == null) {
      throw new UserException(reward + "." + name + ": expected " + type.describe() + ", got " + shown(value));
    }
    return bound;
  }

  private static String shown(Object value) {
    if (value == null) {
      return "nothing (null)";
    }
    String kind = value instanceof String ? "a string" : value instanceof Number ? "a number"
        : value instanceof Boolean ? "a boolean" : value.getClass().getSimpleName().toLowerCase(Locale.ROOT);
    return "'" + value + "' (" + kind + ")";
  }

  /** The default as help text shows it. */
  String shownDefault() {
    return required ? "(required)" : defaultValue == null ? "(unset)" : String.valueOf(defaultValue);
  }
}
