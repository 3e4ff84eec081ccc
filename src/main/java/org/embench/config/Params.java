package org.embench.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.embench.UserException;

/**
 * The parameters of a registered thing (a mitigation, a capability task): the given values over the
 * defaults, unknown names refused, and each value checked against the type of its default when read
 * in, so that a bad value fails the spec, not a run. Errors name the value as {@code prefix.key}.
 */
public final class Params {
  private final String prefix;
  private final Map<String, Object> defaults;
  private final Map<String, Object> values;

  /**
   * @param owner names the thing in the unknown-parameter message ("mitigation kl")
   * @param prefix names it before a key in the other messages ("kl" as in "kl.lambda: …")
   */
  public Params(String owner, String prefix, Map<String, Object> defaults, Map<String, ?> given) {
    this.prefix = prefix;
    this.defaults = defaults;
    Map<String, Object> v = new LinkedHashMap<>(defaults);
    for (var e : given.entrySet()) {
      if (!defaults.containsKey(e.getKey())) {
        throw new UserException("unknown parameter '" + e.getKey() + "' for " + owner + "; known: "
            + (defaults.isEmpty() ? "(none)" : String.join(", ", new TreeSet<>(defaults.keySet()))));
      }
      v.put(e.getKey(), e.getValue());
    }
    this.values = Collections.unmodifiableMap(v);
    for (var e : defaults.entrySet()) {
      if (e.getValue() instanceof Boolean) {
        bool(e.getKey());
      } else if (e.getValue() instanceof Integer) {
        integer(e.getKey());
      } else if (e.getValue() instanceof Number) {
        number(e.getKey());
      } else if (e.getValue() instanceof String && (values.get(e.getKey()) instanceof Map<?, ?>
          || values.get(e.getKey()) instanceof List<?>)) {
        throw new UserException(prefix + "." + e.getKey() + ": expected a string, got '" + values.get(e.getKey()) + "'");
      } else if (e.getValue() instanceof List<?> && !(values.get(e.getKey()) instanceof Number)) {
        if (!(values.get(e.getKey()) instanceof List<?>)) {
          throw new UserException(prefix + "." + e.getKey() + ": expected a list, got '" + values.get(e.getKey()) + "'");
        }
      }
    }
  }

  /** A mitigation's parameters, named in errors as the mitigation's name. */
  public static Params forMitigation(String name, Map<String, Object> defaults, Map<String, ?> given) {
    return new Params("mitigation " + name, name, defaults, given);
  }

  public Map<String, Object> all() {
    return values;
  }

  /**
   * Every value as the type of its default (an integer given for a number default becomes a
   * double), so that equal settings written differently ({@code 50} and {@code 50.0}) read the same.
   */
  public Map<String, Object> resolved() {
    Map<String, Object> out = new LinkedHashMap<>();
    for (var e : values.entrySet()) {
      Object d = defaults.get(e.getKey());
      String k = e.getKey();
      out.put(k, d instanceof Boolean ? bool(k) : d instanceof Integer ? integer(k)
          : d instanceof Number ? number(k) : d instanceof String && e.getValue() != null ? string(k) : e.getValue());
    }
    return Collections.unmodifiableMap(out);
  }

  public double number(String key) {
    Object v = values.get(key);
    try {
      double d = v instanceof Number n ? n.doubleValue() : Double.parseDouble(String.valueOf(v));
      if (!Double.isFinite(d)) {
        throw new NumberFormatException();
      }
      return d;
    } catch (NumberFormatException e) {
      throw new UserException(prefix + "." + key + ": '" + v + "' is not a number");
    }
  }

  public int integer(String key) {
    double d = number(key);
    if (d != Math.rint(d)) {
      throw new UserException(prefix + "." + key + ": '" + values.get(key) + "' is not an integer");
    }
    return (int) d;
  }

  public boolean bool(String key) {
    Object v = values.get(key);
    if (v instanceof Boolean b) {
      return b;
    }
    if ("true".equals(String.valueOf(v)) || "false".equals(String.valueOf(v))) {
      return Boolean.parseBoolean(String.valueOf(v));
    }
    throw new UserException(prefix + "." + key + ": expected true or false, got '" + v + "'");
  }

  public String string(String key) {
    Object v = values.get(key);
    return v == null ? null : String.valueOf(v);
  }

  public List<Integer> integers(String key) {
    Object v = values.get(key);
    if (v instanceof Number n) {
      return List.of(n.intValue());
    }
    if (v instanceof List<?> l) {
      return l.stream().map(x -> {
        if (!(x instanceof Number n)) {
          throw new UserException(prefix + "." + key + ": '" + x + "' is not an integer");
        }
        return n.intValue();
      }).toList();
    }
    throw new UserException(prefix + "." + key + ": expected a list of layer numbers, got '" + v + "'");
  }

  @SuppressWarnings("unchecked")
  public List<String> strings(String key) {
    Object v = values.get(key);
    if (v instanceof List<?> l) {
      return l.stream().map(String::valueOf).toList();
    }
    throw new UserException(prefix + "." + key + ": expected a list of strings, got '" + v + "'");
  }
}
