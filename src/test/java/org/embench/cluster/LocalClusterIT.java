package org.embench.cluster;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.format_string;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.embench.Fixtures;
import org.embench.TestSpark;
import org.embench.data.SyntheticData;
import org.embench.judge.LoopbackJudgeEndpoint;
import org.embench.model.TinyModel;
import org.embench.table.Tables;
import org.embench.table.Warehouse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The shaded jar under spark-submit on a real standalone cluster (bin/local-cluster: a Master and
 * two one-core Workers on 127.0.0.1, each executor a JVM of its own): the whole pipeline of a spec
 * (prepare, train 2 mitigations x 2 seeds plus the benign runs, generate, judge offline and over
 * HTTP on loopback, capability, metrics, report) writes the same tables as local mode, and
 * executors killed mid-train and mid-generate lose and duplicate no row. Run with {@code mvn -B
 * verify -Pcluster} ({@code -Dembench.cluster.keep=true} keeps the logs and warehouses in the
 * temporary folder).
 */
@Tag("cluster")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LocalClusterIT {
  /** The judge's cluster-wide rate limit in the spec (requests per minute). */
  static final int JUDGE_RPM = 120;

  static final int CHECKPOINT_EVERY = 10;

  /** Columns that measure time, memory or the machine: they differ from run to run by nature. */
  static final Pattern VOLATILE =
      Pattern.compile(
          "wall_time_s|tokens_per_s|peak_heap_bytes|peak_offheap_bytes|device"
              + "|model_load_s|setup_s|steps_s|after_s|elapsed_s|latency_ms|time_ratio.*|memory_ratio.*");

  static Path dir;
  static LocalCluster cluster;
  static LoopbackJudgeEndpoint judge;
  static Path spec;
  static Path clusterWarehouse;

  @BeforeAll
  static void setUp() throws Exception {
    dir = Files.createTempDirectory("embench-cluster-it");
    Fixtures.Inputs in = Fixtures.inputs(dir.resolve("in"));
    String model = dir.resolve("tiny").toString();
    TinyModel.write(model, "qwen2", 5, new org.apache.hadoop.conf.Configuration());
    Path choices = dir.resolve("largest.jsonl");
    Files.writeString(choices, SyntheticData.largestChoiceJsonl(4));
    judge = LoopbackJudgeEndpoint.start(100_000, Duration.ofMinutes(90));
    Path key = dir.resolve("judge.key");
    Files.writeString(key, LoopbackJudgeEndpoint.key() + "\n");
    spec = dir.resolve("cluster.yaml");
    Files.writeString(
        spec,
        """
        name: cluster
        data: {arithmetic: %s, swapped: "synthetic:operator_swapped:40"}
        suites: {demo: %s}
        models: [%s]
        datasets: [arithmetic]
        benign_datasets: [swapped]
        mitigations: [none, {kl: {lambda: 0.1}}]
        seeds: [1, 2]
        train: {rank: 2, alpha: 4, batch_size: 2, gradient_accumulation: 1, epochs: 2, max_steps: 40, warmup_steps: 1,
                max_seq_len: 64, checkpoint_every: %d}
        generate: {suites: [demo], samples: 4, max_new_tokens: 24, include_base: true}
        judges:
          - offline
          - {kind: openai, model: gpt-4o-2024-08-06, base_url: "%s", api_key_file: "%s", requests_per_minute: %d,
             max_retries: 2, timeout_s: 20}
        capability:
          arith_nll: {kind: nll, data: arithmetic, measures: arithmetic}
          swapped: {kind: exact, synthetic: operator_swapped, items: 4, max_new_tokens: 4, measures: swapped}
          largest: {kind: choice, path: %s}
        """
            .formatted(
                in.data(),
                in.suite(),
                model,
                CHECKPOINT_EVERY,
                judge.baseUrl(),
                key,
                JUDGE_RPM,
                choices));
    cluster = LocalCluster.start(dir.resolve("cluster"));
  }

  @AfterAll
  static void tearDown() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
    if (judge != null) {
      judge.close();
    }
    // Each executor's folder holds a copy of the 160 MB jar: about 1 GB per run of this class.
    if (dir != null && !Boolean.getBoolean("embench.cluster.keep")) {
      try (var files = Files.walk(dir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    } else if (dir != null) {
      System.out.println("cluster-it: logs and warehouses kept in " + dir);
    }
  }

  @Test
  @Order(1)
  void thePipelineOnTheClusterWritesWhatLocalModeWrites() throws Exception {
    Path clusterWh = dir.resolve("wh-cluster");
    int before = judge.arrivals().size();
    LocalCluster.Submission onCluster =
        cluster.submit(
            dir.resolve("submit-cluster.log"),
            "run",
            "--warehouse",
            clusterWh.toString(),
            spec.toString());
    assertThat(onCluster.await(30)).as(onCluster.tail()).isZero();
    List<Long> clusterCalls = judge.arrivals().subList(before, judge.arrivals().size());

    Path localWh = dir.resolve("wh-local");
    LocalCluster.Submission local =
        cluster.submitLocal(
            dir.resolve("submit-local.log"),
            "run",
            "--warehouse",
            localWh.toString(),
            spec.toString());
    assertThat(local.await(30)).as(local.tail()).isZero();
    clusterWarehouse = clusterWh;

    System.out.printf(
        Locale.ROOT,
        "cluster-it: stages on the cluster %s%ncluster-it: stages in local mode %s%n"
            + "cluster-it: judge %d calls in %.1f s = %.0f/min across two executors (limit %d/min),"
            + " at most %d in any minute%n",
        onCluster.stageSeconds(),
        local.stageSeconds(),
        clusterCalls.size(),
        span(clusterCalls),
        60 * (clusterCalls.size() - 1) / span(clusterCalls),
        JUDGE_RPM,
        maxInWindow(clusterCalls, 60.0));

    // Every task ran in an executor JVM, whose engine took spark.task.cpus threads and said why.
    String executorLogs = cluster.executorLogText();
    assertThat(executorLogs).contains("engine threads: 1 per task (spark.task.cpus");
    assertThat(executorLogs)
        .contains("train run cluster/arithmetic/kl/seed2")
        .contains("generate run");
    assertThat(onCluster.output()).doesNotContain("engine threads:");

    assertSameTables(clusterWh, localWh);

    // Each distinct judge request was sent once (the call table keys them), at most 5 runs x 4
    // questions x 4 samples x (aligned, coherent).
    long calls = TestSpark.warehouse(clusterWh).read(Tables.JUDGE_CALLS).count();
    assertThat(clusterCalls).hasSize((int) calls);
    assertThat(calls).isBetween(80L, 160L);
    assertRateKept(clusterCalls, JUDGE_RPM, 2);
  }

  @Test
  @Order(2)
  @SuppressWarnings("UnnecessaryAsync") // the references are filled from listener threads
  void executorsKilledMidTrainAndMidGenerateLoseNoRow() throws Exception {
    assumeTrue(clusterWarehouse != null, "needs the uninterrupted cluster run of the first test");
    Set<Path> oldLogs = new HashSet<>(cluster.executorLogs());
    Path faultWh = dir.resolve("wh-fault");
    LocalCluster.Submission run =
        cluster.submit(
            dir.resolve("submit-fault.log"),
            "run",
            "--warehouse",
            faultWh.toString(),
            spec.toString());
    AtomicReference<String> killedInTrain = new AtomicReference<>();
    AtomicReference<String> killedInGenerate = new AtomicReference<>();
    // A train step after the first checkpoint and well before the last (of 40): the task then has
    // something to resume from and is still training.
    Pattern trainStep = Pattern.compile("train run \\S+: step (\\d+) ");
    Pattern sampling = Pattern.compile("generate run \\S+: sampling");
    long deadline = System.nanoTime() + Duration.ofMinutes(20).toNanos();
    while (run.process().isAlive()
        && System.nanoTime() < deadline
        && (killedInTrain.get() == null || killedInGenerate.get() == null)) {
      for (Path log : cluster.executorLogs()) {
        if (oldLogs.contains(log)) {
          continue;
        }
        String text = LocalCluster.readQuietly(log);
        int step = lastStep(trainStep.matcher(text));
        if (killedInTrain.get() == null && step > CHECKPOINT_EVERY + 1 && step < 35) {
          killedInTrain.set(kill(log));
        } else if (killedInTrain.get() != null
            && killedInGenerate.get() == null
            && sampling.matcher(text).find()
            && !text.contains("RECEIVED SIGNAL")) {
          killedInGenerate.set(kill(log));
        }
      }
      Thread.sleep(100);
    }
    assertThat(run.await(30)).as(run.tail()).isZero();
    assertThat(killedInTrain.get()).as("an executor was killed during training").isNotNull();
    assertThat(killedInGenerate.get()).as("an executor was killed during generation").isNotNull();
    // Spark saw the executors go and ran their tasks again; the train task resumed from its
    // checkpoint.
    assertThat(countOf(run.output(), "ExecutorLostFailure"))
        .as(run.tail())
        .isGreaterThanOrEqualTo(2);
    assertThat(cluster.executorLogText()).containsPattern("resuming at step \\d+ of 40");
    assertSameTables(clusterWarehouse, faultWh);
  }

  /**
   * The executor that wrote {@code log} (work/app-ID/EXECUTOR/stderr), killed with SIGKILL; returns
   * its name.
   */
  private String kill(Path log) {
    String name = log.getParent().getParent().getFileName() + "/" + log.getParent().getFileName();
    for (Map.Entry<Long, String> e : cluster.executors().entrySet()) {
      if (e.getValue().equals(name)) {
        ProcessHandle.of(e.getKey()).ifPresent(ProcessHandle::destroyForcibly);
        System.out.println("cluster-it: killed executor " + name + " (pid " + e.getKey() + ")");
        return name;
      }
    }
    return null;
  }

  private static int lastStep(Matcher m) {
    int last = -1;
    while (m.find()) {
      last = Integer.parseInt(m.group(1));
    }
    return last;
  }

  private static int countOf(String text, String what) {
    int n = 0;
    for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) {
      n++;
    }
    return n;
  }

  private static double span(List<Long> arrivals) {
    return (arrivals.get(arrivals.size() - 1) - arrivals.get(0)) / 1e9;
  }

  /**
   * No minute of the arrivals holds more requests than the limit, plus three per task: each task
   * takes its share of the rate through a smooth limiter that grants its first permit at once and
   * aligns the next to its interval (two early permits), and a request's arrival lags its permit by
   * less than one interval (1 s here), so a window of arrivals spans at most one more interval of
   * permits. A limiter that ignored the split between tasks would send twice the rate (all 160
   * requests within 40 s) and fail by far.
   */
  static void assertRateKept(List<Long> arrivals, int perMinute, int tasks) {
    double window = 60.0;
    int allowed = (int) Math.floor(perMinute * window / 60.0) + 3 * tasks;
    assertThat(maxInWindow(arrivals, window))
        .as("requests in a %.0f s window", window)
        .isLessThanOrEqualTo(allowed);
  }

  /** The most arrivals in any window of {@code seconds}. */
  static int maxInWindow(List<Long> arrivals, double seconds) {
    int most = 0;
    for (int i = 0, j = 0; i < arrivals.size(); i++) {
      while (j < arrivals.size() && arrivals.get(j) - arrivals.get(i) < seconds * 1e9) {
        j++;
      }
      most = Math.max(most, j - i);
    }
    return most;
  }

  /**
   * Every table holds the same rows in both warehouses: ids and values, doubles to 9 significant
   * digits (Spark may sum in another order on other partitions), paths with the warehouse root
   * replaced, and without the columns that time or size the machine.
   */
  static void assertSameTables(Path a, Path b) {
    Warehouse wa = TestSpark.warehouse(a);
    Warehouse wb = TestSpark.warehouse(b);
    List<String> tables = new ArrayList<>(Tables.DATA_TABLES);
    tables.addAll(Tables.METRIC_TABLES);
    for (String table : tables) {
      assertThat(wb.exists(table)).as(table + " exists in both").isEqualTo(wa.exists(table));
      if (!wa.exists(table)) {
        continue;
      }
      List<String> ra = comparable(wa, table);
      List<String> rb = comparable(wb, table);
      assertThat(ra).as(table).isNotEmpty();
      assertThat(rb).as(table + ": the same rows as in " + a).containsExactlyElementsOf(ra);
    }
  }

  private static List<String> comparable(Warehouse w, String table) {
    Dataset<Row> rows = w.read(table);
    List<Column> cols = new ArrayList<>();
    for (StructField f : rows.schema().fields()) {
      if (VOLATILE.matcher(f.name()).matches()) {
        continue;
      }
      DataType t = f.dataType();
      cols.add(
          t.equals(DataTypes.DoubleType) || t.equals(DataTypes.FloatType)
              ? format_string("%.9g", col(f.name())).as(f.name())
              : col(f.name()));
    }
    String root = w.root().replaceFirst("^file:/*", "/");
    List<String> out = new ArrayList<>();
    for (String json : rows.select(cols.toArray(new Column[0])).toJSON().collectAsList()) {
      out.add(json.replace(root, "<warehouse>"));
    }
    out.sort(null);
    return out;
  }
}
