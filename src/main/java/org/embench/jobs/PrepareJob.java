package org.embench.jobs;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.embench.UserException;
import org.embench.data.ChatExample;
import org.embench.data.ChatJsonlReader;
import org.embench.data.Question;
import org.embench.data.QuestionSuiteReader;
import org.embench.data.Reject;
import org.embench.data.SyntheticData;
import org.embench.table.Ids;
import org.embench.table.TableSchema;
import org.embench.table.Tables;
import org.embench.table.Warehouse;

/**
 * The prepare stage: chat JSONL files (or a project-made set, {@code synthetic:NAME[:N]}) become the
 * {@code examples} table, question-suite YAML files
 * the {@code questions} table. Every input file is read and checked before anything is written; a
 * data set or suite that is prepared again replaces its earlier rows and leaves the others alone.
 */
public final class PrepareJob {
  public static final double DEFAULT_EVAL_FRACTION = 0.05;

  /** What to prepare. Maps are name → file URI. */
  public record Options(Map<String, String> datasets, Map<String, String> suites, double evalFraction,
      boolean strict, boolean replace) {
    /** Options that never replace stored rows with fewer or with rejects. */
    public Options(Map<String, String> datasets, Map<String, String> suites, double evalFraction, boolean strict) {
      this(datasets, suites, evalFraction, strict, false);
    }
  }

  /** Counts for one data set. */
  public record DatasetReport(String name, long read, long kept, long train, long eval, long duplicates,
      long rejected, List<String> firstRejects) {
    public String describe() {
      return String.format(Locale.ROOT,
          "examples %s: %d read, %d kept (%d train / %d eval), %d exact duplicates removed, %d rejected",
          name, read, kept, train, eval, duplicates, rejected) + listed(firstRejects, rejected);
    }
  }

  /** Counts for one suite. */
  public record SuiteReport(String name, long questions, long prompts, long rejected, List<String> firstRejects) {
    public String describe() {
      return String.format(Locale.ROOT, "questions %s: %d questions, %d prompts (paraphrases), %d rejected",
          name, questions, prompts, rejected) + listed(firstRejects, rejected);
    }
  }

  /** Rejects named in a report (file:line: field: reason); the rest are in the rejects table. */
  static final int REJECTS_SHOWN = 5;

  static List<String> first(List<org.embench.data.Reject> rejects) {
    return rejects.stream().limit(REJECTS_SHOWN).map(org.embench.data.Reject::describe).toList();
  }

  private static String listed(List<String> shown, long total) {
    if (shown.isEmpty()) {
      return "";
    }
    StringBuilder b = new StringBuilder();
    shown.forEach(r -> b.append("\n  ").append(r));
    if (total > shown.size()) {
      b.append("\n  … and ").append(total - shown.size()).append(" more (the rejects table has them all)");
    }
    return b.toString();
  }

  /** What prepare did. */
  public record Report(List<DatasetReport> datasets, List<SuiteReport> suites) {}

  private PrepareJob() {}

