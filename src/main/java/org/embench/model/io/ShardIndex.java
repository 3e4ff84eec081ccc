package org.embench.model.io;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.embench.UserException;

/**
 * A {@code model.safetensors.index.json}: which shard file holds each tensor, and the total bytes
 * of tensor data ({@code metadata.total_size}).
 *
 * @param weightMap tensor name to shard file name (relative to the model directory), in file order
 */
record ShardIndex(Map<String, String> weightMap, long totalSize) {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  static ShardIndex parse(String json, String file) {
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (JacksonException e) {
      throw new UserException(file + ": not valid JSON: " + e.getOriginalMessage());
    }
    JsonNode map = root == null ? null : root.get("weight_map");
    if (map == null || !map.isObject()) {
      throw new UserException(
          file + ": missing field 'weight_map' (an object of tensor name to shard file)");
    }
    Map<String, String> weightMap = new LinkedHashMap<>();
    for (var e : (Iterable<Map.Entry<String, JsonNode>>) map::fields) {
      if (!e.getValue().isTextual()) {
        throw new UserException(
            file
                + ": weight_map value of '"
                + e.getKey()
                + "' must be a file name, found "
                + e.getValue());
      }
      weightMap.put(e.getKey(), e.getValue().textValue());
    }
    return new ShardIndex(weightMap, root.path("metadata").path("total_size").asLong(-1));
  }

  /** As transformers writes it: tensor names sorted. */
  String toJson() {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("metadata", Map.of("total_size", totalSize));
    root.put("weight_map", new TreeMap<>(weightMap));
    try {
      return JSON.writeValueAsString(root) + "\n";
    } catch (JacksonException e) {
      throw new IllegalStateException("cannot write a shard index", e);
    }
  }
}
