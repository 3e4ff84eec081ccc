package org.embench.mitigation;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.embench.UserException;

/** A mitigation's parameters: the given values over the defaults, unknown names refused. */
final class Params {
  private final String mitigation;
  private final Map<String, Object> values;

  Params(String mitigation, Map<String, Object> defaults, Map<String, ?> given) {
    this.mitigation = mitigation;
    Map<String, Object> v = new LinkedHashMap<>(defaults);
    for (var e : given.entrySet()) {
      if (!defaults.containsKey(e.getKey())) {
        throw new UserException("unknown parameter '" + e.getKey() + "' for mitigation " + mitigation + "; known: "
            + (defaults.isEmpty() ? "(none)" : String.join(", ", new TreeSet<>(defaults.keySet()))));
      }
      v.put(e.getKey(), e.getValue());
    }
    this.values = Collections.unmodifiableMap(v);
    // Checked now, against the type of each default, so that a bad value fails the spec, not a run.
    for (var e : defaults.entrySet()) {
      if (e.getValue() instanceof Integer) {
        integer(e.getKey());
      } else if (e.getValue() instanceof Number) {
        number(e.getKey());
      } else if (e.getValue() instanceof List<?> && !(values.get(e.getKey()) instanceof Number)) {
        if (!(values.get(e.getKey()) instanceof List<?>)) {
          throw new UserException(mitigation + "." + e.getKey() + ": expected a list, got '" + values.get(e.getKey()) + "'");
        }
      }
    }
  }

  Map<String, Object> all() {
    return values;
  }

  double number(String key) {
    Object v = values.get(key);
    try {
      double d = v instanceof Number n ? n.doubleValue() : Double.parseDouble(String.valueOf(v));
      if (!Double.isFinite(d)) {
        throw new NumberFormatException();
      }
      return d;
    } catch (NumberFormatException e) {
      throw new UserException(mitigation + "." + key + ": '" + v + "' is not a number");
    }
  }

  int integer(String key) {
    double d = number(key);
    if (d != Math.rint(d)) {
      throw new UserException(mitigation + "." + key + ": '" + values.get(key) + "' is not an integer");
    }
    return (int) d;
  }

  String string(String key) {
    Object v = values.get(key);
    return v == null ? null : String.valueOf(v);
  }

  List<Integer> integers(String key) {
    Object v = values.get(key);
    if (v instanceof Number n) {
      return List.of(n.intValue());
    }
    if (v instanceof List<?> l) {
      return l.stream().map(x -> {
        if (!(x instanceof Number n)) {
          throw new UserException(mitigation + "." + key + ": '" + x + "' is not an integer");
        }
        return n.intValue();
      }).toList();
    }
    throw new UserException(mitigation + "." + key + ": expected a list of layer numbers, got '" + v + "'");
  }

  @SuppressWarnings("unchecked")
  List<String> strings(String key) {
    Object v = values.get(key);
    if (v instanceof List<?> l) {
      return l.stream().map(String::valueOf).toList();
    }
    throw new UserException(mitigation + "." + key + ": expected a list of strings, got '" + v + "'");
  }
}
