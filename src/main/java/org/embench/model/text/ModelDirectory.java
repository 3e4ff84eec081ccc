package org.embench.model.text;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.embench.UserException;

/** The files of a model directory named by a Hadoop URI (a plain path is a local directory). */
final class ModelDirectory {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String uri;
  private final FileSystem fs;
  private final Path dir;

  private ModelDirectory(String uri, FileSystem fs, Path dir) {
    this.uri = uri;
    this.fs = fs;
    this.dir = dir;
  }

  static ModelDirectory open(String uri, Configuration conf) {
    Path dir = org.embench.data.InputFiles.path(uri);
    try {
      FileSystem fs = fileSystem(dir, conf);
      if (!fs.exists(dir) || !fs.getFileStatus(dir).isDirectory()) {
        throw new UserException("model directory not found: " + uri);
      }
      return new ModelDirectory(uri, fs, fs.makeQualified(dir));
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot open model directory " + uri + ": " + e.getMessage(), e);
    }
  }

  /**
   * The file system of {@code path}; for local files the raw one, which neither writes nor checks
   * {@code .crc} side files: model files are often edited or copied by other tools.
   */
  static FileSystem fileSystem(Path path, Configuration conf) throws IOException {
    FileSystem fs = path.getFileSystem(conf);
    return fs instanceof LocalFileSystem local ? local.getRaw() : fs;
  }

  boolean exists(String name) {
    try {
      return fs.exists(new Path(dir, name));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot check " + describe(name) + ": " + e.getMessage(), e);
    }
  }

  Optional<String> readString(String name) {
    if (!exists(name)) {
      return Optional.empty();
    }
    try (InputStream in = fs.open(new Path(dir, name))) {
      return Optional.of(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + describe(name) + ": " + e.getMessage(), e);
    }
  }

  /** The parsed JSON file, or empty when the directory has no such file. */
  Optional<JsonNode> readJson(String name) {
    return readString(name)
        .map(
            text -> {
              try {
                return JSON.readTree(text);
              } catch (JsonProcessingException e) {
                throw new UserException(
                    describe(name) + " is not valid JSON: " + e.getOriginalMessage(), e);
              }
            });
  }

  /**
   * A local file with the content of {@code name}: the file itself when the directory is on the
   * local file system, otherwise a copy in a new temporary directory, deleted on close. Native
   * libraries (the Rust tokenizer) read only local files.
   */
  LocalFile localFile(String name) {
    Path file = new Path(dir, name);
    if (!exists(name)) {
      throw new UserException("model directory " + uri + " has no " + name);
    }
    if ("file".equals(fs.getUri().getScheme())) {
      return new LocalFile(java.nio.file.Path.of(file.toUri()), null);
    }
    java.nio.file.Path tempDir = null;
    try (InputStream in = fs.open(file)) {
      tempDir = Files.createTempDirectory("embench-model");
      java.nio.file.Path copy = tempDir.resolve(name);
      Files.copy(in, copy);
      return new LocalFile(copy, tempDir);
    } catch (IOException e) {
      new LocalFile(null, tempDir).close();
      throw new UncheckedIOException(
          "cannot copy " + describe(name) + " to a local file: " + e.getMessage(), e);
    }
  }

  String describe(String name) {
    return new Path(dir, name).toString();
  }

  /** A local file; {@code tempDir}, when not null, holds a copy and is deleted on close. */
  record LocalFile(java.nio.file.Path path, java.nio.file.Path tempDir) implements AutoCloseable {
    @Override
    public void close() {
      if (tempDir == null) {
        return;
      }
      try (Stream<java.nio.file.Path> paths = Files.walk(tempDir)) {
        paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException e) {
        // a leftover temporary copy is harmless
      }
    }
  }
}
