package org.embench.model.io;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.util.Collection;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.hadoop.conf.Configuration;
import org.embench.UserException;

/**
 * Reads a safetensors file from a local path or any Hadoop URI. The header is read and validated on
 * {@link #open}; tensors are read on demand and converted to float. {@link #readFloats(String,
 * FloatBuffer)} streams a tensor into a caller's (typically off-heap) buffer in chunks, so loading
 * a multi-GiB weight never needs a heap copy of it. Reads may run concurrently.
 */
public final class SafetensorsReader implements Closeable {
  /**
   * Hadoop configuration key: whether local files are memory-mapped (fastest) rather than streamed.
   * Turn it off for FUSE mounts (such as {@code /dbfs}) where mapping is slow or unsupported.
   */
  public static final String MMAP = "embench.checkpoint.mmap";

  public static final boolean MMAP_DEFAULT = true;

  /**
   * Bytes converted per step: large enough for sequential IO, small enough to stay off the heap.
   */
  static final int CHUNK_BYTES = 8 << 20;

  private final ByteSource source;
  private final SafetensorsHeader header;

  private SafetensorsReader(ByteSource source, SafetensorsHeader header) {
    this.source = source;
    this.header = header;
  }

  /**
   * Opens and validates {@code uri}; bad or missing files are {@link org.embench.UserException}s.
   */
  public static SafetensorsReader open(String uri, Configuration conf) {
    ByteSource source = HadoopFiles.open(uri, conf, conf.getBoolean(MMAP, MMAP_DEFAULT));
    try {
      return new SafetensorsReader(source, SafetensorsHeader.read(source));
    } catch (IOException e) {
      closeAfterFailure(source, e);
      throw new UncheckedIOException("cannot read the header of " + uri + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      closeAfterFailure(source, e);
      throw e;
    }
  }

  private static void closeAfterFailure(ByteSource source, Exception failure) {
    try {
      source.close();
    } catch (IOException e) {
      failure.addSuppressed(e);
    }
  }

  public String uri() {
    return source.uri();
  }

  /** Every tensor, in header order. */
  public Map<String, TensorInfo> tensors() {
    return header.tensors;
  }

  /** The {@code __metadata__} of the header (empty when absent). */
  public Map<String, String> metadata() {
    return header.metadata;
  }

  /**
   * The tensor named {@code name}; an unknown name is a {@link UserException}: the file lacks what
   * was asked for.
   */
  public TensorInfo info(String name) {
    TensorInfo t = header.tensors.get(name);
    if (t == null) {
      throw unknownTensor(name, header.tensors.keySet(), uri());
    }
    return t;
  }

  /**
   * A tensor as a new float array (for small tensors; see {@link #readFloats(String,
   * FloatBuffer)}).
   */
  public float[] readFloats(String name) {
    long n = info(name).numel();
    if (n > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(
          "tensor '"
              + name
              + "' in "
              + uri()
              + " has "
              + n
              + " elements, too many for a Java array; read it into a FloatBuffer");
    }
    float[] values = new float[(int) n];
    readFloats(name, FloatBuffer.wrap(values));
    return values;
  }

  /**
   * Converts a tensor to float into {@code dst} at its position, and advances the position past it.
   * {@code dst} may be direct; nothing of the tensor's size is allocated on the heap.
   */
  public void readFloats(String name, FloatBuffer dst) {
    TensorInfo t = info(name);
    t.dtype().requireFloat(name, uri());
    long n = t.numel();
    if (dst.remaining() < n) {
      throw new IllegalArgumentException(
          "tensor '"
              + name
              + "' in "
              + uri()
              + " has "
              + n
              + " elements but the destination has room for "
              + dst.remaining());
    }
    long start = header.dataStart + t.begin();
    ByteBuffer chunk = null;
    try {
      for (long done = 0; done < t.byteLength(); done += CHUNK_BYTES) {
        int len = (int) Math.min(CHUNK_BYTES, t.byteLength() - done);
        chunk = source.read(start + done, len, chunk);
        t.dtype().decode(chunk, dst);
        source.release(chunk);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot read tensor '" + name + "' from " + uri() + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    try {
      source.close();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot close " + uri() + ": " + e.getMessage(), e);
    }
  }

  /** The error for a tensor name that is not there, with a few names that are. */
  static UserException unknownTensor(String name, Collection<String> known, String where) {
    String some = known.stream().limit(5).collect(Collectors.joining(", "));
    return new UserException(
        "no tensor '"
            + name
            + "' in "
            + where
            + "; it has "
            + known.size()
            + " tensors"
            + (known.isEmpty() ? "" : ", such as " + some));
  }
}
