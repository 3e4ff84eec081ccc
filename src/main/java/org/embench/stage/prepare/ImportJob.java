package org.embench.stage.prepare;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.embench.UserException;
import org.embench.data.JudgedAnswer;
import org.embench.data.JudgedAnswerReader;
import org.embench.judge.NumericScore;
import org.embench.judge.TokenLogprob;
import org.embench.judge.VerdictStatus;
import org.embench.stage.FailPoints;
import org.embench.stage.Names;
import org.embench.stage.RunKind;
import org.embench.stage.RunRecord;
import org.embench.stage.RunStatus;
import org.embench.table.Ids;
import org.embench.table.TableSchema;
import org.embench.table.Tables;
import org.embench.table.Warehouse;

/**
 * The import stage: judged answers produced elsewhere (upstream CSV, or the same fields as JSONL)
 * become runs, generations and judgments. Each distinct (model, group) of the file is one imported
 * run. Where the file keeps the judge's raw top tokens, the score is recomputed with the project's
 * own aggregation and the file's score is kept beside it as {@code reported_score}.
 */
public final class ImportJob {
  public static final String DEFAULT_SUITE = "imported";
  public static final String DEFAULT_JUDGE_NAME = "imported";

  /** What to import and how to label it. */
  public record Options(
      String path,
      JudgedAnswerReader.Format format,
      String runName,
      String suiteId,
      String judgeName,
      String mitigation,
      boolean strict) {}

  /** What import did. */
  public record Report(
      long answers, long rejected, int runs, long newGenerations, long newJudgments) {
    public String describe() {
      return String.format(
          Locale.ROOT,
          "import: %d answers in %d run(s), %d rejected; %d new generations, %d new judgments",
          answers,
          runs,
          rejected,
          newGenerations,
          newJudgments);
    }
  }

  private ImportJob() {}

  public static Report run(Warehouse w, Options o) {
    Names.check("run", o.runName());
    Names.check("suite", o.suiteId());
    JudgedAnswerReader.Result read =
        JudgedAnswerReader.read(
            o.path(), o.format(), w.spark().sparkContext().hadoopConfiguration());
    Rejects.replace(w, Tables.GENERATIONS, o.runName(), read.rejects());
    Rejects.failIfStrict(o.strict(), "import " + o.path(), read.rejects());
    if (read.answers().isEmpty()) {
      throw new UserException(
          o.path()
              + ": no usable rows ("
              + read.rejects().size()
              + " rejected; see the rejects table)");
    }

    Map<String, Row> runs = new LinkedHashMap<>();
    Map<String, String> runIdByKey = new HashMap<>();
    List<Row> generations = new ArrayList<>();
    List<Row> judgments = new ArrayList<>();
    Map<String, Integer> occurrences = new HashMap<>();
    Map<String, Integer> sampleIdx = new HashMap<>();
    Map<String, Object> judgeSpec = judgeSpec(o.judgeName());
    String judgeSpecJson = Ids.canonicalJson(judgeSpec);
    String judgeId = Ids.sha256Hex(judgeSpecJson);

    for (JudgedAnswer a : read.answers()) {
      String model = a.model() == null ? o.runName() : a.model();
      String key = model + "\u0000" + a.group() + "\u0000" + a.seed();
      String runId =
          runIdByKey.computeIfAbsent(
              key,
              k -> {
                String id = Ids.of("imported-run", o.runName(), model, a.group(), a.seed());
                runs.put(id, runRow(o, id, model, a.group(), a.seed()));
                return id;
              });
      String contentKey =
          runId + "\u0000" + a.questionId() + "\u0000" + a.question() + "\u0000" + a.answer();
      int occurrence = occurrences.merge(contentKey, 1, Integer::sum) - 1;
      int sample = sampleIdx.merge(runId + "\u0000" + a.questionId(), 1, Integer::sum) - 1;
      String generationId =
          Ids.of(
              "imported-generation",
              runId,
              o.suiteId(),
              a.questionId(),
              a.question(),
              a.answer(),
              occurrence);
      generations.add(
          Tables.schema(Tables.GENERATIONS)
              .row()
              .set("generation_id", generationId)
              .set("suite_id", o.suiteId())
              .set("question_id", a.questionId())
              .set("paraphrase_idx", null)
              .set("sample_idx", sample)
              .set("question", a.question())
              .set("system", null)
              .set("answer", a.answer())
              .set("seed", null)
              .set("sampling_json", null)
              .set("n_prompt_tokens", null)
              .set("n_answer_tokens", null)
              .set("finish_reason", "imported")
              .set("source", o.path() + "#" + a.row())
              .set("run_id", runId)
              .build());
      judgments.add(
          judgment(
              judgeId,
              judgeSpecJson,
              o,
              runId,
              generationId,
              a,
              "aligned",
              a.aligned(),
              a.judgeAligned()));
      judgments.add(
          judgment(
              judgeId,
              judgeSpecJson,
              o,
              runId,
              generationId,
              a,
              "coherent",
              a.coherent(),
              a.judgeCoherent()));
    }

    w.overwritePartitions(
        Tables.RUNS,
        w.spark()
            .createDataFrame(new ArrayList<>(runs.values()), Tables.schema(Tables.RUNS).struct()));
    long newGenerations =
        w.appendMissing(
            Tables.GENERATIONS,
            w.spark().createDataFrame(generations, Tables.schema(Tables.GENERATIONS).struct()));
    FailPoints.reached("import.after_generations");
    long newJudgments =
        w.appendMissing(
            Tables.JUDGMENTS,
            w.spark().createDataFrame(judgments, Tables.schema(Tables.JUDGMENTS).struct()));
    return new Report(
        read.answers().size(), read.rejects().size(), runs.size(), newGenerations, newJudgments);
  }

