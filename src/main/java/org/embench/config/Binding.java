package org.embench.config;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.type.LogicalType;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.embench.UserException;

/**
 * Binds a section of a spec (or a stored configuration) to its typed record with Jackson: keys are
 * the record's components in snake_case, unknown keys are refused with the known ones named, and no
 * scalar is coerced ({@code max_new_tokens: lots}, {@code rank: 2.7} and {@code full: "yes"} are
 * errors, not 600, 2 and false). The section's defaults lie under the given keys, so a record holds
 * every setting, and the record's own constructor checks ranges. Every error is a {@link
 * UserException} naming the path: {@code spec.yaml: train.rank: expected a whole number, got
 * "four"}.
 *
 * <p>A single value where a list is expected is a list of one ({@code layers: 3}).
 */
public final class Binding {
  private static final ObjectMapper MAPPER = strictMapper();

  private Binding() {}

  private static ObjectMapper strictMapper() {
    JsonMapper m =
        JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .build();
    for (LogicalType t :
        List.of(LogicalType.Integer, LogicalType.Float, LogicalType.Boolean, LogicalType.Textual)) {
      m.coercionConfigFor(t)
          .setCoercion(
              CoercionInputShape.String,
              t == LogicalType.Textual ? CoercionAction.TryConvert : CoercionAction.Fail)
          .setCoercion(
              CoercionInputShape.Boolean,
              t == LogicalType.Boolean ? CoercionAction.TryConvert : CoercionAction.Fail)
          .setCoercion(
              CoercionInputShape.Integer,
              t == LogicalType.Integer || t == LogicalType.Float
                  ? CoercionAction.TryConvert
                  : CoercionAction.Fail)
          .setCoercion(
              CoercionInputShape.Float,
              t == LogicalType.Float ? CoercionAction.TryConvert : CoercionAction.Fail)
          .setCoercion(
              CoercionInputShape.EmptyString,
              t == LogicalType.Textual ? CoercionAction.TryConvert : CoercionAction.Fail);
    }
    return m;
  }

  /** The mapper's tree of a value (a record's defaults, a map of settings). */
  public static ObjectNode tree(Object value) {
    return MAPPER.valueToTree(value);
  }

  /**
   * {@code given} over {@code defaults}, bound to {@code type}.
   *
   * @param given a mapping (a missing or null node is an empty one)
   * @param defaults the settings a key left out takes
   * @param where names the section in errors ({@code "spec.yaml: train"})
   */
  public static <T> T bind(JsonNode given, Map<String, ?> defaults, Class<T> type, String where) {
    return bind(given, defaults, type, where, ".", MAPPER.readerFor(type));
  }

  /**
   * A whole document (a spec file's top level) bound to {@code type}: as {@link #bind(JsonNode,
   * Map, Class, String)}, but a list must be written as one ({@code seeds: 3} is an error), and
   * errors read {@code spec.yaml: seeds[1]: …}.
   *
   * @param file names the document in errors
   */
  public static <T> T bindDocument(
      JsonNode given, Map<String, ?> defaults, Class<T> type, String file) {
    return bind(
        given,
        defaults,
        type,
        file,
        ": ",
        MAPPER.readerFor(type).without(DeserializationFeature.ACCEPT_SINGLE_VALUE_AS_ARRAY));
  }

