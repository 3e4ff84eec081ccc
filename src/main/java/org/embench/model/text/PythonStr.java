package org.embench.model.text;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.interpret.Context;
import com.hubspot.jinjava.interpret.InterpreterFactory;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import java.lang.reflect.Array;
import java.util.Iterator;
import java.util.Map;

/**
 * Python's {@code str()} of template values, which jinja2 prints for {@code {{ … }}}: {@code
 * True}/{@code False}, Python list and dict reprs, Python float repr. A null prints as the empty
 * string, as jinja2 prints an undefined value: Jinjava cannot tell None from undefined.
 */
final class PythonStr {
  private PythonStr() {}

  static String str(Object o) {
    if (o == null) {
      return "";
    }
    return o instanceof CharSequence ? o.toString() : repr(o);
  }

  static String repr(Object o) {
    if (o == null) {
      return "None";
    }
    if (o instanceof Boolean b) {
      return b ? "True" : "False";
    }
    if (o instanceof Double || o instanceof Float) {
      return PythonJson.floatRepr(((Number) o).doubleValue());
    }
    if (o instanceof CharSequence s) {
      return stringRepr(s.toString());
    }
    if (o instanceof Map.Entry<?, ?> e) {
      return "(" + repr(e.getKey()) + ", " + repr(e.getValue()) + ")";
    }
    if (o instanceof Map<?, ?> map) {
      StringBuilder sb = new StringBuilder("{");
      for (Iterator<? extends Map.Entry<?, ?>> it = map.entrySet().iterator(); it.hasNext(); ) {
        Map.Entry<?, ?> e = it.next();
        sb.append(repr(e.getKey())).append(": ").append(repr(e.getValue()));
        sb.append(it.hasNext() ? ", " : "");
      }
      return sb.append('}').toString();
    }
    if (o instanceof Iterable<?> items) {
      StringBuilder sb = new StringBuilder("[");
      for (Iterator<?> it = items.iterator(); it.hasNext(); ) {
        sb.append(repr(it.next())).append(it.hasNext() ? ", " : "");
      }
      return sb.append(']').toString();
    }
    if (o.getClass().isArray()) {
      StringBuilder sb = new StringBuilder("[");
      for (int i = 0; i < Array.getLength(o); i++) {
        sb.append(i > 0 ? ", " : "").append(repr(Array.get(o, i)));
      }
      return sb.append(']').toString();
    }
    return o.toString();
  }

  /** Python quotes with ' unless the text has ' and no ". */
  private static String stringRepr(String s) {
    char quote = s.indexOf('\'') >= 0 && s.indexOf('"') < 0 ? '"' : '\'';
    StringBuilder sb = new StringBuilder().append(quote);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == quote || c == '\\') {
        sb.append('\\').append(c);
      } else if (c == '\n') {
        sb.append("\\n");
      } else if (c == '\r') {
        sb.append("\\r");
      } else if (c == '\t') {
        sb.append("\\t");
      } else if (c < 0x20 || c == 0x7f) {
        sb.append(String.format("\\x%02x", (int) c));
      } else {
        sb.append(c);
      }
    }
    return sb.append(quote).toString();
  }

  /** Makes Jinjava print {@code {{ … }}} values with {@link #str}. */
  static final class Interpreters implements InterpreterFactory {
    @Override
    public JinjavaInterpreter newInstance(JinjavaInterpreter orig) {
      return new Interpreter(orig);
    }

    @Override
    public JinjavaInterpreter newInstance(
        Jinjava application, Context context, JinjavaConfig config) {
      return new Interpreter(application, context, config);
    }
  }

  private static final class Interpreter extends JinjavaInterpreter {
    Interpreter(JinjavaInterpreter orig) {
      super(orig);
    }

    Interpreter(Jinjava application, Context context, JinjavaConfig config) {
      super(application, context, config);
    }

    @Override
    public String getAsString(Object object) {
      return str(object);
    }
  }
}
