package org.embench.model.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * Writes a safetensors file from float data, stored as F32, F16 or BF16. Tensors are added first
 * (the data is referenced, not copied) and written in one pass. The output depends only on what was
 * added and in which order, so the same input gives the same bytes.
 */
public final class SafetensorsWriter {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int CHUNK_BYTES = 1 << 20;

  /** A tensor of {@code count} values, which {@code data} gives when the file is written. */
  private record Entry(
      String name, DType dtype, long[] shape, int count, Supplier<FloatBuffer> data) {
    long byteLength() {
      return dtype.byteSize(count);
    }
  }

  private final Map<String, Entry> entries = new LinkedHashMap<>();
  private final Map<String, String> metadata = new LinkedHashMap<>();

  /** Adds a {@code __metadata__} entry (Hugging Face expects {@code format: pt}). */
  public SafetensorsWriter metadata(String key, String value) {
    metadata.put(key, value);
    return this;
  }

  public SafetensorsWriter add(String name, DType dtype, long[] shape, float[] data) {
    return add(name, dtype, shape, FloatBuffer.wrap(data));
  }

  /** Adds the values from the position to the limit of {@code data}, which is left unchanged. */
  public SafetensorsWriter add(String name, DType dtype, long[] shape, FloatBuffer data) {
    checkName(name, dtype);
    checkShape(name, shape, data.remaining());
    FloatBuffer kept = data.duplicate();
    entries.put(name, new Entry(name, dtype, shape.clone(), kept.remaining(), kept::duplicate));
    return this;
  }

  /**
   * Adds a tensor whose values {@code data} gives only while the file is written, as many as {@code
   * shape} holds: a file whose tensors do not all fit in memory together, such as a copied
   * checkpoint shard, is written with one of them in memory at a time.
   */
  public SafetensorsWriter addLater(
      String name, DType dtype, long[] shape, Supplier<float[]> data) {
    checkName(name, dtype);
    long n = 1;
    for (long d : shape) {
      n = Math.multiplyExact(n, Math.max(0, d));
    }
    int count = Math.toIntExact(n);
    checkShape(name, shape, count);
    entries.put(
        name,
        new Entry(
            name,
            dtype,
            shape.clone(),
            count,
            () -> {
              float[] v = data.get();
              if (v.length != count) {
                throw new IllegalStateException(
                    "tensor '"
                        + name
                        + "': "
                        + v.length
                        + " values given for shape "
                        + Arrays.toString(shape));
              }
              return FloatBuffer.wrap(v);
            }));
    return this;
  }

  private void checkName(String name, DType dtype) {
    if (name.isEmpty()
        || name.equals(SafetensorsHeader.METADATA_KEY)
        || entries.containsKey(name)) {
      throw new IllegalArgumentException(
          "tensor name '" + name + "' is empty, reserved or already added");
    }
    if (!dtype.isFloat()) {
      throw new IllegalArgumentException(
          "cannot write tensor '"
              + name
              + "' as "
              + dtype
              + "; supported: "
              + DType.floatTypeNames());
    }
  }

  /** Fails unless {@code shape} is non-negative and holds exactly {@code values} elements. */
  static void checkShape(String name, long[] shape, int values) {
    long n = 1;
    for (long d : shape) {
      if (d < 0) {
        throw new IllegalArgumentException(
            "tensor '" + name + "' has a negative dimension: " + Arrays.toString(shape));
      }
      n = Math.multiplyExact(n, d);
    }
    if (n != values) {
      throw new IllegalArgumentException(
          "tensor '"
              + name
              + "': shape "
              + Arrays.toString(shape)
              + " has "
              + n
              + " elements but "
              + values
              + " values were given");
    }
  }

  /** Tensor names in the order added. */
  public List<String> names() {
    return List.copyOf(entries.keySet());
  }

  /** Bytes of tensor data added so far (the file adds a header of a few KiB). */
  public long dataBytes() {
    return entries.values().stream().mapToLong(Entry::byteLength).sum();
  }

  public void writeTo(String uri, Configuration conf) {
    try (OutputStream out = HadoopFiles.create(new Path(uri), conf)) {
      writeTo(out);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + uri + ": " + e.getMessage(), e);
    }
  }

  /** Writes the file to {@code out}, which is not closed. */
  public void writeTo(OutputStream out) throws IOException {
    List<Entry> layout = layout();
    byte[] header = header(layout);
    out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).array());
    out.write(header);
    ByteBuffer buf = ByteBuffer.allocate(CHUNK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    for (Entry e : layout) {
      FloatBuffer src = e.data().get();
      int step = CHUNK_BYTES * 8 / e.dtype().bits();
      while (src.hasRemaining()) {
        int n = Math.min(step, src.remaining());
        buf.clear();
        e.dtype().encode(src.slice(src.position(), n), buf);
        src.position(src.position() + n);
        out.write(buf.array(), 0, buf.position());
      }
    }
  }

  /**
   * Wider types first (stable otherwise), so that every tensor starts at a multiple of its element
   * size, as readers that use tensors in place from a memory map require.
   */
  private List<Entry> layout() {
    return entries.values().stream()
        .sorted(Comparator.comparingInt((Entry e) -> e.dtype().bits()).reversed())
        .toList();
  }

  /** The header JSON in insertion order, padded with spaces to a multiple of 8 bytes. */
  private byte[] header(List<Entry> layout) throws JsonProcessingException {
    Map<String, long[]> offsets = new LinkedHashMap<>();
    long at = 0;
    for (Entry e : layout) {
      offsets.put(e.name(), new long[] {at, at + e.byteLength()});
      at += e.byteLength();
    }
    Map<String, Object> json = new LinkedHashMap<>();
    if (!metadata.isEmpty()) {
      json.put(SafetensorsHeader.METADATA_KEY, metadata);
    }
    for (Entry e : entries.values()) {
      Map<String, Object> t = new LinkedHashMap<>();
      t.put("dtype", e.dtype().name());
      t.put("shape", e.shape());
      t.put("data_offsets", offsets.get(e.name()));
      json.put(e.name(), t);
    }
    byte[] raw = JSON.writeValueAsBytes(json);
    byte[] padded = Arrays.copyOf(raw, (raw.length + 7) / 8 * 8);
    Arrays.fill(padded, raw.length, padded.length, (byte) ' ');
    return padded;
  }
}
