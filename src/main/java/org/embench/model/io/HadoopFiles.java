package org.embench.model.io;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.embench.UserException;

/**
 * The Hadoop FileSystem calls checkpoint IO needs. Local paths go through the raw local file
 * system: Hadoop's checksummed one would leave {@code .crc} files beside the checkpoint and fail on
 * files that other tools later rewrite.
 */
final class HadoopFiles {
  private HadoopFiles() {}

  static FileSystem fileSystem(Path path, Configuration conf) {
    try {
      FileSystem fs = path.getFileSystem(conf);
      return fs instanceof LocalFileSystem local ? local.getRawFileSystem() : fs;
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot open the file system of " + path + ": " + e.getMessage(), e);
    }
  }

  static boolean isFile(Path path, Configuration conf) {
    try {
      return fileSystem(path, conf).getFileStatus(path).isFile();
    } catch (FileNotFoundException e) {
      return false;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot check " + path + ": " + e.getMessage(), e);
    }
  }

  /**
   * The bytes of a file: memory-mapped when it is local and {@code mapLocal} holds, else read
   * through its FileSystem. A missing file or a directory is a {@link UserException}.
   */
  static ByteSource open(String uri, Configuration conf, boolean mapLocal) {
    Path path = new Path(uri);
    FileSystem fs = fileSystem(path, conf);
    try {
      if (!fs.exists(path)) {
        throw new UserException("file not found: " + uri);
      }
      FileStatus status = fs.getFileStatus(path);
      if (status.isDirectory()) {
        throw new UserException("expected a file but found a directory: " + uri);
      }
      if (mapLocal && fs instanceof RawLocalFileSystem local) {
        return new MappedFileSource(uri, local.pathToFile(path).toPath());
      }
      return new StreamSource(uri, fs.open(path), status.getLen());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open " + uri + ": " + e.getMessage(), e);
    }
  }

  /** A new file (replacing an old one), its parent folders created. */
  static OutputStream create(Path path, Configuration conf) {
    try {
      return fileSystem(path, conf).create(path, true);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + path + ": " + e.getMessage(), e);
    }
  }

  /** The whole (small) file as UTF-8 text. */
  static String readString(Path path, Configuration conf) {
    try (InputStream in = fileSystem(path, conf).open(path)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + path + ": " + e.getMessage(), e);
    }
  }

  static void writeString(Path path, String text, Configuration conf) {
    try (OutputStream out = create(path, conf)) {
      out.write(text.getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + path + ": " + e.getMessage(), e);
    }
  }

  /** Deletes a file if it is there. */
  static void deleteIfExists(Path path, Configuration conf) {
    try {
      fileSystem(path, conf).delete(path, false);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + path + ": " + e.getMessage(), e);
    }
  }
}
