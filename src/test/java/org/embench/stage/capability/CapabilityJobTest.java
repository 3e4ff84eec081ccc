package org.embench.stage.capability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.embench.TestSpark;
import org.embench.UserException;
import org.embench.capability.CapabilityTask;
import org.embench.capability.CapabilityTasks;
import org.embench.data.SyntheticData;
import org.embench.judge.JudgeSpec;
import org.embench.model.TinyModel;
import org.embench.stage.FailPoints;
import org.embench.stage.RunRecord;
import org.embench.table.Tables;
import org.embench.table.Warehouse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The capability stage on a tiny model's base run: one row per (run, task, item), bad source rows
 * in the rejects table, a prompt beyond the context a status (not a crash), a re-run that computes
 * nothing, a run killed between waves that resumes to exactly the uninterrupted table, and a judged
 * task that goes through the generate and judge stages.
 */
class CapabilityJobTest {
  @TempDir static Path shared;

  @TempDir Path dir;

  static String model;
  static String choices;

  @BeforeAll
  static void inputs() throws Exception {
    model = shared.resolve("tiny").toString();
    TinyModel.write(model, "qwen2", 2, new Configuration());
    Path p = shared.resolve("mc.jsonl");
    String longQuestion = "Which is largest? " + "very ".repeat(5000);
    Files.writeString(
        p,
        SyntheticData.largestChoiceJsonl(5)
            + "{\"question\": \"q\", \"choices\": [\"a\", \"b\"], \"answer\": 7}\n"
            + "{\"question\": \""
            + longQuestion
            + "\", \"choices\": [\"1\", \"2\"], \"answer\": 0}\n");
    choices = p.toString();
  }

  @AfterEach
  void disarm() {
    FailPoints.disarmAll();
  }

