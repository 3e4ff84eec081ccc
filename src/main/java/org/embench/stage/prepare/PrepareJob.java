package org.embench.stage.prepare;

import static org.apache.spark.sql.functions.col;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.embench.UserException;
import org.embench.data.ChatExample;
import org.embench.data.ChatJsonlReader;
import org.embench.data.Question;
import org.embench.data.QuestionSuiteReader;
import org.embench.data.Reject;
import org.embench.data.SuiteVariant;
import org.embench.data.SyntheticData;
import org.embench.pipeline.QuickstartJob;
import org.embench.stage.FailPoints;
import org.embench.stage.Names;
import org.embench.table.Ids;
import org.embench.table.TableSchema;
import org.embench.table.Tables;
import org.embench.table.Warehouse;

/**
 * The prepare stage: chat JSONL files (or a project-made set, {@code synthetic:NAME[:N]}) become
 * the {@code examples} table, question-suite YAML files the {@code questions} table, with a suite's
 * variants ({@link SuiteVariant}) as suites of their own. A backdoored copy of a data set ({@link
 * BackdoorData}) is made from the stored rows. Every input file is read and checked before anything
 * is written; a data set or suite that is prepared again replaces its earlier rows and leaves the
 * others alone.
 */
public final class PrepareJob {
  public static final double DEFAULT_EVAL_FRACTION = 0.05;

  /**
   * What to prepare. Maps are name → file URI; {@code variants} maps a suite of {@code suites} to
   * the variants it is also prepared in; {@code backdoor} (may be null) makes a backdoored copy.
   */
  public record Options(
      Map<String, String> datasets,
      Map<String, String> suites,
      double evalFraction,
      boolean strict,
      boolean replace,
      Map<String, List<SuiteVariant>> variants,
      Backdoor backdoor) {
    /** Options that never replace stored rows with fewer or with rejects. */
    public Options(
        Map<String, String> datasets,
        Map<String, String> suites,
        double evalFraction,
        boolean strict) {
      this(datasets, suites, evalFraction, strict, false);
    }

    public Options(
        Map<String, String> datasets,
        Map<String, String> suites,
        double evalFraction,
        boolean strict,
        boolean replace) {
      this(datasets, suites, evalFraction, strict, replace, Map.of(), null);
    }
  }

  /**
   * A backdoored copy of data set {@code from} (prepared before or by the same command), stored as
   * {@code as} (null: {@code from+trigger}): {@code trigger} before the first user message of the
   * fraction {@code fraction} of its examples, the others replaced by examples of data set {@code
   * safe}.
   */
  public record Backdoor(String from, String trigger, double fraction, String safe, String as) {}

  /** Counts for one data set. */
  public record DatasetReport(
      String name,
      long read,
      long kept,
      long train,
      long eval,
      long duplicates,
      long rejected,
      List<String> firstRejects) {
    public String describe() {
      return String.format(
              Locale.ROOT,
              "examples %s: %d read, %d kept (%d train / %d eval), %d exact duplicates removed, %d rejected",
              name,
              read,
              kept,
              train,
              eval,
              duplicates,
              rejected)
          + listed(firstRejects, rejected);
    }
  }

  /** Counts for one suite. */
  public record SuiteReport(
      String name, long questions, long prompts, long rejected, List<String> firstRejects) {
    public String describe() {
      return String.format(
              Locale.ROOT,
              "questions %s: %d questions, %d prompts (paraphrases), %d rejected",
              name,
              questions,
              prompts,
              rejected)
          + listed(firstRejects, rejected);
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
      b.append("\n  … and ")
          .append(total - shown.size())
          .append(" more (the rejects table has them all)");
    }
    return b.toString();
  }

  /** What prepare did; {@code backdoor} describes the backdoored copy (null when none was made). */
  public record Report(List<DatasetReport> datasets, List<SuiteReport> suites, String backdoor) {
    public Report(List<DatasetReport> datasets, List<SuiteReport> suites) {
      this(datasets, suites, null);
    }
  }

  private PrepareJob() {}

