package org.embench.metrics.report;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.embench.UserException;
import org.embench.data.InputFiles;
import org.embench.metrics.SqlScript;
import org.embench.table.Tables;
import org.embench.table.Warehouse;
import org.jfree.chart.ChartUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code report}: reads the metric tables through Spark, collects only aggregates to the driver,
 * draws each figure with JFreeChart and writes one self-contained HTML file, a PNG and a CSV per
 * figure, and a CSV per section to any Hadoop URI. Tables that are missing or empty are named in
 * the report instead of failing it.
 */
public final class ReportJob {
  private static final Logger LOG = LoggerFactory.getLogger(ReportJob.class);

  /** The report's run filter is applied to this view of {@code runs}; every query reads it. */
  static final String RUNS_VIEW = "report_runs";

  public static final int DEFAULT_MAX_PANELS = 24;

  /** The tables the report reads. */
  static final List<String> READS =
      List.of(
          Tables.RUNS,
          Tables.METRIC_PARAMS,
          Tables.QUESTION_RATES,
          Tables.SUITE_RATES,
          Tables.SCOREBOARD,
          Tables.TRAIN_STEPS,
          Tables.JUDGMENTS,
          Tables.JUDGE_AGREEMENT);

  /**
   * What to report. {@code out}: folder URI (null: {@code <warehouse>/_report}); {@code filter}: a
   * SQL condition on the columns of {@code runs} (null: every run); {@code specUri}: the experiment
   * spec, printed at the top (null: not printed).
   */
  public record Options(String out, String filter, String specUri, int maxPanels) {
    public Options {
      if (maxPanels < 1) {
        throw new UserException("--max-panels must be at least 1, got " + maxPanels);
      }
    }

    public static Options defaults() {
      return new Options(null, null, null, DEFAULT_MAX_PANELS);
    }
  }

  /** The written report. */
  public record Result(
      String html,
      String folder,
      List<Section> sections,
      List<String> missingTables,
      Map<String, FigureData> header,
      double seconds) {
    public String describe() {
      long figures = sections.stream().mapToLong(s -> s.figures().size()).sum();
      return String.format(
          java.util.Locale.ROOT,
          "report: %d sections, %d figures in %.1f s%s: %s",
          sections.size(),
          figures,
          seconds,
          missingTables.isEmpty()
              ? ""
              : " (missing tables: " + String.join(", ", missingTables) + ")",
          html);
    }
  }

  private ReportJob() {}

  public static Result run(Warehouse w, Options o) {
    System.setProperty("java.awt.headless", "true");
    long start = System.nanoTime();
    Instant now = Instant.now();
    String folder = o.out() == null ? w.root() + "/_report" : stripSlash(o.out());
    String specText =
        o.specUri() == null
            ? null
            : InputFiles.readString(o.specUri(), w.spark().sparkContext().hadoopConfiguration());
    requireWarehouse(w);
    List<String> missing = new ArrayList<>();
    long t = System.nanoTime();
    // Opening a warehouse registers its tables, and every write re-registers the table it wrote.
    for (String table : READS) {
      if (!w.exists(table)) {
        missing.add(table);
      }
    }
    runsView(w, o.filter());
    LOG.info(
        "runs read in {} s",
        String.format(java.util.Locale.ROOT, "%.1f", (System.nanoTime() - t) / 1e9));
    ReportQueries q = new ReportQueries(w, missing);
    List<Section> sections = new ReportSections(q, o.maxPanels()).all();
    Map<String, FigureData> header = new LinkedHashMap<>();
    header.put("runs", q.query("runs_summary", Tables.RUNS));
    header.put("judges", q.judges());
    header.put("answers_per_question", q.query("answers_per_question", Tables.QUESTION_RATES));
    header.put(
        "metric_params",
        q.table(
            Tables.METRIC_PARAMS,
            "SELECT name, value, default_value FROM " + w.qualified(Tables.METRIC_PARAMS)));
    Map<String, byte[]> images = new LinkedHashMap<>();
    for (Section s : sections) {
      for (Section.Figure f : s.figures()) {
        images.put(f.file(), png(f));
      }
    }
    ReportHtml.Meta meta =
        new ReportHtml.Meta(
            w.root(),
            o.filter(),
            o.specUri(),
            specText,
            BuildInfo.current(),
            w.spark().version(),
            now);
    String html = ReportHtml.render(meta, header, sections, images, q.missing());
    Configuration conf = w.spark().sparkContext().hadoopConfiguration();
    Path dir = new Path(folder);
    write(new Path(dir, "index.html"), html.getBytes(StandardCharsets.UTF_8), conf);
    for (Section s : sections) {
      write(new Path(dir, s.id() + ".csv"), s.table().csv().getBytes(StandardCharsets.UTF_8), conf);
      for (Section.Figure f : s.figures()) {
        write(new Path(dir, f.file() + ".png"), images.get(f.file()), conf);
        write(
            new Path(dir, f.file() + ".csv"),
            f.data().csv().getBytes(StandardCharsets.UTF_8),
            conf);
      }
    }
    w.spark().catalog().dropTempView(RUNS_VIEW);
    double seconds = (System.nanoTime() - start) / 1e9;
    Result r = new Result(folder + "/index.html", folder, sections, q.missing(), header, seconds);
    LOG.info(r.describe());
    return r;
  }