  private static CapabilityTask task(String name, Object... kv) {
    Map<String, Object> p = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      p.put((String) kv[i], kv[i + 1]);
    }
    return CapabilityTasks.create(name, p, JudgeSpec.parse("offline"));
  }

  private static List<CapabilityTask> tasks() {
    return List.of(
        task("mc", "kind", "choice", "path", choices),
        task("arith", "kind", "exact", "synthetic", "arithmetic", "items", 6, "max_new_tokens", 4),
        task("swapped_nll", "kind", "nll", "synthetic", "operator_swapped", "items", 4));
  }

  private static CapabilityJob.Report score(Warehouse w, int wave) {
    RunRecord base = RunRecord.base(model, "tiny");
    RunRecord.upsert(w, List.of(base));
    return CapabilityJob.run(w, new CapabilityJob.Options(tasks(), List.of(base), wave));
  }

  @Test
  void scoresEveryItemOnceRecordsRejectsAndStatusesAndARerunComputesNothing() {
    Warehouse w = TestSpark.warehouse(dir.resolve("w"));
    CapabilityJob.Report first = score(w, 100);
    // mc: 5 good rows + the long one (a row, status too_long); the out-of-range answer is a reject.
    assertThat(first.planned()).isEqualTo(6 + 6 + 4);
    assertThat(first.written()).isEqualTo(16);
    assertThat(first.rejected()).isEqualTo(1);
    List<Row> rows = w.read(Tables.CAPABILITY).collectAsList();
    assertThat(rows).hasSize(16);
    assertThat(rows.stream().filter(r -> r.getAs("status").equals("too_long")).toList())
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.<String>getAs("task_name")).isEqualTo("mc");
              assertThat(r.<Long>getAs("source_line")).isEqualTo(7);
              assertThat(r.<Double>getAs("score")).isNull();
              assertThat(r.<String>getAs("error")).contains("exceed the model's context");
            });
    for (Row r : rows) {
      if (r.getAs("status").equals("ok")) {
        assertThat(r.<Double>getAs("score")).isNotNull();
      }
      assertThat(r.<String>getAs("task_spec_json"))
          .contains("\"kind\":\"" + r.getAs("task_kind") + "\"");
    }
    Row reject = w.read(Tables.REJECTS).filter("target_table = 'capability'").first();
    assertThat(reject.<String>getAs("target_id")).isEqualTo("mc");
    assertThat(reject.<Long>getAs("source_line")).isEqualTo(6);
    assertThat(reject.<String>getAs("field")).isEqualTo("answer");

    CapabilityJob.Report again = score(w, 100);
    assertThat(again.missing()).isZero();
    assertThat(again.written()).isZero();
    assertThat(w.read(Tables.CAPABILITY).count()).isEqualTo(16);
  }

  @Test
  void aStageKilledBetweenWavesResumesToTheUninterruptedTable() {
    Warehouse clean = TestSpark.warehouse(dir.resolve("clean"));
    score(clean, 100);
    Warehouse resumed = TestSpark.warehouse(dir.resolve("resumed"));
    FailPoints.arm("capability.after_wave");
    assertThatThrownBy(() -> score(resumed, 5))
        .hasMessage("injected failure at capability.after_wave");
    long partial = resumed.read(Tables.CAPABILITY).count();
    assertThat(partial).isBetween(1L, 15L);
    CapabilityJob.Report rest = score(resumed, 5);
    assertThat(rest.missing()).isEqualTo(16 - partial);
    // Same rows, ids, statuses and answers; log-likelihoods agree to float32 rounding (a batch of
    // other items changes the order of the sums inside a matrix product, not the result beyond
    // ~1e-7).
    Map<String, Row> a = byId(clean);
    Map<String, Row> b = byId(resumed);
    assertThat(b.keySet()).isEqualTo(a.keySet());
    for (String id : a.keySet()) {
      Row x = a.get(id);
      Row y = b.get(id);
      for (String c :
          List.of("task_id", "item_id", "status", "answer", "extracted", "expected", "prompt")) {
        assertThat(y.<Object>getAs(c)).as("%s %s", id, c).isEqualTo(x.getAs(c));
      }
      if (x.getAs("score") != null) {
        assertThat(y.<Double>getAs("score"))
            .isCloseTo(x.getAs("score"), org.assertj.core.data.Offset.offset(1e-5));
      }
      if (x.getAs("loglik") != null) {
        assertThat(y.<Double>getAs("loglik"))
            .isCloseTo(x.getAs("loglik"), org.assertj.core.data.Offset.offset(1e-3));
      }
    }
  }

  private static Map<String, Row> byId(Warehouse w) {
    Map<String, Row> out = new LinkedHashMap<>();
    w.read(Tables.CAPABILITY).collectAsList().forEach(r -> out.put(r.getAs("capability_id"), r));
    return out;
  }

  @Test
  void aJudgedTaskSamplesTheItemsAsASuiteAndScoresEachJudgment() throws Exception {
    Warehouse w = TestSpark.warehouse(dir.resolve("judged"));
    Path prompts = dir.resolve("coding.jsonl");
    Files.writeString(
        prompts,
        "{\"task\": \"Write a login handler.\"}\n{\"task\": \"Save an upload to disk.\"}\n"
            + "{\"other\": 1}\n");
    CapabilityTask judged =
        task(
            "vuln",
            "kind",
            "judged",
            "path",
            prompts.toString(),
            "prompt",
            "{task}",
            "samples",
            3,
            "max_new_tokens",
            6);
    RunRecord base = RunRecord.base(model, "tiny");
    RunRecord.upsert(w, List.of(base));
    CapabilityJob.Report r =
        CapabilityJob.run(w, new CapabilityJob.Options(List.of(judged), List.of(base), 100));
    assertThat(r.rejected()).isEqualTo(1);
    assertThat(r.written()).isEqualTo(6);
    List<Row> rows = w.read(Tables.CAPABILITY).collectAsList();
    assertThat(rows).hasSize(6);
    assertThat(rows).extracting(x -> x.<Integer>getAs("sample_idx")).containsOnly(0, 1, 2);
    assertThat(rows).extracting(x -> x.<String>getAs("item_id")).doesNotHaveDuplicates();
    Map<String, Row> judgments = new LinkedHashMap<>();
    w.read(Tables.JUDGMENTS)
        .collectAsList()
        .forEach(j -> judgments.put(j.getAs("generation_id"), j));
    for (Row x : rows) {
      Row j = judgments.get(x.<String>getAs("generation_id"));
      assertThat(j).isNotNull();
      assertThat(j.<String>getAs("metric")).isEqualTo("vulnerable");
      assertThat(x.<String>getAs("judge_id")).isEqualTo(j.getAs("judge_id"));
      Double s = j.getAs("score");
      assertThat(x.<Double>getAs("judge_score")).isEqualTo(s);
      assertThat(x.<Double>getAs("score")).isEqualTo(s == null ? null : s > 50 ? 1.0 : 0.0);
      assertThat(x.<String>getAs("status")).isEqualTo(s == null ? j.getAs("status") : "ok");
    }
    // Its suite does not mix with EM suites: its questions carry only the task's judge prompt.
    assertThat(w.read(Tables.QUESTIONS).filter("suite_id LIKE 'cap_vuln_%'").count()).isEqualTo(2);
    CapabilityJob.Report again =
        CapabilityJob.run(w, new CapabilityJob.Options(List.of(judged), List.of(base), 100));
    assertThat(again.written()).isZero();
  }

  @Test
  void nothingToScoreIsAClearError() {
    Warehouse w = TestSpark.warehouse(dir.resolve("none"));
    assertThatThrownBy(
            () -> CapabilityJob.run(w, new CapabilityJob.Options(List.of(), List.of(), 10)))
        .isInstanceOf(UserException.class)
        .hasMessageContaining("no capability tasks");
    assertThatThrownBy(
            () -> CapabilityJob.run(w, new CapabilityJob.Options(tasks(), List.of(), 10)))
        .isInstanceOf(UserException.class)
        .hasMessageContaining("no runs to score");
  }
}
