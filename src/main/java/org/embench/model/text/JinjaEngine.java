package org.embench.model.text;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.el.JinjavaInterpreterResolver;
import com.hubspot.jinjava.interpret.Context;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.loader.ResourceNotFoundException;
import com.hubspot.jinjava.tree.Node;
import com.hubspot.jinjava.tree.TagNode;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import jinjava.javax.el.CompositeELResolver;
import jinjava.javax.el.ExpressionFactory;

/**
 * Jinjava set up to render Hugging Face chat templates as transformers' {@code apply_chat_template}
 * does with jinja2: {@code ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True,
 * extensions=[loopcontrols])} plus {@code raise_exception}, {@code strftime_now} and its {@code
 * tojson}. Every error fails the render; Jinjava would otherwise log it and print what it could.
 * One shared instance serves all threads.
 */
final class JinjaEngine {
  static final JinjaEngine INSTANCE = new JinjaEngine();

  private final Jinjava jinjava = new ParserReplacingJinjava(config());

  private JinjaEngine() {
    Context globals = jinjava.getGlobalContext();
    globals.registerTag(JinjaBuiltins.generationTag());
    JinjaBuiltins.functions().forEach(globals::registerFunction);
    JinjaBuiltins.filters().forEach(globals::registerFilter);
    JinjaBuiltins.tests().forEach(globals::registerExpTest);
    // transformers renders from a string with no loader: include, import and extends fail
    jinjava.setResourceLocator(
        (name, encoding, interpreter) -> {
          throw new ResourceNotFoundException(
              "a chat template cannot load other templates: " + name);
        });
  }

  private static JinjavaConfig config() {
    LegacyOverrides overrides =
        LegacyOverrides.newBuilder()
            // honour {{- … -}} and {#- … -#}, which Jinjava ignores by default
            .withUseTrimmingForNotesAndExpressions(true)
            // jinja2 precedence: -1|abs is (-1)|abs
            .withUseNaturalOperatorPrecedence(true)
            // {{ -x }} is minus x, not a whitespace-control dash
            .withParseWhitespaceControlStrictly(true)
            .build();
    CompositeELResolver resolver = new CompositeELResolver();
    resolver.add(new PythonStringMethods());
    resolver.add(JinjavaInterpreterResolver.DEFAULT_RESOLVER_READ_ONLY);
    return JinjavaConfig.newBuilder()
        .withTrimBlocks(true)
        .withLstripBlocks(true)
        // message content is data: "{{ x }}" in an answer must print as written, never run
        .withNestedInterpretationEnabled(false)
        // filters must pass through the parser, which rejects unknown ones
        .withEnableFilterChainOptimization(false)
        .withLegacyOverrides(overrides)
        .withElResolver(resolver)
        .withLocale(Locale.ENGLISH)
        .withInterperterFactory(new PythonStr.Interpreters())
        .build();
  }

  /**
   * Checks prepared template source once: syntax errors, and the constructs Jinjava would render
   * differently without an error.
   */
  void validate(String source) {
    // the expression parser looks up filters through the current interpreter
    try (var current = JinjavaInterpreter.closeablePushCurrent(jinjava.newInterpreter()).get()) {
      JinjavaInterpreter interpreter = current.value();
      Node root = interpreter.parse(source);
      throwIfFailed(interpreter.getErrors());
      rejectForElse(root);
    }
  }

  /** Renders prepared template source; any template error is a {@link ChatTemplateException}. */
  String render(String source, Map<String, ?> variables) {
    RenderResult result = jinjava.renderForResult(source, variables);
    throwIfFailed(result.getErrors());
    return result.getOutput();
  }

  private static void throwIfFailed(List<TemplateError> errors) {
    List<TemplateError> failures =
        errors.stream().filter(e -> e.getSeverity() != TemplateError.ErrorType.WARNING).toList();
    for (TemplateError e : failures) {
      // raise_exception: Jinjava wraps the template's exception; its message is the one to show
      for (Throwable t = e.getException(); t != null && t != t.getCause(); t = t.getCause()) {
        if (t instanceof ChatTemplateException c) {
          throw new ChatTemplateException(c.getMessage());
        }
      }
    }
    if (!failures.isEmpty()) {
      throw new ChatTemplateException(
          "chat template error: "
              + failures.stream()
                  .map(e -> e.getMessage() + " (line " + e.getLineno() + ")")
                  .collect(Collectors.joining("; ")));
    }
  }

  /** Jinjava has no for-else: it would render the else branch's text in the loop. */
  private static void rejectForElse(Node node) {
    if (node instanceof TagNode tag && "for".equals(tag.getName())) {
      for (Node child : node.getChildren()) {
        if (child instanceof TagNode c && "else".equals(c.getName())) {
          throw new ChatTemplateException(
              "chat template line "
                  + child.getLineNumber()
                  + ": {% for %}…{% else %} is not supported; test the list with {% if %} instead");
        }
      }
    }
    node.getChildren().forEach(JinjaEngine::rejectForElse);
  }

  /** Jinjava with {@link JinjaExpressionParser} for expressions. */
  private static final class ParserReplacingJinjava extends Jinjava {
    private final ExpressionFactory expressionFactory = JinjaExpressionParser.expressionFactory();

    ParserReplacingJinjava(JinjavaConfig config) {
      super(config);
    }

    @Override
    public ExpressionFactory getExpressionFactory() {
      return expressionFactory;
    }
  }
}
