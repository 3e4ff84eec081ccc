package org.embench.model.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.apache.hadoop.fs.FSDataInputStream;

/** A file on any Hadoop FileSystem (s3a, abfss, dbfs, hdfs…), read with positioned reads. */
final class StreamSource implements ByteSource {
  private final String uri;
  private final FSDataInputStream in;
  private final long size;

  StreamSource(String uri, FSDataInputStream in, long size) {
    this.uri = uri;
    this.in = in;
    this.size = size;
  }

  @Override
  public String uri() {
    return uri;
  }

  @Override
  public long size() {
    return size;
  }

  @Override
  public ByteBuffer read(long pos, int len, ByteBuffer reuse) throws IOException {
    ByteBuffer buf =
        reuse != null && reuse.hasArray() && reuse.capacity() >= len
            ? reuse.clear().limit(len)
            : ByteBuffer.allocate(len);
    in.readFully(pos, buf.array(), 0, len);
    return buf.order(ByteOrder.LITTLE_ENDIAN);
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
