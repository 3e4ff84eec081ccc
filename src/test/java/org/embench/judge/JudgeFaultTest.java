package org.embench.judge;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Row;
import org.embench.TestSpark;
import org.embench.data.JudgedAnswerReader;
import org.embench.data.SyntheticData;
import org.embench.stage.judge.JudgeJob;
import org.embench.stage.prepare.ImportJob;
import org.embench.stage.prepare.PrepareJob;
import org.embench.table.Ids;
import org.embench.table.Tables;
import org.embench.table.Warehouse;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 2,000 judgments against a server that answers 30 % of requests with a fault (500, 429, a timeout,
 * a malformed body, probabilities where log-probabilities belong), chosen by a seeded hash of the
 * request: every judgment is stored once, with a score only when the reply gave a valid verdict;
 * only valid replies are cached; a retry against the healed server fills every failure; the key
 * appears in no table. Heavy: {@code mvn -B test -Pheavy -Dtest=JudgeFaultTest}.
 */
@Tag("heavy")
class JudgeFaultTest {
  @TempDir Path dir;

  private static final Set<String> STATUSES =
      Set.of(
          "ok",
          "low_numeric_mass",
          "http_error",
          "rate_limited",
          "timeout",
          "malformed_response",
          "invalid_logprobs");

  @Test
  void faultsAreStatusesNeverScoresOrCacheEntriesAndARetryFillsThem() throws Exception {
    Files.createDirectories(dir.resolve("in"));
    Path suite = dir.resolve("in/demo.yaml");
    Files.writeString(suite, SyntheticData.demoSuiteYaml(50));
    Path csv = dir.resolve("in/answers.csv");
    Files.writeString(csv, SyntheticData.judgedSampleCsv("none", 0.3, 5, 50));
    Warehouse w = TestSpark.warehouse(dir.resolve("w"));
    PrepareJob.run(w, new PrepareJob.Options(Map.of(), Map.of("demo", suite.toString()), 0, false));
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
    long expected = w.read(Tables.GENERATIONS).count() * 2;
    assertThat(expected).isEqualTo(2000);

    boolean[] healed = {false};
    String good = LoopbackChatServer.completion("85", HttpJudgeFixtures.ALIGNED_TOP);
    try (LoopbackChatServer server =
        LoopbackChatServer.start(
            (i, r) -> {
              if (healed[0]) {
                return LoopbackChatServer.Reply.ok(good);
              }
              long u = Long.remainderUnsigned(Ids.seedOf("fault|" + i), 100);
              if (u < 12) {
                return new LoopbackChatServer.Reply(
                    500, Map.of(), "{\"error\": \"overloaded\"}", 0);
              } else if (u < 20) {
                return new LoopbackChatServer.Reply(
                    429, Map.of("Retry-After", "0"), "{\"error\": \"slow down\"}", 0);
              } else if (u < 22) {
                return LoopbackChatServer.Reply.ok(good).after(2500);
              } else if (u < 26) {
                return LoopbackChatServer.Reply.ok("{\"choices\": [");
              } else if (u < 30) {
                return LoopbackChatServer.Reply.ok(
                    LoopbackChatServer.completion(
                        "85", List.of(new TokenLogprob("85", 0.7), new TokenLogprob("90", 0.3))));
              }
              return LoopbackChatServer.Reply.ok(good);
            },
            16,
            100_000,
            Duration.ofMinutes(10))) {
      Path key = dir.resolve("key");
      Files.writeString(key, HttpJudgeFixtures.KEY + "\n");
      JudgeSpec spec =
          HttpJudgeFixtures.spec(
              server, "api_key_file", key.toString(), "max_retries", 1, "timeout_s", 1);
      var first = JudgeJob.run(w, new JudgeJob.Options(spec, List.of(), List.of(), 64, 500, false));
      assertThat(first.judged()).isEqualTo(expected);
      List<Row> rows =
          w.read(Tables.JUDGMENTS).filter("judge_id = '" + spec.id() + "'").collectAsList();
      assertThat(rows).hasSize((int) expected);
      assertThat(rows.stream().map(r -> r.<String>getAs("judgment_id")).distinct().count())
          .isEqualTo(expected);
      long failures = 0;
      for (Row r : rows) {
        String status = r.getAs("status");
        Double score = r.getAs("score");
        assertThat(status).isIn(STATUSES);
        if (status.equals("ok")) {
          assertThat(score).isBetween(0.0, 100.0);
        } else {
          assertThat(score).as(status).isNull();
          failures += status.equals("low_numeric_mass") ? 0 : 1;
        }
      }
      assertThat(failures).as("some faults outlast one retry").isPositive();
      assertValidCacheAndNoKey(w);

      healed[0] = true;
      var retried =
          JudgeJob.run(w, new JudgeJob.Options(spec, List.of(), List.of(), 64, 500, true));
      assertThat(retried.judged()).isEqualTo(failures);
      rows = w.read(Tables.JUDGMENTS).filter("judge_id = '" + spec.id() + "'").collectAsList();
      assertThat(rows)
          .hasSize((int) expected)
          .allSatisfy(r -> assertThat(r.<String>getAs("status")).isEqualTo("ok"));
      assertValidCacheAndNoKey(w);
    }
  }

  private static void assertValidCacheAndNoKey(Warehouse w) throws Exception {
    ObjectMapper json = new ObjectMapper();
    List<Row> calls = w.read(Tables.JUDGE_CALLS).collectAsList();
    assertThat(calls).isNotEmpty();
    assertThat(calls.stream().map(r -> r.<String>getAs("call_key")).distinct().count())
        .isEqualTo(calls.size());
    for (Row c : calls) {
      JsonNode top =
          json.readTree(c.<String>getAs("response_json"))
              .path("choices")
              .path(0)
              .path("logprobs")
              .path("content")
              .path(0)
              .path("top_logprobs");
      assertThat(top.isArray() && !top.isEmpty()).isTrue();
      top.forEach(t -> assertThat(t.path("logprob").asDouble()).isLessThanOrEqualTo(0.0));
      assertThat(c.<String>getAs("request_json")).doesNotContain(HttpJudgeFixtures.KEY);
    }
    for (String t : List.of(Tables.JUDGMENTS, Tables.JUDGE_CALLS)) {
      assertThat(w.read(t).toJSON().collectAsList())
          .noneSatisfy(r -> assertThat(r).contains(HttpJudgeFixtures.KEY));
    }
  }
}
