package org.embench.table;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.embench.UserException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A per-table write lock: a file {@code <warehouse>/_locks/<table>.lock} created only if absent,
 * holding who took it. Two commands writing one table then take turns instead of sharing Spark's
 * {@code _temporary} folder and racing between "which keys are stored" and "append the rest". A
 * command that finds the lock waits (default 120 s, {@code -Dembench.lock.waitSeconds}); a lock
 * left by a process of this host that is gone is taken over; otherwise it gives up with a message
 * naming the holder. Creating a file only if absent is atomic on HDFS and local disks; on object
 * stores without that guarantee the lock narrows the race without closing it.
 */
final class TableLock {
  private static final Logger LOG = LoggerFactory.getLogger(TableLock.class);
  private static final String HOST = host();
  private static final long PID = ProcessHandle.current().pid();

  /** Locks this thread holds, by lock file, with their depth (a write inside a write re-enters). */
  private static final ThreadLocal<Map<String, Integer>> HELD =
      ThreadLocal.withInitial(HashMap::new);

  private TableLock() {}

  interface Body<T> {
    T run();
  }

  static <T> T with(String root, String table, Configuration conf, Body<T> body) {
    Path lock = new Path(root + "/_locks/" + table + ".lock");
    String key = lock.toString();
    Map<String, Integer> held = HELD.get();
    if (held.containsKey(key)) {
      held.merge(key, 1, Integer::sum);
      try {
        return body.run();
      } finally {
        held.merge(key, -1, Integer::sum);
      }
    }
    FileSystem fs = fileSystem(lock, conf);
    acquire(fs, lock, table);
    held.put(key, 1);
    try {
      return body.run();
    } finally {
      held.remove(key);
      try {
        fs.delete(lock, false);
      } catch (IOException e) {
        LOG.warn("could not remove the lock {}: {}", lock, e.getMessage());
      }
    }
  }

  private static void acquire(FileSystem fs, Path lock, String table) {
    long waitMs = (long) (waitSeconds() * 1000);
    long deadline = System.currentTimeMillis() + waitMs;
    String me = HOST + " pid " + PID + " (" + UUID.randomUUID() + ") since " + Instant.now();
    boolean said = false;
    while (true) {
      try {
        if (createIfAbsent(fs, lock, me.getBytes(StandardCharsets.UTF_8))) {
          return;
        }
      } catch (IOException e) {
        if (!exists(fs, lock)) {
          throw new UncheckedIOException(
              "cannot create the lock " + lock + ": " + e.getMessage(), e);
        }
      }
      String holder = read(fs, lock);
      if (staleHere(holder)) {
        LOG.warn("table {}: taking over the lock of a process that is gone ({})", table, holder);
        delete(fs, lock);
        continue;
      }
      if (System.currentTimeMillis() >= deadline) {
        throw new UserException(
            "table "
                + table
                + " is being written by another command ("
                + holder
                + "); waited "
                + String.format(java.util.Locale.ROOT, "%.1f", waitMs / 1000.0)
                + " s. If no such command is running, delete "
                + lock);
      }
      if (!said) {
        LOG.info("table {}: waiting for another command to finish writing ({})", table, holder);
        said = true;
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for the lock " + lock, e);
      }
    }
  }

  /**
   * Creates the lock file unless it exists, atomically: O_EXCL on a local disk (Hadoop's local file
   * system checks and then creates), the file system's create-without-overwrite elsewhere.
   */
  /** How long to wait for another writer's lock: -Dembench.lock.waitSeconds, 120 by default. */
  private static double waitSeconds() {
    String v = System.getProperty("embench.lock.waitSeconds", "120");
    try {
      double s = Double.parseDouble(v.trim());
      if (s >= 0 && Double.isFinite(s)) {
        return s;
      }
    } catch (NumberFormatException e) {
      // the message below
    }
    throw new UserException(
        "embench.lock.waitSeconds must be a number of seconds >= 0, got '" + v + "'");
  }

  private static boolean createIfAbsent(FileSystem fs, Path lock, byte[] content)
      throws IOException {
    if (fs instanceof RawLocalFileSystem raw) {
      java.nio.file.Path file = raw.pathToFile(lock).toPath();
      Files.createDirectories(file.getParent());
      try {
        Files.write(file, content, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        return true;
      } catch (java.nio.file.FileAlreadyExistsException e) {
        return false;
      }
    }
    try (OutputStream out = fs.create(lock, false)) {
      out.write(content);
      return true;
    } catch (FileAlreadyExistsException e) {
      return false;
    }
  }

  /** A lock written by a process of this host that no longer runs. */
  static boolean staleHere(String holder) {
    if (holder == null || !holder.startsWith(HOST + " pid ")) {
      return false;
    }
    try {
      long pid = Long.parseLong(holder.substring((HOST + " pid ").length()).split(" ")[0]);
      return pid != PID && ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true);
    } catch (NumberFormatException e) {
      return false;
    }
  }

  private static String read(FileSystem fs, Path lock) {
    try (var in = fs.open(lock)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      return "unknown holder";
    }
  }

  private static boolean exists(FileSystem fs, Path p) {
    try {
      return fs.exists(p);
    } catch (IOException e) {
      return false;
    }
  }

  private static void delete(FileSystem fs, Path p) {
    try {
      fs.delete(p, false);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot remove the stale lock " + p, e);
    }
  }

  private static FileSystem fileSystem(Path p, Configuration conf) {
    try {
      FileSystem fs = p.getFileSystem(conf);
      // No .crc files beside the lock; the raw local file system creates with O_EXCL semantics.
      return fs instanceof LocalFileSystem local ? local.getRawFileSystem() : fs;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the file system of " + p, e);
    }
  }

  private static String host() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "unknown-host";
    }
  }
}
