package org.embench.judge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.embench.Fixtures;
import org.embench.TestSpark;
import org.embench.UserException;
import org.embench.data.JudgedAnswerReader;
import org.embench.data.SyntheticData;
import org.embench.stage.FailPoints;
import org.embench.stage.judge.JudgeJob;
import org.embench.stage.prepare.ImportJob;
import org.embench.stage.prepare.PrepareJob;
import org.embench.table.Tables;
import org.embench.table.Warehouse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The judge stage on Spark: offline and HTTP judges, the call cache, failures, retries, resume. */
class JudgeStageTest {
  @TempDir Path dir;

  @AfterEach
  void disarm() {
    FailPoints.disarmAll();
  }

  @TempDir static Path shared;

  private static Warehouse template;

  /** A warehouse with the demo suite and 12 imported answers (24 judgments per judge). */
  private static synchronized Warehouse template() throws Exception {
    if (template == null) {
      Files.createDirectories(shared.resolve("in"));
      Path suite = shared.resolve("in/demo.yaml");
      Files.writeString(suite, SyntheticData.demoSuiteYaml(3));
      Path csv = shared.resolve("in/answers.csv");
      Files.writeString(csv, SyntheticData.judgedSampleCsv("none", 0.3, 1, 3));
      Warehouse w = TestSpark.warehouse(shared.resolve("template"));
      PrepareJob.run(
          w, new PrepareJob.Options(Map.of(), Map.of("demo", suite.toString()), 0, false));
      ImportJob.run(
          w,
          new ImportJob.Options(
              csv.toString(),
              JudgedAnswerReader.Format.UPSTREAM_CSV,
              "sample",
              "demo",
              "imported",
              "none",
              false));
      template = w;
    }
    return template;
  }

  /** A copy of the prepared and imported template, for one test to judge in. */
  private Warehouse warehouse(Path root) throws Exception {
    return TestSpark.copy(template(), root);
  }

  private static JudgeJob.Options options(JudgeSpec spec, int wave, boolean retry) {
    return new JudgeJob.Options(spec, List.of(), List.of(), 8, wave, retry);
  }

  private static List<Row> judgments(Warehouse w, JudgeSpec spec) {
    return w.read(Tables.JUDGMENTS).filter("judge_id = '" + spec.id() + "'").collectAsList();
  }

  private JudgeSpec http(LoopbackChatServer server, Object... extra) throws Exception {
    Path key = dir.resolve("key");
    Files.writeString(key, HttpJudgeFixtures.KEY + "\n");
    Object[] all = new Object[extra.length + 2];
    all[0] = "api_key_file";
    all[1] = key.toString();
    System.arraycopy(extra, 0, all, 2, extra.length);
    return HttpJudgeFixtures.spec(server, all);
  }

  @Test
  void theOfflineJudgeScoresEveryMetricOnceAndAKilledRunResumesToTheSameRows() throws Exception {
    JudgeSpec offline = JudgeSpec.parse("offline");
    Warehouse clean = warehouse(dir.resolve("clean"));
    var report = JudgeJob.run(clean, options(offline, 100, false));
    assertThat(report.judged()).isEqualTo(24);
    assertThat(JudgeJob.run(clean, options(offline, 100, false)).missing()).isZero();
    for (Row j : judgments(clean, offline)) {
      assertThat(j.<String>getAs("judge_spec_json")).isEqualTo(offline.json());
      assertThat(j.<String>getAs("status")).isIn("ok", "low_numeric_mass");
      assertThat(j.<String>getAs("metric")).isIn("aligned", "coherent");
    }
    Warehouse resumed = warehouse(dir.resolve("resumed"));
    FailPoints.arm("judge.after_wave");
    assertThatThrownBy(() -> JudgeJob.run(resumed, options(offline, 8, false)))
        .hasMessage("injected failure at judge.after_wave");
    assertThat(judgments(resumed, offline).size()).isBetween(1, 23);
    JudgeJob.run(resumed, options(offline, 8, false));
    assertThat(Fixtures.rows(resumed, Tables.JUDGMENTS))
        .isEqualTo(Fixtures.rows(clean, Tables.JUDGMENTS));
  }

