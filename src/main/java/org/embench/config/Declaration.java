package org.embench.config;

import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Everything a registry knows about one implementation of an extension point (a mitigation, a
 * reward, a capability task kind), written once beside its class: its name, a line of
 * documentation, its parameters, the checks its types cannot express, and how it is made. Spec
 * validation, the commands' help and the recorded parameters all come from here.
 *
 * @param check runs on the bound parameters when a spec is read; throws a UserException for a value
 *     that is well typed but unusable (a pattern that does not compile) and returns the parameters,
 *     possibly canonicalised (a judge spec with its defaults)
 * @param factory makes the implementation; its type is the extension point's
 */
public record Declaration<F>(
    String name,
    String doc,
    List<Param> params,
    UnaryOperator<Map<String, Object>> check,
    F factory) {

  public Declaration(String name, String doc, List<Param> params, F factory) {
    this(name, doc, params, UnaryOperator.identity(), factory);
  }
}
