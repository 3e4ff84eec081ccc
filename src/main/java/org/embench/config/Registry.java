package org.embench.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.embench.UserException;

/**
 * The implementations of one extension point by name: the one place a name and parameters are
 * checked against a {@link Declaration} and bound to {@link Params}. Errors name the thing ({@code
 * unknown mitigation 'klx'; known: …}, {@code kl.lambda: expected a number, got …}).
 *
 * @param noun what an implementation is called in messages ("mitigation", "reward")
 */
public record Registry<F>(String noun, List<Declaration<F>> declarations) {
  public Registry {
    declarations = List.copyOf(declarations);
  }

  public List<String> names() {
    return declarations.stream().map(Declaration::name).toList();
  }

  public Declaration<F> declaration(String name) {
    return declarations.stream()
        .filter(d -> d.name().equals(name))
        .findFirst()
        .orElseThrow(
            () ->
                new UserException(
                    "unknown " + noun + " '" + name + "'; known: " + String.join(", ", names())));
  }

  /**
   * The given parameters of {@code name} checked and bound, the defaults filled in, the
   * declaration's checks run.
   */
  public Params params(String name, Map<String, ?> given) {
    Declaration<F> d = declaration(name);
    Params p = new Params(noun + " " + name, name, d.params(), given);
    // Run for its errors only: the values stay as given, which is what a run id hashes.
    var unused = d.check().apply(p.resolved());
    return p;
  }

  /**
   * The parameters with defaults filled in, in the declared order, as their types (numbers as
   * doubles), after the declaration's checks, which may canonicalise them: what a run records.
   * Resolving resolved parameters gives them back unchanged.
   */
  public Map<String, Object> resolve(String name, Map<String, ?> given) {
    Declaration<F> d = declaration(name);
    return java.util.Collections.unmodifiableMap(
        new LinkedHashMap<>(
            d.check().apply(new Params(noun + " " + name, name, d.params(), given).resolved())));
  }

  /**
   * Each implementation with its documentation, then its parameters ({@code name=default: help}):
   * the commands' help.
   */
  public List<String> describe() {
    List<String> out = new ArrayList<>();
    for (Declaration<F> d : declarations) {
      out.add(d.name() + ": " + d.doc());
      for (Param p : d.params()) {
        out.add(
            "    " + p.name() + "=" + p.shownDefault() + (p.help() == null ? "" : ": " + p.help()));
      }
    }
    return out;
  }
}