  private static void requireWarehouse(Warehouse w) {
    Path root = new Path(w.root());
    try {
      FileSystem fs = root.getFileSystem(w.spark().sparkContext().hadoopConfiguration());
      if (!fs.exists(root) || !fs.getFileStatus(root).isDirectory()) {
        throw new UserException(
            "no warehouse at " + w.root() + " (run embench quickstart or run SPEC first)");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + w.root() + ": " + e.getMessage(), e);
    }
  }

  /**
   * {@code report_runs}: the runs the report covers. A bad filter is the user's error, named as
   * such.
   */
  private static void runsView(Warehouse w, String filter) {
    String sql =
        "SELECT * FROM "
            + w.qualified(Tables.RUNS)
            + (filter == null || filter.isBlank() ? "" : " WHERE " + filter);
    Dataset<Row> runs;
    try {
      runs = w.spark().sql(sql);
    } catch (Exception e) { // Spark's AnalysisException is checked in Java's eyes but undeclared
      if (!(e instanceof AnalysisException)
          && !e.getClass().getSimpleName().contains("ParseException")) {
        throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
      }
      throw new UserException(
          "--filter '"
              + filter
              + "' is not a valid condition on the columns of runs ("
              + String.join(", ", Tables.schema(Tables.RUNS).struct().fieldNames())
              + "): "
              + org.embench.metrics.SqlRunner.firstLine(e.getMessage()));
    }
    // Runs are few (metadata, never answers): held on the driver, every query reads them from
    // memory.
    w.spark()
        .createDataFrame(runs.collectAsList(), runs.schema())
        .createOrReplaceTempView(RUNS_VIEW);
  }

  static byte[] png(Section.Figure f) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      ChartUtils.writeChartAsPNG(out, f.chart(), f.width(), f.height());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot draw " + f.file(), e);
    }
    return out.toByteArray();
  }

  private static void write(Path path, byte[] bytes, Configuration conf) {
    try {
      FileSystem fs = path.getFileSystem(conf);
      if (fs instanceof LocalFileSystem local) {
        fs = local.getRawFileSystem(); // no .crc files beside the report
      }
      try (OutputStream out = fs.create(path, true)) {
        out.write(bytes);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + path + ": " + e.getMessage(), e);
    }
  }

  private static String stripSlash(String s) {
    return s.endsWith("/") && s.length() > 1 ? s.substring(0, s.length() - 1) : s;
  }

  /** Runs the report's SQL files, remembering which tables were missing or empty. */
  static final class ReportQueries {
    private final Warehouse w;
    private final List<String> missing;
    private FigureData judgeRows;

    ReportQueries(Warehouse w, List<String> missing) {
      this.w = w;
      this.missing = new ArrayList<>(missing);
    }

    /** Whether every table is there; the ones that are not are remembered for the report. */
    boolean have(String... tables) {
      boolean all = true;
      for (String t : tables) {
        if (missing.contains(t)) {
          all = false;
        }
      }
      return all;
    }

    List<String> missing() {
      return List.copyOf(missing);
    }

    String qualified(String table) {
      return w.qualified(table);
    }

    /** {@code sql/report/<name>.sql}, or an empty result when one of its tables is missing. */
    FigureData query(String name, String... tables) {
      String file = "sql/report/" + name + ".sql";
      String sql =
          SqlScript.withoutComments(
              SqlScript.substitute(SqlScript.resource(file), Map.of("db", w.database()), file));
      return timed(name, tables, sql);
    }

    FigureData table(String table, String sql) {
      return timed(table, new String[] {table}, sql);
    }

    private FigureData timed(String name, String[] tables, String sql) {
      if (!have(tables)) {
        return new FigureData(List.of(), List.of());
      }
      long start = System.nanoTime();
      FigureData d = FigureData.of(w.spark().sql(sql));
      LOG.info(
          "{}: {} rows in {} s",
          name,
          d.size(),
          String.format(java.util.Locale.ROOT, "%.1f", (System.nanoTime() - start) / 1e9));
      return d;
    }

    /**
     * Judges of the report's runs (from question_rates), each with its spec (one judgment's copy).
     */
    FigureData judges() {
      FigureData judges = judgeRows();
      if (judges.isEmpty() || !have(Tables.JUDGMENTS)) {
        return judges;
      }
      List<List<Object>> rows = new ArrayList<>();
      for (int i = 0; i < judges.size(); i++) {
        List<Row> spec =
            w.read(Tables.JUDGMENTS)
                .filter(functions.col("judge_id").equalTo(judges.str(i, "judge_id")))
                .select("judge_spec_json")
                .limit(1)
                .collectAsList();
        List<Object> row = new ArrayList<>(judges.rows().get(i));
        row.add(spec.isEmpty() ? null : spec.get(0).getString(0));
        rows.add(row);
      }
      List<String> columns = new ArrayList<>(judges.columns());
      columns.add("judge_spec_json");
      return new FigureData(columns, rows);
    }

    /** Judges with rates for the report's runs. */
    long judgeCount() {
      return judgeRows().size();
    }

    private FigureData judgeRows() {
      if (judgeRows == null) {
        judgeRows = query("judges", Tables.QUESTION_RATES, Tables.RUNS);
      }
      return judgeRows;
    }
  }
}
