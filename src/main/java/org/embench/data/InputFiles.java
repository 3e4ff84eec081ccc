package org.embench.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.embench.UserException;

/** Opens input files by Hadoop URI (a plain path is a local file). */
public final class InputFiles {
  private InputFiles() {}

  /** A UTF-8 reader; malformed bytes become U+FFFD. A missing file is a {@link UserException}. */
  public static BufferedReader open(String uri, Configuration conf) {
    try {
      Path path = new Path(uri);
      FileSystem fs = path.getFileSystem(conf);
      if (!fs.exists(path)) {
        throw new UserException("file not found: " + uri);
      }
      if (fs.getFileStatus(path).isDirectory()) {
        throw new UserException("expected a file but found a directory: " + uri);
      }
      var decoder = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPLACE)
          .onUnmappableCharacter(CodingErrorAction.REPLACE);
      return new BufferedReader(new InputStreamReader(fs.open(path), decoder), 1 << 16);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open " + uri + ": " + e.getMessage(), e);
    }
  }

  /** The whole file as text. */
  public static String readString(String uri, Configuration conf) {
    try (BufferedReader r = open(uri, conf)) {
      StringBuilder sb = new StringBuilder();
      char[] buf = new char[1 << 16];
      for (int n; (n = r.read(buf)) > 0; ) {
        sb.append(buf, 0, n);
      }
      return sb.toString();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + uri + ": " + e.getMessage(), e);
    }
  }
}
