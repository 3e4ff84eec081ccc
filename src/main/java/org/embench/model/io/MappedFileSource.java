package org.embench.model.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A local file read through memory maps: the page cache is copied straight into the caller's
 * buffer, with no intermediate heap copy. Each read maps its own window, since one map cannot
 * exceed 2 GiB and large checkpoints are tens of GiB.
 */
final class MappedFileSource implements ByteSource {
  private final String uri;
  private final FileChannel channel;
  private final long size;

  MappedFileSource(String uri, Path file) throws IOException {
    this.uri = uri;
    this.channel = FileChannel.open(file, StandardOpenOption.READ);
    this.size = channel.size();
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
    return channel.map(FileChannel.MapMode.READ_ONLY, pos, len).order(ByteOrder.LITTLE_ENDIAN);
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
