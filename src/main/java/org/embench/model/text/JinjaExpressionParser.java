package org.embench.model.text;

import static jinjava.de.odysseus.el.tree.impl.Scanner.Symbol.COMMA;
import static jinjava.de.odysseus.el.tree.impl.Scanner.Symbol.IDENTIFIER;
import static jinjava.de.odysseus.el.tree.impl.Scanner.Symbol.NOT;

import com.hubspot.jinjava.el.ExtendedSyntaxBuilder;
import com.hubspot.jinjava.el.TruthyTypeConverter;
import com.hubspot.jinjava.el.ext.AstNamedParameter;
import com.hubspot.jinjava.el.ext.ExtendedParser;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import java.util.ArrayList;
import java.util.List;
import jinjava.de.odysseus.el.ExpressionFactoryImpl;
import jinjava.de.odysseus.el.tree.TreeStore;
import jinjava.de.odysseus.el.tree.impl.Builder;
import jinjava.de.odysseus.el.tree.impl.Cache;
import jinjava.de.odysseus.el.tree.impl.Parser;
import jinjava.de.odysseus.el.tree.impl.Scanner.ScanException;
import jinjava.de.odysseus.el.tree.impl.Scanner.Symbol;
import jinjava.de.odysseus.el.tree.impl.ast.AstIdentifier;
import jinjava.de.odysseus.el.tree.impl.ast.AstNode;
import jinjava.de.odysseus.el.tree.impl.ast.AstParameters;
import jinjava.de.odysseus.el.tree.impl.ast.AstUnary;
import jinjava.javax.el.ELException;
import jinjava.javax.el.ExpressionFactory;

/**
 * Jinjava's expression parser with jinja2's rules where chat templates rely on them:
 *
 * <ul>
 *   <li>{@code name=expression} arguments take a whole expression: Jinjava reads {@code
 *       namespace(i=messages|length - 1)} as {@code (i=messages|length) - 1} and fails;
 *   <li>a leading {@code not} binds looser than comparisons, tests and filters: {@code not a|length
 *       == 1} is {@code not (a|length == 1)}, where Jinjava negates {@code a};
 *   <li>an unknown filter or test is an error, where Jinjava yields null or false silently;
 *   <li>a trailing comma in an argument list is allowed.
 * </ul>
 */
final class JinjaExpressionParser extends ExtendedParser {
  private static final int EXPRESSION_CACHE_SIZE = 1000;

  JinjaExpressionParser(Builder context, String input) {
    super(context, input);
  }

  /** The expression factory for Jinjava: this parser, Jinjava's type conversions, a parse cache. */
  static ExpressionFactory expressionFactory() {
    return new ExpressionFactoryImpl(
        new TreeStore(new SyntaxBuilder(), new Cache(EXPRESSION_CACHE_SIZE)),
        new TruthyTypeConverter());
  }

  @Override
  protected AstParameters params(Symbol left, Symbol right) throws ScanException, ParseException {
    consumeToken(left);
    List<AstNode> params = new ArrayList<>();
    AstNode first = param(false);
    if (first != null) {
      params.add(first);
      while (getToken().getSymbol() == COMMA) {
        consumeToken();
        if (getToken().getSymbol() == right) {
          break;
        }
        params.add(param(true));
      }
    }
    consumeToken(right);
    return createAstParameters(params);
  }

  private AstNode param(boolean required) throws ScanException, ParseException {
    if (getToken().getSymbol() == IDENTIFIER && "=".equals(lookahead(0).getImage())) {
      String name = consumeToken().getImage();
      consumeToken(); // '='
      return new AstNamedParameter(identifier(name), expr(true));
    }
    return expr(required);
  }

  @Override
  protected AstNode eq(boolean required) throws ScanException, ParseException {
    if (getToken().getSymbol() == NOT) {
      consumeToken();
      return createAstUnary(eq(true), AstUnary.NOT);
    }
    return super.eq(required);
  }

  @Override
  protected AstIdentifier createAstIdentifier(String name, int index) {
    // filters and tests are parsed as identifiers named "filter:NAME" and "exptest:NAME"
    JinjavaInterpreter interpreter = JinjavaInterpreter.getCurrent();
    if (interpreter != null) {
      if (name.startsWith(FILTER_PREFIX)
          && interpreter.getContext().getFilter(name.substring(FILTER_PREFIX.length())) == null) {
        throw new ELException("No filter named '" + name.substring(FILTER_PREFIX.length()) + "'");
      }
      if (name.startsWith(EXPTEST_PREFIX)
          && interpreter.getContext().getExpTest(name.substring(EXPTEST_PREFIX.length())) == null) {
        throw new ELException("No test named '" + name.substring(EXPTEST_PREFIX.length()) + "'");
      }
    }
    return super.createAstIdentifier(name, index);
  }

  /** Makes the expression factory use this parser. */
  private static final class SyntaxBuilder extends ExtendedSyntaxBuilder {
    private static final long serialVersionUID = 1L;

    SyntaxBuilder() {
      // what Jinjava's own factory enables: method calls (s.startswith(…)) and varargs functions
      super(Builder.Feature.METHOD_INVOCATIONS, Builder.Feature.VARARGS);
    }

    @Override
    protected Parser createParser(String expression) {
      return new JinjaExpressionParser(this, expression);
    }
  }
}
