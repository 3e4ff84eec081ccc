package org.embench.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.embench.UserException;

/**
 * The parameters of a declared thing (a mitigation, a reward, a capability task) bound to its
 * {@link Param}s: the given values over the defaults, unknown names refused, each value checked
 * against its declared type when read in, so that a bad value fails the spec, not a run. Errors
 * name the value as {@code prefix.key}.
 */
public final class Params {
  private final Map<String, Object> values;
  private final Map<String, Object> typed;

  /**
   * @param owner names the thing in the unknown-parameter message ("mitigation kl")
   * @param prefix names it before a key in the other messages ("kl" as in "kl.lambda: …")
   */
  public Params(String owner, String prefix, List<Param> declared, Map<String, ?> given) {
    for (String key : given.keySet()) {
      if (declared.stream().noneMatch(p -> p.name().equals(key))) {
        throw new UserException(
            "unknown parameter '"
                + key
                + "' for "
                + owner
                + "; known: "
                + (declared.isEmpty()
                    ? "(none)"
                    : String.join(
                        ", ", new TreeSet<>(declared.stream().map(Param::name).toList()))));
      }
    }
    Map<String, Object> v = new LinkedHashMap<>();
    Map<String, Object> t = new LinkedHashMap<>();
    for (Param p : declared) {
      if (given.containsKey(p.name())) {
        t.put(p.name(), p.bind(prefix, given.get(p.name())));
        v.put(p.name(), given.get(p.name()));
      } else if (p.required()) {
        throw new UserException(owner + " needs '" + p.name() + "' (" + p.help() + ")");
      } else if (p.defaultValue() != null) {
        t.put(p.name(), p.bind(prefix, p.defaultValue()));
        v.put(p.name(), p.defaultValue());
      }
    }
    this.values = Collections.unmodifiableMap(v);
    this.typed = Collections.unmodifiableMap(t);
  }

  /**
   * The values as given over the defaults, in the declared order: what a mitigation records in
   * runs.mitigation_params_json and its run id hashes (so {@code 1} and {@code 1.0} stay the ids
   * they always were).
   */
  public Map<String, Object> all() {
    return values;
  }

  /**
   * Every value as its declared type (a whole number given for a number becomes a double), so that
   * equal settings written differently ({@code 50} and {@code 50.0}) read the same.
   */
  public Map<String, Object> resolved() {
    return typed;
  }

  public double number(String key) {
    return (Double) typed.get(key);
  }

  public int integer(String key) {
    return (Integer) typed.get(key);
  }

  public boolean bool(String key) {
    return (Boolean) typed.get(key);
  }

  public String string(String key) {
    return (String) typed.get(key);
  }

  @SuppressWarnings("unchecked")
  public List<Integer> integers(String key) {
    return (List<Integer>) typed.get(key);
  }

  @SuppressWarnings("unchecked")
  public List<String> strings(String key) {
    return (List<String>) typed.get(key);
  }
}