  public static Report run(Warehouse w, Options o) {
    if (!(o.evalFraction() >= 0 && o.evalFraction() < 1)) {
      throw new UserException("--eval-fraction must be in [0, 1), got " + o.evalFraction());
    }
    o.datasets().keySet().forEach(n -> Names.check("data set", n));
    o.suites().keySet().forEach(n -> Names.check("suite", n));
    Configuration conf = w.spark().sparkContext().hadoopConfiguration();

    // Read and check everything first: a bad file stops the stage before any write.
    Map<String, ChatJsonlReader.Result> data = new LinkedHashMap<>();
    Map<String, String> uris = new LinkedHashMap<>();
    o.datasets().forEach((name, uri) -> uris.put(name, synthetic(w, uri)));
    uris.forEach((name, uri) -> data.put(name, ChatJsonlReader.read(uri, conf)));
    Map<String, QuestionSuiteReader.Result> suites = new LinkedHashMap<>();
    o.suites().forEach((name, uri) -> suites.put(name, QuestionSuiteReader.read(uri, conf)));

    List<DatasetReport> datasetReports = new ArrayList<>();
    List<Row> exampleRows = new ArrayList<>();
    data.forEach((name, r) -> datasetReports.add(examples(name, uris.get(name), r, o.evalFraction(), exampleRows)));
    List<SuiteReport> suiteReports = new ArrayList<>();
    List<Row> questionRows = new ArrayList<>();
    suites.forEach((name, r) -> suiteReports.add(questions(name, o.suites().get(name), r, questionRows)));
    if (!o.replace()) {
      Map<String, Long> rejected = new LinkedHashMap<>();
      data.forEach((name, r) -> rejected.put(name, (long) r.rejects().size()));
      List<String> refused = new ArrayList<>(
          shrinking(w, Tables.EXAMPLES, "dataset_id", "example_id", "data set", exampleRows, rejected, uris));
      Map<String, Long> suiteRejected = new LinkedHashMap<>();
      suites.forEach((name, r) -> suiteRejected.put(name, (long) r.rejects().size()));
      refused.addAll(shrinking(w, Tables.QUESTIONS, "suite_id", "prompt_id", "suite", questionRows, suiteRejected,
          o.suites()));
      if (!refused.isEmpty()) {
        throw new UserException("prepare: " + String.join("; ", refused) + ". Nothing was changed; pass --replace"
            + " (embench prepare --replace) to replace the stored rows");
      }
    }

    data.forEach((name, r) -> Rejects.replace(w, Tables.EXAMPLES, name, r.rejects()));
    suites.forEach((name, r) -> Rejects.replace(w, Tables.QUESTIONS, name, r.rejects()));
    List<Reject> all = new ArrayList<>();
    data.values().forEach(r -> all.addAll(r.rejects()));
    suites.values().forEach(r -> all.addAll(r.rejects()));
    Rejects.failIfStrict(o.strict(), "prepare", all);

    if (!exampleRows.isEmpty()) {
      w.overwritePartitions(Tables.EXAMPLES,
          w.spark().createDataFrame(exampleRows, Tables.schema(Tables.EXAMPLES).struct()));
    }
    FailPoints.reached("prepare.after_examples");
    if (!questionRows.isEmpty()) {
      w.overwritePartitions(Tables.QUESTIONS,
          w.spark().createDataFrame(questionRows, Tables.schema(Tables.QUESTIONS).struct()));
    }
    return new Report(datasetReports, suiteReports);
  }

  /**
   * A data value {@code synthetic:NAME[:N]} names a project-made set (arithmetic, operator_swapped;
   * N rows, default 2000): written once under {@code <warehouse>/_synthetic/} and read from there like
   * any file. Other values are returned as given.
   */
  static String synthetic(Warehouse w, String uri) {
    if (!uri.startsWith(SYNTHETIC)) {
      return uri;
    }
    String[] parts = uri.substring(SYNTHETIC.length()).split(":");
    if (parts.length > 2 || !SyntheticData.TASKS.contains(parts[0])) {
      throw new UserException("data value '" + uri + "': expected synthetic:NAME or synthetic:NAME:ROWS with NAME one of "
          + SyntheticData.TASKS);
    }
    int n;
    try {
      n = parts.length == 2 ? Integer.parseInt(parts[1]) : DEFAULT_SYNTHETIC_ROWS;
    } catch (NumberFormatException e) {
      throw new UserException("data value '" + uri + "': ROWS must be a whole number, got '" + parts[1] + "'");
    }
    String text;
    try {
      text = SyntheticData.jsonl(parts[0], n);
    } catch (UserException e) {
      throw new UserException("data value '" + uri + "': " + e.getMessage());
    }
    return QuickstartJob.write(w.spark().sparkContext().hadoopConfiguration(),
        w.root() + "/_synthetic/" + parts[0] + "-" + n + ".jsonl", text);
  }

  /**
   * A stored data set or suite is replaced by other rows only with {@code --replace} when the new
   * file gives fewer rows or rejected some: a partly bad file must not silently shrink it. The same
   * rows again (a re-run) or a strictly clean file with at least as many rows are fine.
   */
  private static List<String> shrinking(Warehouse w, String table, String nameColumn, String idColumn, String what,
      List<Row> rows, Map<String, Long> rejected, Map<String, String> uris) {
    if (rejected.isEmpty() || !w.exists(table)) {
      return List.of();
    }
    Map<String, java.util.Set<String>> stored = new LinkedHashMap<>();
    for (Row r : w.read(table).filter(org.apache.spark.sql.functions.col(nameColumn).isin(rejected.keySet().toArray()))
        .select(nameColumn, idColumn).collectAsList()) {
      stored.computeIfAbsent(r.getString(0), k -> new java.util.HashSet<>()).add(r.getString(1));
    }
    Map<String, java.util.Set<String>> fresh = new LinkedHashMap<>();
    int nameAt = Tables.schema(table).indexOf(nameColumn);
    int idAt = Tables.schema(table).indexOf(idColumn);
    for (Row r : rows) {
      fresh.computeIfAbsent(r.getString(nameAt), k -> new java.util.HashSet<>()).add(r.getString(idAt));
    }
    List<String> refused = new ArrayList<>();
    for (var e : stored.entrySet()) {
      java.util.Set<String> now = fresh.getOrDefault(e.getKey(), java.util.Set.of());
      long bad = rejected.getOrDefault(e.getKey(), 0L);
      if (!now.equals(e.getValue()) && (now.size() < e.getValue().size() || bad > 0)) {
        refused.add(String.format(Locale.ROOT, "%s '%s' holds %d rows; %s gives %d%s", what, e.getKey(),
            e.getValue().size(), uris.get(e.getKey()), now.size(), bad > 0 ? " (" + bad + " rejected)" : ""));
      }
    }
    return refused;
  }