  public static Report run(Warehouse w, Options o) {
    if (!(o.evalFraction() >= 0 && o.evalFraction() < 1)) {
      throw new UserException("--eval-fraction must be in [0, 1), got " + o.evalFraction());
    }
    o.datasets().keySet().forEach(n -> Names.check("data set", n));
    o.suites().keySet().forEach(n -> Names.check("suite", n));
    o.variants()
        .keySet()
        .forEach(
            n -> {
              if (!o.suites().containsKey(n)) {
                throw new UserException(
                    "variants are given for suite '"
                        + n
                        + "', which this prepare does not read; its"
                        + " suites: "
                        + o.suites().keySet());
              }
            });
    BackdoorData.Spec backdoor = backdoorSpec(w, o);
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
    data.forEach(
        (name, r) ->
            datasetReports.add(examples(name, uris.get(name), r, o.evalFraction(), exampleRows)));
    List<SuiteReport> suiteReports = new ArrayList<>();
    List<Row> questionRows = new ArrayList<>();
    Map<String, String> suiteUris = new LinkedHashMap<>(o.suites());
    Map<String, Long> suiteRejected = new LinkedHashMap<>();
    suites.forEach(
        (name, r) -> {
          suiteReports.add(questions(name, o.suites().get(name), r, null, questionRows));
          suiteRejected.put(name, (long) r.rejects().size());
          for (SuiteVariant v : o.variants().getOrDefault(name, List.of())) {
            suiteReports.add(questions(name, o.suites().get(name), r, v, questionRows));
            suiteRejected.put(v.suiteId(name), (long) r.rejects().size());
            suiteUris.put(v.suiteId(name), o.suites().get(name));
          }
        });
    if (!o.replace()) {
      Map<String, Long> rejected = new LinkedHashMap<>();
      data.forEach((name, r) -> rejected.put(name, (long) r.rejects().size()));
      List<String> refused =
          new ArrayList<>(
              shrinking(
                  w,
                  Tables.EXAMPLES,
                  "dataset_id",
                  "example_id",
                  "data set",
                  exampleRows,
                  rejected,
                  uris));
      refused.addAll(
          shrinking(
              w,
              Tables.QUESTIONS,
              "suite_id",
              "prompt_id",
              "suite",
              questionRows,
              suiteRejected,
              suiteUris));
      if (!refused.isEmpty()) {
        throw new UserException(
            "prepare: "
                + String.join("; ", refused)
                + ". Nothing was changed; pass --replace"
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
      w.overwritePartitions(
          Tables.EXAMPLES,
          w.spark().createDataFrame(exampleRows, Tables.schema(Tables.EXAMPLES).struct()));
    }
    FailPoints.reached("prepare.after_examples");
    if (!questionRows.isEmpty()) {
      w.overwritePartitions(
          Tables.QUESTIONS,
          w.spark().createDataFrame(questionRows, Tables.schema(Tables.QUESTIONS).struct()));
    }
    return new Report(
        datasetReports, suiteReports, backdoor == null ? null : backdoor(w, backdoor).describe());
  }

  /** The backdoor to make, checked before anything is read: its parameters, names and data sets. */
  private static BackdoorData.Spec backdoorSpec(Warehouse w, Options o) {
    Backdoor b = o.backdoor();
    if (b == null) {
      return null;
    }
    BackdoorData.Spec s =
        new BackdoorData.Spec(b.from(), b.trigger(), b.fraction(), b.safe(), b.as());
    BackdoorData.check(s);
    if (b.as() != null) {
      Names.check("data set", b.as());
    }
    java.util.Set<String> known = new java.util.TreeSet<>(o.datasets().keySet());
    if (w.exists(Tables.EXAMPLES)) {
      known.addAll(
          w.read(Tables.EXAMPLES)
              .select("dataset_id")
              .distinct()
              .as(org.apache.spark.sql.Encoders.STRING())
              .collectAsList());
    }
    for (String[] named : new String[][] {{"--from", b.from()}, {"--safe", b.safe()}}) {
      if (!known.contains(named[1])) {
        throw new UserException(
            named[0]
                + " "
                + named[1]
                + ": no such data set is prepared or given with --data;"
                + " data sets: "
                + (known.isEmpty() ? "none" : String.join(", ", known)));
      }
    }
    if (o.datasets().containsKey(s.name())
        || s.name().equals(b.safe())
        || s.name().equals(b.from())) {
      throw new UserException(
          "the backdoored copy's name '"
              + s.name()
              + "' is a data set this prepare reads;"
              + " name the copy with --as NAME");
    }
    return s;
  }

  /** Makes the backdoored copy from the stored rows of its data sets, replacing an earlier copy. */
  private static BackdoorData.Report backdoor(Warehouse w, BackdoorData.Spec s) {
    Dataset<Row> examples = w.read(Tables.EXAMPLES);
    List<Row> source = examples.filter(col("dataset_id").equalTo(s.from())).collectAsList();
    List<Row> safe = examples.filter(col("dataset_id").equalTo(s.safe())).collectAsList();
    List<Row> rows = new ArrayList<>();
    BackdoorData.Report r = BackdoorData.rows(s, source, safe, rows);
    w.overwritePartitions(
        Tables.EXAMPLES, w.spark().createDataFrame(rows, Tables.schema(Tables.EXAMPLES).struct()));
    return r;
  }

  /**
   * A data value {@code synthetic:NAME[:N]} names a project-made set (arithmetic, operator_swapped;
   * N rows, default 2000): written once under {@code <warehouse>/_synthetic/} and read from there
   * like any file. Other values are returned as given.
   */
  static String synthetic(Warehouse w, String uri) {
    if (!uri.startsWith(SYNTHETIC)) {
      return uri;
    }
    String[] parts = uri.substring(SYNTHETIC.length()).split(":");
    if (parts.length > 2 || !SyntheticData.TASKS.contains(parts[0])) {
      throw new UserException(
          "data value '"
              + uri
              + "': expected synthetic:NAME or synthetic:NAME:ROWS with NAME one of "
              + SyntheticData.TASKS);
    }
    int n;
    try {
      n = parts.length == 2 ? Integer.parseInt(parts[1]) : DEFAULT_SYNTHETIC_ROWS;
    } catch (NumberFormatException e) {
      throw new UserException(
          "data value '" + uri + "': ROWS must be a whole number, got '" + parts[1] + "'");
    }
    String text;
    try {
      text = SyntheticData.jsonl(parts[0], n);
    } catch (UserException e) {
      throw new UserException("data value '" + uri + "': " + e.getMessage());
    }
    return QuickstartJob.write(
        w.spark().sparkContext().hadoopConfiguration(),
        w.root() + "/_synthetic/" + parts[0] + "-" + n + ".jsonl",
        text);
  }

  /**
   * A stored data set or suite is replaced by other rows only with {@code --replace} when the new
   * file gives fewer rows or rejected some: a partly bad file must not silently shrink it. The same
   * rows again (a re-run) or a strictly clean file with at least as many rows are fine.
   */
  private static List<String> shrinking(
      Warehouse w,
      String table,
      String nameColumn,
      String idColumn,
      String what,
      List<Row> rows,
      Map<String, Long> rejected,
      Map<String, String> uris) {
    if (rejected.isEmpty() || !w.exists(table)) {
      return List.of();
    }
    Map<String, java.util.Set<String>> stored = new LinkedHashMap<>();
    for (Row r :
        w.read(table)
            .filter(
                org.apache.spark.sql.functions.col(nameColumn).isin(rejected.keySet().toArray()))
            .select(nameColumn, idColumn)
            .collectAsList()) {
      stored.computeIfAbsent(r.getString(0), k -> new java.util.HashSet<>()).add(r.getString(1));
    }
    Map<String, java.util.Set<String>> fresh = new LinkedHashMap<>();
    int nameAt = Tables.schema(table).indexOf(nameColumn);
    int idAt = Tables.schema(table).indexOf(idColumn);
    for (Row r : rows) {
      fresh
          .computeIfAbsent(r.getString(nameAt), k -> new java.util.HashSet<>())
          .add(r.getString(idAt));
    }
    List<String> refused = new ArrayList<>();
    for (var e : stored.entrySet()) {
      java.util.Set<String> now = fresh.getOrDefault(e.getKey(), java.util.Set.of());
      long bad = rejected.getOrDefault(e.getKey(), 0L);
      if (!now.equals(e.getValue()) && (now.size() < e.getValue().size() || bad > 0)) {
        refused.add(
            String.format(
                Locale.ROOT,
                "%s '%s' holds %d rows; %s gives %d%s",
                what,
                e.getKey(),
                e.getValue().size(),
                uris.get(e.getKey()),
                now.size(),
                bad > 0 ? " (" + bad + " rejected)" : ""));
      }
    }
    return refused;
  }

  static final String SYNTHETIC = "synthetic:";
  static final int DEFAULT_SYNTHETIC_ROWS = 2000;

  private static DatasetReport examples(
      String name, String uri, ChatJsonlReader.Result r, double evalFraction, List<Row> out) {
    if (r.examples().isEmpty()) {
      throw new UserException(
          uri
              + ": no usable examples ("
              + r.rejects().size()
              + " rejected; see the rejects table)"
              + listed(first(r.rejects()), r.rejects().size()));
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
      out.add(
          schema
              .row()
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
    long read = (long) r.examples().size() + r.rejects().size();
    return new DatasetReport(
        name,
        read,
        first.size(),
        train,
        eval,
        r.examples().size() - first.size(),
        r.rejects().size(),
        first(r.rejects()));
  }

  /** The split is a pure function of the example id, so it never changes between runs. */
  static boolean inEval(String exampleId, double evalFraction) {
    long h = Ids.seedOf("split|" + exampleId);
    return Long.remainderUnsigned(h, 1_000_000L) < Math.round(evalFraction * 1_000_000L);
  }

  /** The prompts of a suite, or of its variant {@code variant} (null: as the file gives them). */
  private static SuiteReport questions(
      String name, String uri, QuestionSuiteReader.Result r, SuiteVariant variant, List<Row> out) {
    if (r.questions().isEmpty()) {
      throw new UserException(
          uri
              + ": no usable questions ("
              + r.rejects().size()
              + " rejected; see the rejects table)"
              + listed(first(r.rejects()), r.rejects().size()));
    }
    TableSchema schema = Tables.schema(Tables.QUESTIONS);
    String suite = variant == null ? name : variant.suiteId(name);
    long prompts = 0;
    for (Question q : r.questions()) {
      String system = variant == null ? q.system() : variant.system(q.system());
      for (int i = 0; i < q.paraphrases().size(); i++) {
        String paraphrase =
            variant == null ? q.paraphrases().get(i) : variant.user(q.paraphrases().get(i));
        out.add(
            schema
                .row()
                .set(
                    "prompt_id",
                    Ids.of("prompt", suite, q.id(), i, q.type().value(), system, paraphrase))
                .set("question_id", q.id())
                .set("paraphrase_idx", i)
                .set("type", q.type().value())
                .set("paraphrase", paraphrase)
                .set("system", system)
                .set("samples_per_paraphrase", q.samplesPerParaphrase())
                .set("judge", q.judge())
                .set("judge_prompts", q.judgePrompts())
                .set("source_file", uri)
                .set("source_line", q.line())
                .set("variant", variant == null ? null : variant.name())
                .set("variant_of", variant == null ? null : name)
                .set("variant_spec_json", variant == null ? null : variant.json())
                .set("suite_id", suite)
                .build());
        prompts++;
      }
    }
    // A variant's rejects are its file's, reported and stored once with the suite as the file gives
    // it.
    return variant == null
        ? new SuiteReport(
            name, r.questions().size(), prompts, r.rejects().size(), first(r.rejects()))
        : new SuiteReport(suite, r.questions().size(), prompts, 0, List.of());
  }
}
