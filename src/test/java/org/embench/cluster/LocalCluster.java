package org.embench.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The standalone cluster of {@code bin/local-cluster} on free loopback ports, and submissions to it
 * (or, for comparison, to local mode through the same spark-submit and jar).
 */
final class LocalCluster implements AutoCloseable {
  private static final Path PROJECT = Path.of(System.getProperty("user.dir"));
  private static final Path SCRIPT = PROJECT.resolve("bin/local-cluster");

  private final Path dir;
  private final Map<String, String> env = new LinkedHashMap<>();

  private LocalCluster(Path dir) {
    this.dir = dir;
    env.put("EMBENCH_CLUSTER_DIR", dir.toString());
    env.put("EMBENCH_CLUSTER_PORT", String.valueOf(freePort()));
    env.put("EMBENCH_CLUSTER_UI_PORT", String.valueOf(freePort()));
    env.put("EMBENCH_CLUSTER_WORKERS", "2");
    env.put("EMBENCH_CLUSTER_WORKER_CORES", "1");
    env.put("EMBENCH_CLUSTER_WORKER_MEMORY", "3g");
    env.put("EMBENCH_EXECUTOR_MEMORY", "2g");
    env.put("EMBENCH_DRIVER_MEMORY", "2g");
    // The jar `mvn verify` has just packaged; the script would otherwise rebuild it when a source
    // is newer.
    try (Stream<Path> jars = Files.list(PROJECT.resolve("target"))) {
      jars.filter(p -> p.getFileName().toString().matches("embench-.*-cluster\\.jar"))
          .findFirst()
          .ifPresent(jar -> env.put("EMBENCH_CLUSTER_JAR", jar.toString()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Starts a Master and two one-core Workers; their logs and the executors' folders go under {@code
   * dir}.
   */
  static LocalCluster start(Path dir) throws IOException, InterruptedException {
    LocalCluster c = new LocalCluster(dir);
    Files.createDirectories(dir);
    Process p = c.script(dir.resolve("start.log"), "start");
    if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new IllegalStateException(
          "bin/local-cluster start failed:\n" + Files.readString(dir.resolve("start.log")));
    }
    return c;
  }

  /** spark-submit of an embench command line to the cluster; its output goes to {@code log}. */
  Submission submit(Path log, String... args) throws IOException {
    return new Submission(script(log, concat("submit", args)), log);
  }

  /**
   * The same jar and spark-submit with {@code --master local[2]}: the local-mode reference. Its
   * engine gets one thread, as each task on the cluster does (spark.task.cpus): with other thread
   * counts BLAS sums in another order and losses differ in the 8th digit.
   */
  Submission submitLocal(Path log, String... args) throws IOException {
    Map<String, String> extra = Map.of("EMBENCH_SUBMIT_MASTER", "local[2]", "EMBENCH_THREADS", "1");
    return new Submission(script(log, extra, concat("submit", args)), log);
  }

  /** The executor JVMs alive now: pid to (app id, executor id). */
  Map<Long, String> executors() {
    Map<Long, String> out = new LinkedHashMap<>();
    Pattern exec = Pattern.compile("--executor-id (\\S+).*--app-id (\\S+)");
    ProcessHandle.allProcesses()
        .forEach(
            h ->
                h.info()
                    .commandLine()
                    .ifPresent(
                        cmd -> {
                          if (cmd.contains("CoarseGrainedExecutorBackend") && runsUnder(h.pid())) {
                            Matcher m = exec.matcher(cmd);
                            if (m.find()) {
                              out.put(h.pid(), m.group(2) + "/" + m.group(1));
                            }
                          }
                        }));
    return out;
  }

  /**
   * Whether the process's working folder (an executor's: its folder under a worker's) is under this
   * cluster's.
   */
  private boolean runsUnder(long pid) {
    try {
      return Files.readSymbolicLink(Path.of("/proc/" + pid + "/cwd")).startsWith(dir);
    } catch (IOException | UnsupportedOperationException e) {
      return false;
    }
  }

  /** Every executor's stderr (its log) written so far under the workers' folders. */
  List<Path> executorLogs() {
    List<Path> out = new ArrayList<>();
    try (Stream<Path> files = Files.walk(dir)) {
      files
          .filter(
              p -> p.getFileName().toString().equals("stderr") && p.toString().contains("/app-"))
          .forEach(out::add);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  /** The concatenated executor logs. */
  String executorLogText() {
    StringBuilder sb = new StringBuilder();
    for (Path p : executorLogs()) {
      sb.append(readQuietly(p)).append('\n');
    }
    return sb.toString();
  }

  static String readQuietly(Path p) {
    try {
      return new String(Files.readAllBytes(p), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  @Override
  public void close() throws IOException {
    Process p = script(dir.resolve("stop.log"), "stop");
    try {
      p.waitFor(2, TimeUnit.MINUTES);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while stopping the cluster", e);
    }
  }

  private Process script(Path log, String... args) throws IOException {
    return script(log, Map.of(), args);
  }

  private Process script(Path log, Map<String, String> extra, String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(SCRIPT.toString());
    cmd.addAll(List.of(args));
    ProcessBuilder pb =
        new ProcessBuilder(cmd)
            .directory(PROJECT.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    pb.environment().putAll(env);
    pb.environment().putAll(extra);
    return pb.start();
  }

  private static String[] concat(String first, String... rest) {
    String[] out = new String[rest.length + 1];
    out[0] = first;
    System.arraycopy(rest, 0, out, 1, rest.length);
    return out;
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A running spark-submit. */
  record Submission(Process process, Path log) {
    /**
     * Waits for it to end; returns its exit code, or fails with its log's tail after {@code
     * minutes}.
     */
    int await(int minutes) throws InterruptedException {
      if (!process.waitFor(minutes, TimeUnit.MINUTES)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        throw new IllegalStateException(
            "spark-submit did not finish in " + minutes + " min:\n" + tail());
      }
      return process.exitValue();
    }

    String output() {
      return readQuietly(log);
    }

    String tail() {
      String s = output();
      return s.substring(Math.max(0, s.length() - 6000));
    }

    /** The wall time of each pipeline stage, from its "-- STAGE: SECONDS s" lines. */
    Map<String, Double> stageSeconds() {
      Map<String, Double> out = new LinkedHashMap<>();
      Matcher m = Pattern.compile("(?m)^-- (.+): ([0-9.]+) s$").matcher(output());
      while (m.find()) {
        out.put(m.group(1), Double.parseDouble(m.group(2)));
      }
      return out;
    }
  }
}