  static final String SYNTHETIC = "synthetic:";
  static final int DEFAULT_SYNTHETIC_ROWS = 2000;

  private static DatasetReport examples(String name, String uri, ChatJsonlReader.Result r, double evalFraction,
      List<Row> out) {
    if (r.examples().isEmpty()) {
      throw new UserException(uri + ": no usable examples (" + r.rejects().size()
          + " rejected; see the rejects table)" + listed(first(r.rejects()), r.rejects().size()));
    }
    TableSchema schema = Tables.schema(Tables.EXAMPLES);
    // Exact duplicates are stored once, with their count, at the line of their first occurrence.
    Map<String, ChatExample> first = new LinkedHashMap<>();
    Map<String, Integer> occurrences = new LinkedHashMap<>();
    for (ChatExample e : r.examples()) {
      String id = Ids.of("example", name, e.messages());
      first.putIfAbsent(id, e);
      occurrences.merge(id, 1, Integer::sum);
    }
    long train = 0;
    long eval = 0;
    for (var entry : first.entrySet()) {
      String id = entry.getKey();
      ChatExample e = entry.getValue();
      String split = inEval(id, evalFraction) ? "eval" : "train";
      if (split.equals("eval")) {
        eval++;
      } else {
        train++;
      }
      out.add(schema.row()
          .set("example_id", id)
          .set("split", split)
          .set("messages", e.messages())
          .set("n_messages", e.messages().size())
          .set("occurrences", occurrences.get(id))
          .set("source_format", e.sourceFormat())
          .set("source_file", uri)
          .set("source_line", e.line())
          .set("dataset_id", name)
          .build());
    }
    long read = r.examples().size() + r.rejects().size();
    return new DatasetReport(name, read, first.size(), train, eval, r.examples().size() - first.size(),
        r.rejects().size(), first(r.rejects()));
  }

  /** The split is a pure function of the example id, so it never changes between runs. */
  static boolean inEval(String exampleId, double evalFraction) {
    long h = Ids.seedOf("split|" + exampleId);
    return Long.remainderUnsigned(h, 1_000_000L) < Math.round(evalFraction * 1_000_000L);
  }

  private static SuiteReport questions(String name, String uri, QuestionSuiteReader.Result r, List<Row> out) {
    if (r.questions().isEmpty()) {
      throw new UserException(uri + ": no usable questions (" + r.rejects().size()
          + " rejected; see the rejects table)" + listed(first(r.rejects()), r.rejects().size()));
    }
    TableSchema schema = Tables.schema(Tables.QUESTIONS);
    long prompts = 0;
    for (Question q : r.questions()) {
      for (int i = 0; i < q.paraphrases().size(); i++) {
        String paraphrase = q.paraphrases().get(i);
        out.add(schema.row()
            .set("prompt_id", Ids.of("prompt", name, q.id(), i, q.type(), q.system(), paraphrase))
            .set("question_id", q.id())
            .set("paraphrase_idx", i)
            .set("type", q.type())
            .set("paraphrase", paraphrase)
            .set("system", q.system())
            .set("samples_per_paraphrase", q.samplesPerParaphrase())
            .set("judge", q.judge())
            .set("judge_prompts", q.judgePrompts())
            .set("source_file", uri)
            .set("source_line", q.line())
            .set("suite_id", name)
            .build());
        prompts++;
      }
    }
    return new SuiteReport(name, r.questions().size(), prompts, r.rejects().size(), first(r.rejects()));
  }
}