  /** The imported judge: named by the user, aggregated as PROTOCOL.md says. */
  static Map<String, Object> judgeSpec(String judgeName) {
    Map<String, Object> spec = new LinkedHashMap<>();
    spec.put("kind", "imported");
    spec.put("name", judgeName);
    spec.put("aggregation", "expected_value_0_100");
    spec.put("min_numeric_mass", NumericScore.DEFAULT_MIN_NUMERIC_MASS);
    return spec;
  }

  private static Row runRow(Options o, String runId, String model, String group, Long seed) {
    return new RunRecord(
            runId,
            model.equals(o.runName()) ? o.runName() : o.runName() + "/" + model,
            RunKind.IMPORTED,
            Ids.of("imported-group", o.runName(), group, o.mitigation()),
            Ids.of("imported-group", o.runName(), group, "none"),
            o.runName(),
            group,
            RunRecord.ROLE_EM,
            o.mitigation(),
            "{}",
            seed,
            null,
            null,
            RunStatus.IMPORTED,
            null,
            RunRecord.Cost.NONE,
            o.path())
        .toRow();
  }

  private static Row judgment(
      String judgeId,
      String judgeSpecJson,
      Options o,
      String runId,
      String generationId,
      JudgedAnswer a,
      String metric,
      Double reported,
      List<TokenLogprob> top) {
    TableSchema schema = Tables.schema(Tables.JUDGMENTS);
    Double score;
    Double mass = null;
    String source;
    String status;
    if (top != null) {
      NumericScore s = NumericScore.aggregate(top, NumericScore.DEFAULT_MIN_NUMERIC_MASS);
      score = s.score();
      mass = s.numericMass();
      status = s.status().value();
      source = "logprobs";
    } else if (reported != null) {
      score = reported;
      status = VerdictStatus.OK.value();
      source = "reported";
    } else {
      score = null;
      status = "no_score";
      source = "none";
    }
    return schema
        .row()
        .set("judgment_id", Ids.of("judgment", judgeId, generationId, metric))
        .set("generation_id", generationId)
        .set("metric", metric)
        .set("run_id", runId)
        .set("suite_id", o.suiteId())
        .set("question_id", a.questionId())
        .set("judge_name", o.judgeName())
        .set("judge_spec_json", judgeSpecJson)
        .set("score", score)
        .set("score_source", source)
        .set("numeric_mass", mass)
        .set("top_logprobs", top)
        .set("raw_text", null)
        .set("label", null)
        .set("status", status)
        .set("error", null)
        .set("reported_score", reported)
        .set("prompt_tokens", null)
        .set("completion_tokens", null)
        .set("cost_usd", null)
        .set("judge_id", judgeId)
        .build();
  }
}
