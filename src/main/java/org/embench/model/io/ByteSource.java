package org.embench.model.io;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Random access to the bytes of one file, so the safetensors reader need not care whether a file is
 * memory-mapped or read through a Hadoop stream. Reads may run concurrently.
 */
interface ByteSource extends Closeable {
  /** The file the bytes come from, for messages. */
  String uri();

  long size();

  /**
   * The {@code len} bytes at {@code pos}, little-endian, positioned at 0. May fill and return
   * {@code reuse} (a buffer an earlier call returned, or null) instead of allocating.
   */
  ByteBuffer read(long pos, int len, ByteBuffer reuse) throws IOException;

  /**
   * Says that nothing will read {@code window} (a buffer {@link #read} returned) or any view of it
   * again, so its resources can go now rather than at some later garbage collection.
   */
  default void release(ByteBuffer window) {}
}
