package org.embench.model.io;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.embench.UserException;

/**
 * The parsed and validated header of a safetensors file: 8 bytes of little-endian header length,
 * then that many bytes of JSON mapping each tensor name to {@code {dtype, shape, data_offsets}}
 * (plus an optional {@code __metadata__} string map), then the tensor bytes. Everything a later
 * read relies on is checked here, so a bad file fails on open with a message naming it.
 */
final class SafetensorsHeader {
  /** Real headers are at most a few MiB; a larger length means a corrupt or foreign file. */
  static final long MAX_HEADER_BYTES = 100L << 20;

  static final String METADATA_KEY = "__metadata__";

  private static final ObjectMapper JSON =
      JsonMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

  final long dataStart;
  final Map<String, TensorInfo> tensors;
  final Map<String, String> metadata;

  private SafetensorsHeader(
      long dataStart, Map<String, TensorInfo> tensors, Map<String, String> metadata) {
    this.dataStart = dataStart;
    this.tensors = Collections.unmodifiableMap(tensors);
    this.metadata = Collections.unmodifiableMap(metadata);
  }

  static SafetensorsHeader read(ByteSource source) throws IOException {
    String file = source.uri();
    long size = source.size();
    if (size < 8) {
      throw new UserException(
          file
              + " is not a safetensors file: it has "
              + size
              + " bytes, fewer than the 8-byte header length");
    }
    ByteBuffer prefix = source.read(0, 8, null);
    long length = prefix.getLong();
    source.release(prefix);
    if (length < 0 || length > MAX_HEADER_BYTES) {
      throw new UserException(
          file
              + ": header length "
              + Long.toUnsignedString(length)
              + " exceeds the limit of "
              + MAX_HEADER_BYTES
              + " bytes; this is not a safetensors file"
              + " or its first 8 bytes are corrupt");
    }
    if (8 + length > size) {
      throw new UserException(
          file
              + ": header length "
              + length
              + " is larger than the file ("
              + size
              + " bytes); the file is truncated or not a safetensors file");
    }
    ByteBuffer json = source.read(8, (int) length, null);
    byte[] bytes = new byte[(int) length];
    json.get(bytes);
    source.release(json);
    JsonNode root;
    try {
      root = JSON.readTree(bytes);
    } catch (JacksonException e) {
      throw new UserException(
          file + ": malformed safetensors header JSON: " + e.getOriginalMessage());
    }
    if (root == null || !root.isObject()) {
      throw new UserException(
          file
              + ": the safetensors header must be a JSON object, found "
              + (root == null
                  ? "nothing"
                  : root.getNodeType().toString().toLowerCase(Locale.ROOT)));
    }
    Map<String, TensorInfo> tensors = new LinkedHashMap<>();
    Map<String, String> metadata = new LinkedHashMap<>();
    for (var field : (Iterable<Map.Entry<String, JsonNode>>) root::fields) {
      if (field.getKey().equals(METADATA_KEY)) {
        metadata.putAll(metadata(field.getValue(), file));
      } else {
        tensors.put(field.getKey(), tensor(field.getKey(), field.getValue(), file));
      }
    }
    long dataStart = 8 + length;
    checkExtent(tensors.values(), size - dataStart, dataStart, file);
    checkOverlap(tensors.values(), file);
    return new SafetensorsHeader(dataStart, tensors, metadata);
  }

  private static Map<String, String> metadata(JsonNode node, String file) {
    if (!node.isObject()) {
      throw new UserException(
          file + ": " + METADATA_KEY + " must be an object of strings, found " + node);
    }
    Map<String, String> m = new LinkedHashMap<>();
    for (var e : (Iterable<Map.Entry<String, JsonNode>>) node::fields) {
      if (!e.getValue().isTextual()) {
        throw new UserException(
            file
                + ": "
                + METADATA_KEY
                + " value of '"
                + e.getKey()
                + "' must be a string, found "
                + e.getValue());
      }
      m.put(e.getKey(), e.getValue().textValue());
    }
    return m;
  }