  private static <T> T bind(
      JsonNode given,
      Map<String, ?> defaults,
      Class<T> type,
      String where,
      String separator,
      ObjectReader reader) {
    if (given != null && !given.isMissingNode() && !given.isNull() && !given.isObject()) {
      throw new UserException(where + ": expected a mapping, got " + given);
    }
    ObjectNode merged = tree(defaults);
    if (given != null && given.isObject()) {
      merged.setAll((ObjectNode) given);
    }
    try {
      return reader.readValue(merged);
    } catch (JsonProcessingException e) {
      throw error(e, merged, type, where, separator);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (IllegalArgumentException e) {
      throw e.getCause() instanceof JsonProcessingException j
          ? error(j, merged, type, where, separator)
          : new UserException(where + ": " + e.getMessage());
    }
  }

  /**
   * {@link #bind(JsonNode, Map, Class, String)} of a map of settings (a stored configuration, a
   * test's).
   */
  public static <T> T bind(
      Map<String, ?> given, Map<String, ?> defaults, Class<T> type, String where) {
    return bind(tree(given), defaults, type, where);
  }

  private static UserException error(
      JsonProcessingException e, JsonNode tree, Class<?> root, String where, String separator) {
    if (e instanceof ValueInstantiationException v && v.getCause() instanceof UserException u) {
      return new UserException(where + ": " + u.getMessage());
    }
    List<JsonMappingException.Reference> refs =
        e instanceof JsonMappingException m ? new ArrayList<>(m.getPath()) : new ArrayList<>();
    if (e instanceof UnrecognizedPropertyException u) {
      refs.remove(refs.size() - 1);
      return new UserException(
          at(where, refs, separator)
              + ": unknown key '"
              + u.getPropertyName()
              + "'; known: "
              + known(u.getKnownPropertyIds()));
    }
    if (e instanceof MismatchedInputException m) {
      // a value wrapped as a list of one fails at [0], which the spec does not have: name the value
      // itself
      while (!refs.isEmpty() && tree.at(pointer(refs)).isMissingNode()) {
        refs.remove(refs.size() - 1);
      }
      JavaType t = declared(root, refs);
      if (t == null && m.getTargetType() != null) {
        t = MAPPER.constructType(m.getTargetType());
      }
      JsonNode got = tree.at(pointer(refs));
      if (t != null) {
        return new UserException(
            at(where, refs, separator)
                + ": expected "
                + expected(t)
                + ", got "
                + (got.isTextual() ? "\"" + got.asText() + "\"" : got.toString()));
      }
    }
    return new UserException(at(where, refs, separator) + ": " + e.getOriginalMessage());
  }

  private static String at(
      String where, List<JsonMappingException.Reference> refs, String separator) {
    String path = path(refs);
    return path.isEmpty() ? where : where + separator + path;
  }

  /**
   * The declared type at a path of the record {@code root}: a component, a list's element, a map's
   * value.
   */
  private static JavaType declared(Class<?> root, List<JsonMappingException.Reference> refs) {
    JavaType t = MAPPER.constructType(root);
    var snake = new PropertyNamingStrategies.SnakeCaseStrategy();
    for (JsonMappingException.Reference r : refs) {
      if (r.getFieldName() == null) {
        if (!t.isCollectionLikeType()) {
          return null;
        }
        t = t.getContentType();
      } else if (t.isMapLikeType()) {
        t = t.getContentType();
      } else if (t.getRawClass().isRecord()) {
        JavaType next = null;
        for (RecordComponent c : t.getRawClass().getRecordComponents()) {
          if (snake.translate(c.getName()).equals(r.getFieldName())) {
            next = MAPPER.getTypeFactory().constructType(c.getGenericType());
          }
        }
        if (next == null) {
          return null;
        }
        t = next;
      } else {
        return null;
      }
    }
    return t;
  }

  private static String path(List<JsonMappingException.Reference> refs) {
    StringBuilder b = new StringBuilder();
    for (JsonMappingException.Reference r : refs) {
      if (r.getFieldName() != null) {
        b.append(b.length() == 0 ? "" : ".").append(r.getFieldName());
      } else if (r.getIndex() >= 0) {
        b.append('[').append(r.getIndex()).append(']');
      }
    }
    return b.toString();
  }

  private static JsonPointer pointer(List<JsonMappingException.Reference> refs) {
    JsonPointer p = JsonPointer.empty();
    for (JsonMappingException.Reference r : refs) {
      p =
          r.getFieldName() != null
              ? p.appendProperty(r.getFieldName())
              : p.appendIndex(Math.max(0, r.getIndex()));
    }
    return p;
  }

  private static String expected(JavaType t) {
    Class<?> c = t.getRawClass();
    if (c == int.class || c == Integer.class || c == long.class || c == Long.class) {
      return "a whole number";
    }
    if (c == double.class || c == Double.class || c == float.class || c == Float.class) {
      return "a number";
    }
    if (c == boolean.class || c == Boolean.class) {
      return "true or false";
    }
    if (c == String.class) {
      return "a string";
    }
    if (t.isCollectionLikeType()) {
      String each = expected(t.getContentType());
      return each.equals("a value") ? "a list" : "a list of " + plural(each);
    }
    if (t.isMapLikeType() || c.isRecord()) {
      return "a mapping";
    }
    return c == Object.class || JsonNode.class.isAssignableFrom(c)
        ? "a value"
        : "a " + c.getSimpleName();
  }

  private static String plural(String one) {
    return switch (one) {
      case "a whole number" -> "whole numbers";
      case "a number" -> "numbers";
      case "a string" -> "strings";
      default -> one;
    };
  }

  private static String known(Collection<Object> ids) {
    return ids.stream().map(String::valueOf).collect(Collectors.toCollection(TreeSet::new)).stream()
        .collect(Collectors.joining(", "));
  }
}
