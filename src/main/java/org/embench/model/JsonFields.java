package org.embench.model;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import org.embench.UserException;

/**
 * Typed access to the fields of one JSON object of a Hugging Face file, where a missing or mistyped
 * field is a {@link UserException} naming the file and the field. JSON {@code null} counts as
 * absent, as it does for transformers.
 */
final class JsonFields {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final JsonNode node;
  private final String file;
  private final String prefix;

  private JsonFields(JsonNode node, String file, String prefix) {
    this.node = node;
    this.file = file;
    this.prefix = prefix;
  }

  /** The fields of the top-level object of {@code json}, the text of {@code file}. */
  static JsonFields parse(String json, String file) {
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (JacksonException e) {
      var at = e.getLocation();
      throw new UserException(
          file
              + ": not valid JSON"
              + (at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr())
              + ": "
              + e.getOriginalMessage());
    }
    if (root == null || !root.isObject()) {
      throw new UserException(file + ": expected a JSON object");
    }
    return new JsonFields(root, file, "");
  }

  String file() {
    return file;
  }

  /**
   * An error about {@code field}, e.g. {@code config.json: field 'rope_scaling.factor' must be…}.
   */
  UserException error(String field, String problem) {
    return new UserException(file + ": field '" + prefix + field + "' " + problem);
  }

  /** The error for a required field that is absent. */
  UserException missing(String field) {
    return new UserException(file + ": missing field '" + prefix + field + "'");
  }

  boolean has(String field) {
    JsonNode v = node.get(field);
    return v != null && !v.isNull();
  }

  /** The nested object {@code field}, or null when absent. */
  JsonFields object(String field) {
    if (!has(field)) {
      return null;
    }
    if (!node.get(field).isObject()) {
      throw error(field, "must be an object, found " + node.get(field));
    }
    return new JsonFields(node.get(field), file, prefix + field + ".");
  }

  int requireInt(String field) {
    Integer v = optInt(field);
    if (v == null) {
      throw missing(field);
    }
    return v;
  }

  Integer optInt(String field) {
    return has(field) ? toInt(field, node.get(field)) : null;
  }

  double requireDouble(String field) {
    Double v = optDouble(field);
    if (v == null) {
      throw missing(field);
    }
    return v;
  }

  Double optDouble(String field) {
    if (!has(field)) {
      return null;
    }
    JsonNode v = node.get(field);
    if (!v.isNumber()) {
      throw error(field, "must be a number, found " + v);
    }
    return v.doubleValue();
  }

  boolean optBoolean(String field, boolean absent) {
    if (!has(field)) {
      return absent;
    }
    JsonNode v = node.get(field);
    if (!v.isBoolean()) {
      throw error(field, "must be true or false, found " + v);
    }
    return v.booleanValue();
  }

  String optString(String field) {
    if (!has(field)) {
      return null;
    }
    JsonNode v = node.get(field);
    if (!v.isTextual()) {
      throw error(field, "must be a string, found " + v);
    }
    return v.textValue();
  }

  /** An integer or a list of integers (as {@code eos_token_id} may be); empty when absent. */
  List<Integer> intOrList(String field) {
    if (!has(field)) {
      return List.of();
    }
    JsonNode v = node.get(field);
    List<Integer> values = new ArrayList<>();
    for (JsonNode e : v.isArray() ? v : List.of(v)) {
      if (!isInt(e)) {
        throw error(field, "must be an integer or a list of integers, found " + v);
      }
      values.add(e.intValue());
    }
    return List.copyOf(values);
  }

  private int toInt(String field, JsonNode v) {
    if (!isInt(v)) {
      throw error(field, "must be an integer, found " + v);
    }
    return v.intValue();
  }

  private static boolean isInt(JsonNode v) {
    return v.isIntegralNumber() && v.canConvertToInt();
  }
}