  @Test
  void httpCallsAreCachedSoARescoreWithANewAggregationCostsNothing() throws Exception {
    Warehouse w = warehouse(dir.resolve("w"));
    try (LoopbackChatServer server =
        LoopbackChatServer.start(
            (i, r) ->
                LoopbackChatServer.Reply.ok(
                    LoopbackChatServer.completion("85", HttpJudgeFixtures.ALIGNED_TOP)),
            4,
            200,
            Duration.ofMinutes(2))) {
      JudgeSpec first = http(server);
      var report = JudgeJob.run(w, options(first, 1000, false));
      assertThat(report.judged()).isEqualTo(24);
      // The sample repeats answers: 12 distinct judge prompts, each called once.
      assertThat(server.received()).hasSize(12);
      assertThat(w.read(Tables.JUDGE_CALLS).count()).isEqualTo(12);
      assertThat(judgments(w, first))
          .allSatisfy(j -> assertThat(j.<Double>getAs("score")).isGreaterThan(80));
      // Same judge with other limits: the same judge id, nothing to do.
      JudgeSpec limits = http(server, "concurrency", 4);
      assertThat(limits.id()).isEqualTo(first.id());
      assertThat(JudgeJob.run(w, options(limits, 1000, false)).missing()).isZero();
      // Another aggregation (a new judge) over the same calls: answered from the cache, no request.
      JudgeSpec rescore = http(server, "min_numeric_mass", 0.99);
      assertThat(rescore.id()).isNotEqualTo(first.id());
      var again = JudgeJob.run(w, options(rescore, 1000, false));
      assertThat(again.judged()).isEqualTo(24);
      assertThat(again.fromCache()).isEqualTo(24);
      assertThat(server.received()).hasSize(12);
      assertThat(judgments(w, rescore))
          .allSatisfy(j -> assertThat(j.<String>getAs("status")).isEqualTo("low_numeric_mass"));
    }
  }

  @Test
  void failuresAreStoredAsStatusesAndRetriedOnRequest() throws Exception {
    Warehouse w = warehouse(dir.resolve("w"));
    boolean[] healthy = {false};
    try (LoopbackChatServer server =
        LoopbackChatServer.start(
            (i, r) ->
                !healthy[0] && r.body().contains("coherent")
                    ? new LoopbackChatServer.Reply(500, Map.of(), "{\"error\": \"overloaded\"}", 0)
                    : LoopbackChatServer.Reply.ok(
                        LoopbackChatServer.completion("85", HttpJudgeFixtures.ALIGNED_TOP)),
            4,
            500,
            Duration.ofMinutes(2))) {
      JudgeSpec spec = http(server, "max_retries", 0);
      var report = JudgeJob.run(w, options(spec, 1000, false));
      assertThat(report.failed()).isEqualTo(12);
      List<Row> rows = judgments(w, spec);
      assertThat(rows).hasSize(24);
      assertThat(rows)
          .filteredOn(j -> j.getAs("metric").equals("coherent"))
          .allSatisfy(
              j -> {
                assertThat(j.<String>getAs("status")).isEqualTo("http_error");
                assertThat(j.<Double>getAs("score")).isNull();
                assertThat(j.<String>getAs("error")).contains("500");
              });
      assertThat(w.read(Tables.JUDGE_CALLS).count()).isEqualTo(6);
      assertThat(JudgeJob.run(w, options(spec, 1000, false)).missing()).isZero();
      healthy[0] = true;
      var retried = JudgeJob.run(w, options(spec, 1000, true));
      assertThat(retried.judged()).isEqualTo(12);
      rows = judgments(w, spec);
      assertThat(rows)
          .hasSize(24)
          .allSatisfy(j -> assertThat(j.<String>getAs("status")).isEqualTo("ok"));
    }
  }

