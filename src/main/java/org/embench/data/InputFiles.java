package org.embench.data;

import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.embench.UserException;

/**
 * Opens input files by Hadoop URI (a plain path is a local file) as UTF-8 text. A byte-order mark
 * at the start is dropped. Bytes that are not UTF-8 are never replaced silently: a line-oriented
 * reader ({@link #lines}) reports the line so it can be rejected alone; a whole-file read fails
 * naming the line. A missing file is a {@link UserException}.
 */
public final class InputFiles {
  private static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

  private InputFiles() {}

  /**
   * The Hadoop path of a file or directory the user named. Hadoop refuses some names (an empty one,
   * as an unset shell variable gives) with an IllegalArgumentException; that is the user's to fix.
   */
  public static Path path(String uri) {
    try {
      return new Path(uri);
    } catch (IllegalArgumentException e) {
      throw new UserException("not a valid path or URI: '" + uri + "' (" + e.getMessage() + ")", e);
    }
  }

  private static InputStream stream(String uri, Configuration conf) {
    Path path = path(uri);
    try {
      FileSystem fs = path.getFileSystem(conf);
      if (!fs.exists(path)) {
        throw new UserException("file not found: " + uri);
      }
      if (fs.getFileStatus(path).isDirectory()) {
        throw new UserException("expected a file but found a directory: " + uri);
      }
      return new BufferedInputStream(fs.open(path), 1 << 16);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open " + uri + ": " + e.getMessage(), e);
    }
  }

  /** The whole file as one reader (for YAML and CSV parsers). */
  public static BufferedReader open(String uri, Configuration conf) {
    return new BufferedReader(new StringReader(readString(uri, conf)));
  }

  /** The whole file as text; invalid UTF-8 is an error naming its line. */
  public static String readString(String uri, Configuration conf) {
    byte[] bytes;
    try (InputStream in = stream(uri, conf)) {
      bytes = in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + uri + ": " + e.getMessage(), e);
    }
    int start = startsWithBom(bytes, bytes.length) ? BOM.length : 0;
    CharsetDecoder decoder = strictDecoder();
    ByteBuffer in = ByteBuffer.wrap(bytes, start, bytes.length - start);
    CharBuffer out = CharBuffer.allocate(bytes.length);
    CoderResult r = decoder.decode(in, out, true);
    if (r.isError()) {
      int at = in.position();
      long line = 1;
      for (int i = start; i < at; i++) {
        line += bytes[i] == '\n' ? 1 : 0;
      }
      throw new UserException(
          uri
              + ":"
              + line
              + ": not valid UTF-8 (byte 0x"
              + String.format("%02X", bytes[at] & 0xFF)
              + "); save the file as UTF-8");
    }
    decoder.flush(out);
    return out.flip().toString();
  }

  /** The file line by line; each line says whether it was valid UTF-8. */
  public static Lines lines(String uri, Configuration conf) {
    return new Lines(stream(uri, conf));
  }

  /** Lines of a file as bytes decoded one at a time, so a bad line is that line's problem only. */
  public static final class Lines implements Closeable {
    private final InputStream in;
    private final ByteArrayOutputStream buf = new ByteArrayOutputStream(1 << 12);
    private long number;
    private String problem;

    Lines(InputStream in) {
      this.in = in;
    }

    /** The next line without its end ('\n' or "\r\n"), or null at the end of the file. */
    public String next() throws IOException {
      buf.reset();
      int b;
      boolean any = false;
      while ((b = in.read()) >= 0) {
        any = true;
        if (b == '\n') {
          break;
        }
        buf.write(b);
      }
      if (!any) {
        return null;
      }
      number++;
      byte[] bytes = buf.toByteArray();
      int end =
          bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
      int start = number == 1 && startsWithBom(bytes, end) ? BOM.length : 0;
      ByteBuffer bb = ByteBuffer.wrap(bytes, start, end - start);
      CharBuffer out = CharBuffer.allocate(end - start);
      CoderResult r = strictDecoder().decode(bb, out, true);
      if (r.isError()) {
        problem =
            "not valid UTF-8 (byte 0x"
                + String.format("%02X", bytes[bb.position()] & 0xFF)
                + " at byte "
                + (bb.position() - start + 1)
                + " of the line)";
        // The line as far as it is readable, for the rejects table.
        return out.flip().toString();
      }
      problem = null;
      return out.flip().toString();
    }

    /** Why the line just read is unusable (invalid UTF-8), or null. */
    public String problem() {
      return problem;
    }

    /** 1-based number of the line just read. */
    public long number() {
      return number;
    }

    @Override
    public void close() throws IOException {
      in.close();
    }
  }

  private static boolean startsWithBom(byte[] bytes, int length) {
    return length >= 3 && bytes[0] == BOM[0] && bytes[1] == BOM[1] && bytes[2] == BOM[2];
  }

  private static CharsetDecoder strictDecoder() {
    return StandardCharsets.UTF_8
        .newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
  }
}
