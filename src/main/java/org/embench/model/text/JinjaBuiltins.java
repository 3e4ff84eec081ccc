package org.embench.model.text;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.exptest.ExpTest;
import com.hubspot.jinjava.lib.filter.Filter;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import com.hubspot.jinjava.lib.tag.Tag;
import com.hubspot.jinjava.objects.date.StrftimeFormatter;
import com.hubspot.jinjava.tree.Node;
import com.hubspot.jinjava.tree.TagNode;
import java.time.Clock;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What transformers adds to jinja2 for chat templates ({@code raise_exception}, {@code
 * strftime_now}, its {@code tojson}, the {@code generation} tag) and the jinja2 built-ins Jinjava
 * lacks or gets wrong ({@code items}, the {@code iterable} and {@code sequence} tests).
 */
final class JinjaBuiltins {
  /** The variable holding the {@link Clock} of {@code strftime_now}, bound for every render. */
  static final String CLOCK_VARIABLE = "__embench_clock__";

  private JinjaBuiltins() {}

  static List<ELFunctionDefinition> functions() {
    return List.of(
        new ELFunctionDefinition(
            "", "raise_exception", JinjaBuiltins.class, "raiseException", Object.class),
        new ELFunctionDefinition(
            "", "strftime_now", JinjaBuiltins.class, "strftimeNow", String.class));
  }

  static List<Filter> filters() {
    return List.of(new TojsonFilter(), new ItemsFilter());
  }

  static List<ExpTest> tests() {
    return List.of(new IterableTest("iterable"), new IterableTest("sequence"));
  }

  static Tag generationTag() {
    return new GenerationTag();
  }

  /** {@code raise_exception(message)}: the template rejects its input. */
  public static Object raiseException(Object message) {
    throw new ChatTemplateException(PythonStr.str(message));
  }

  /**
   * {@code strftime_now(format)}: the current time, as Python's datetime.now().strftime(format).
   */
  public static String strftimeNow(String format) {
    Object clock = JinjavaInterpreter.getCurrent().getContext().get(CLOCK_VARIABLE);
    ZonedDateTime now =
        ZonedDateTime.now(
            clock instanceof Clock c ? c : Clock.system(java.time.ZoneId.systemDefault()));
    return StrftimeFormatter.format(now, format, Locale.ENGLISH);
  }

  /**
   * transformers' {@code tojson(x, ensure_ascii=False, indent=None, separators=None,
   * sort_keys=False)}, i.e. Python's json.dumps; Jinjava's own tojson writes Jackson's JSON.
   */
  private static final class TojsonFilter implements Filter {
    @Override
    public String getName() {
      return "tojson";
    }

    @Override
    public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
      return filter(var, interpreter, args, Map.of());
    }

    @Override
    public Object filter(
        Object var, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
      Object ensureAscii = argument(args, kwargs, 0, "ensure_ascii");
      Object indent = argument(args, kwargs, 1, "indent");
      Object separators = argument(args, kwargs, 2, "separators");
      Object sortKeys = argument(args, kwargs, 3, "sort_keys");
      String itemSeparator = null;
      String keySeparator = null;
      if (separators instanceof List<?> pair && pair.size() == 2) {
        itemSeparator = String.valueOf(pair.get(0));
        keySeparator = String.valueOf(pair.get(1));
      }
      return new PythonJson(
              Boolean.TRUE.equals(ensureAscii),
              indent instanceof Number n ? n.intValue() : null,
              itemSeparator,
              keySeparator,
              Boolean.TRUE.equals(sortKeys))
          .dumps(var);
    }

    private static Object argument(
        Object[] args, Map<String, Object> kwargs, int position, String name) {
      return kwargs.containsKey(name)
          ? kwargs.get(name)
          : position < args.length ? args[position] : null;
    }
  }

  /** jinja2's {@code items} filter, so that {@code for k, v in d|items} unpacks the entries. */
  private static final class ItemsFilter implements Filter {
    @Override
    public String getName() {
      return "items";
    }

    @Override
    public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
      if (var == null) {
        return List.of();
      }
      if (!(var instanceof Map<?, ?> map)) {
        // Jinjava records it as a template error, which JinjaEngine reports as a
        // ChatTemplateException (a
        // UserException) with the template's line.
        throw new IllegalArgumentException("items: expected a mapping, got " + PythonStr.repr(var));
      }
      return new ArrayList<>(map.entrySet());
    }
  }

  /**
   * jinja2's {@code iterable} and {@code sequence} tests: strings and mappings count, which
   * templates such as Llama 3.1's rely on to tell text content from a list of parts.
   */
  private static final class IterableTest implements ExpTest {
    private final String name;

    IterableTest(String name) {
      this.name = name;
    }

    @Override
    public String getName() {
      return name;
    }

    @Override
    public boolean evaluate(Object var, JinjavaInterpreter interpreter, Object... args) {
      return var instanceof CharSequence
          || var instanceof Iterable<?>
          || var instanceof Map<?, ?>
          || (var != null && var.getClass().isArray());
    }
  }

  /**
   * transformers' {@code {% generation %}…{% endgeneration %}}, which marks assistant text for its
   * own loss masks; it renders its body unchanged.
   */
  private static final class GenerationTag implements Tag {
    private static final long serialVersionUID = 1L;

    @Override
    public String getName() {
      return "generation";
    }

    @Override
    public String interpret(TagNode tagNode, JinjavaInterpreter interpreter) {
      StringBuilder out = new StringBuilder();
      for (Node child : tagNode.getChildren()) {
        out.append(child.render(interpreter).getValue());
      }
      return out.toString();
    }
  }
}