  private static TensorInfo tensor(String name, JsonNode node, String file) {
    String where = file + ": tensor '" + name + "'";
    if (!node.isObject()) {
      throw new UserException(
          where + ": expected an object with dtype, shape and data_offsets, found " + node);
    }
    JsonNode dtypeNode = required(node, "dtype", where);
    if (!dtypeNode.isTextual()) {
      throw new UserException(where + ": field 'dtype' must be a string, found " + dtypeNode);
    }
    DType dtype = DType.parse(dtypeNode.textValue(), name, file);
    long[] shape = naturals(required(node, "shape", where), "shape", where);
    long[] offsets = naturals(required(node, "data_offsets", where), "data_offsets", where);
    if (offsets.length != 2) {
      throw new UserException(
          where + ": field 'data_offsets' must be [begin, end], found " + node.get("data_offsets"));
    }
    long begin = offsets[0];
    long end = offsets[1];
    if (end < begin) {
      throw new UserException(where + ": data_offsets end " + end + " is before begin " + begin);
    }
    BigInteger neededBits = BigInteger.valueOf(dtype.bits());
    for (long d : shape) {
      neededBits = neededBits.multiply(BigInteger.valueOf(d));
    }
    if (!neededBits.equals(BigInteger.valueOf(end - begin).shiftLeft(3))) {
      String needed =
          neededBits.testBit(0) || neededBits.testBit(1) || neededBits.testBit(2)
              ? neededBits + " bits"
              : neededBits.shiftRight(3).toString();
      throw new UserException(
          where
              + ": data_offsets ["
              + begin
              + ", "
              + end
              + "] hold "
              + (end - begin)
              + " bytes but shape "
              + Arrays.toString(shape)
              + " of "
              + dtype
              + " needs "
              + needed);
    }
    return new TensorInfo(name, dtype, shape, begin, end);
  }

  private static JsonNode required(JsonNode node, String field, String where) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      throw new UserException(where + ": missing field '" + field + "'");
    }
    return v;
  }

  private static long[] naturals(JsonNode node, String field, String where) {
    long[] values = new long[node.size()];
    boolean ok = node.isArray();
    for (int i = 0; ok && i < values.length; i++) {
      JsonNode v = node.get(i);
      ok = v.isIntegralNumber() && v.canConvertToLong() && v.longValue() >= 0;
      values[i] = v.longValue();
    }
    if (!ok) {
      throw new UserException(
          where + ": field '" + field + "' must be a list of non-negative integers, found " + node);
    }
    return values;
  }

  private static void checkExtent(
      Iterable<TensorInfo> tensors, long dataBytes, long dataStart, String file) {
    TensorInfo last = null;
    for (TensorInfo t : tensors) {
      if (last == null || t.end() > last.end()) {
        last = t;
      }
    }
    if (last != null && last.end() > dataBytes) {
      throw new UserException(
          file
              + " is truncated: expected at least "
              + (dataStart + last.end())
              + " bytes (tensor '"
              + last.name()
              + "' ends there), found "
              + (dataStart + dataBytes));
    }
  }

  private static void checkOverlap(Iterable<TensorInfo> tensors, String file) {
    List<TensorInfo> sorted = new ArrayList<>();
    tensors.forEach(
        t -> {
          if (t.byteLength() > 0) {
            sorted.add(t);
          }
        });
    sorted.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
    TensorInfo previous = null;
    for (TensorInfo t : sorted) {
      if (previous != null && t.begin() < previous.end()) {
        throw new UserException(
            file
                + ": tensors '"
                + previous.name()
                + "' "
                + range(previous)
                + " and '"
                + t.name()
                + "' "
                + range(t)
                + " overlap");
      }
      // Sorted by begin and non-empty: a tensor that does not overlap the previous one ends after
      // it.
      previous = t;
    }
  }

  private static String range(TensorInfo t) {
    return "[" + t.begin() + ", " + t.end() + ")";
  }
}
