package org.embench.table;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * Content-addressed ids: the sha256 (lower-case hex) of the defining fields written as a canonical
 * JSON array (compact, object keys sorted). The first element names the kind of row, so rows of
 * different tables never share an id by accident.
 */
public final class Ids {
  private static final ObjectMapper CANONICAL =
      JsonMapper.builder()
          .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
          .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
          .build();

  private Ids() {}

  /** sha256 hex of {@code [kind, parts...]} as canonical JSON. */
  public static String of(String kind, Object... parts) {
    Object[] all = new Object[parts.length + 1];
    all[0] = kind;
    System.arraycopy(parts, 0, all, 1, parts.length);
    return sha256Hex(canonicalJson(Arrays.asList(all)));
  }

  /** Compact JSON with sorted object keys: the form ids and *_json columns are written in. */
  public static String canonicalJson(Object value) {
    try {
      return CANONICAL.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("cannot write as JSON: " + value, e);
    }
  }

  public static String sha256Hex(String text) {
    return HexFormat.of().formatHex(sha256(text.getBytes(StandardCharsets.UTF_8)));
  }

  public static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  /** A 64-bit seed from the first eight bytes of sha256(text): how rows seed their generators. */
  public static long seedOf(String text) {
    byte[] d = sha256(text.getBytes(StandardCharsets.UTF_8));
    long seed = 0;
    for (int i = 0; i < 8; i++) {
      seed = (seed << 8) | (d[i] & 0xff);
    }
    return seed;
  }
}