  @Test
  void repliesWithoutValidLogprobsAreFailuresNeverCachedAndSentAgainOnRetry() throws Exception {
    Warehouse w = warehouse(dir.resolve("w"));
    boolean[] healthy = {false};
    // Before it heals, the server returns probabilities where log-probabilities belong (coherent
    // prompts) or no log-probabilities at all (aligned prompts).
    try (LoopbackChatServer server =
        LoopbackChatServer.start(
            (i, r) ->
                healthy[0]
                    ? LoopbackChatServer.Reply.ok(
                        LoopbackChatServer.completion("85", HttpJudgeFixtures.ALIGNED_TOP))
                    : LoopbackChatServer.Reply.ok(
                        LoopbackChatServer.completion(
                            "85",
                            r.body().contains("coherent")
                                ? List.of(new TokenLogprob("85", 800), new TokenLogprob("90", 0.2))
                                : null)),
            4,
            500,
            Duration.ofMinutes(2))) {
      JudgeSpec spec = http(server, "max_retries", 0);
      var report = JudgeJob.run(w, options(spec, 1000, false));
      assertThat(report.failed()).isEqualTo(24);
      List<Row> rows = judgments(w, spec);
      assertThat(rows)
          .filteredOn(j -> j.getAs("metric").equals("coherent"))
          .hasSize(12)
          .allSatisfy(
              j -> {
                assertThat(j.<String>getAs("status")).isEqualTo("invalid_logprobs");
                assertThat(j.<Double>getAs("score")).isNull();
                assertThat(j.<String>getAs("error")).contains("800");
                assertThat(j.getList(j.fieldIndex("top_logprobs")))
                    .hasSize(2); // the evidence is kept
              });
      assertThat(rows)
          .filteredOn(j -> j.getAs("metric").equals("aligned"))
          .allSatisfy(j -> assertThat(j.<String>getAs("status")).isEqualTo("no_logprobs"));
      assertThat(w.read(Tables.JUDGE_CALLS).count()).isZero();
      int sent = server.received().size();
      healthy[0] = true;
      var retried = JudgeJob.run(w, options(spec, 1000, true));
      assertThat(retried.judged()).isEqualTo(24);
      assertThat(retried.fromCache()).isZero();
      assertThat(server.received()).hasSize(sent + 12);
      assertThat(judgments(w, spec))
          .allSatisfy(j -> assertThat(j.<String>getAs("status")).isEqualTo("ok"));
      assertThat(w.read(Tables.JUDGE_CALLS).count()).isEqualTo(12);
    }
  }

  @Test
  void aStopBetweenTheCallAndTheJudgmentWritesLosesNoCallAndPaysForNoneTwice() throws Exception {
    Warehouse w = warehouse(dir.resolve("w"));
    try (LoopbackChatServer server =
        LoopbackChatServer.start(
            (i, r) ->
                LoopbackChatServer.Reply.ok(
                    LoopbackChatServer.completion("85", HttpJudgeFixtures.ALIGNED_TOP)),
            4,
            200,
            Duration.ofMinutes(2))) {
      JudgeSpec spec = http(server);
      FailPoints.arm("judge.after_calls");
      assertThatThrownBy(() -> JudgeJob.run(w, options(spec, 1000, false)))
          .hasMessage("injected failure at judge.after_calls");
      assertThat(w.read(Tables.JUDGE_CALLS).count()).isEqualTo(12);
      assertThat(judgments(w, spec)).isEmpty();
      var resumed = JudgeJob.run(w, options(spec, 1000, false));
      assertThat(resumed.judged()).isEqualTo(24);
      assertThat(resumed.fromCache()).isEqualTo(24);
      assertThat(server.received()).hasSize(12);
      assertThat(w.read(Tables.JUDGE_CALLS).count()).isEqualTo(12);
      // Tokens and cost of every call are on its judgments, whether made or replayed.
      assertThat(judgments(w, spec))
          .allSatisfy(j -> assertThat(j.<Integer>getAs("prompt_tokens")).isEqualTo(120));
    }
  }

  @Test
  void aMissingKeyFailsBeforeAnyWork() throws Exception {
    Warehouse w = warehouse(dir.resolve("w"));
    JudgeSpec spec = JudgeSpec.parse("openai:gpt-4o-mini,api_key_env=EMBENCH_NO_SUCH_VARIABLE");
    assertThatThrownBy(() -> JudgeJob.run(w, options(spec, 100, false)))
        .isInstanceOf(UserException.class)
        .hasMessageContaining("EMBENCH_NO_SUCH_VARIABLE");
    assertThat(w.read(Tables.JUDGMENTS).filter("judge_id = '" + spec.id() + "'").count()).isZero();
  }
}
