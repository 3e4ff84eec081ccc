package org.embench.jobs;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.embench.data.JudgedAnswerReader;
import org.embench.data.SyntheticData;
import org.embench.metrics.MetricParams;
import org.embench.metrics.ResultPrinter;
import org.embench.metrics.SqlRunner;
import org.embench.table.Warehouse;

/**
 * The quickstart: the whole pipeline on data the project makes itself. It writes a small chat data
 * set, a demo question suite and a synthetic judged sample (a baseline and a mitigated group, three
 * seeds each), prepares and imports them, computes the metrics and prints the EM table.
 */
public final class QuickstartJob {
  private QuickstartJob() {}

  public static void run(Warehouse w, PrintStream out) {
    String inputs = w.root() + "/_inputs";
    String data = write(w, inputs + "/arithmetic.jsonl", SyntheticData.arithmeticJsonl(200));
    String suite = write(w, inputs + "/demo_suite.yaml", SyntheticData.demoSuiteYaml(25));
    String baseline = write(w, inputs + "/judged_none.csv", SyntheticData.judgedSampleCsv("none", 0.20, 3, 25));
    String mitigated = write(w, inputs + "/judged_kl.csv", SyntheticData.judgedSampleCsv("kl", 0.06, 3, 25));

    out.println("== prepare");
    PrepareJob.Report prepared = PrepareJob.run(w, new PrepareJob.Options(
        Map.of("arithmetic", data), Map.of("demo", suite), PrepareJob.DEFAULT_EVAL_FRACTION, false));
    prepared.datasets().forEach(r -> out.println(r.describe()));
    prepared.suites().forEach(r -> out.println(r.describe()));

    out.println("== import (synthetic judged sample; its numbers mean nothing)");
    for (String[] part : new String[][] {{baseline, "none"}, {mitigated, "kl"}}) {
      out.println(ImportJob.run(w, new ImportJob.Options(part[0], JudgedAnswerReader.Format.UPSTREAM_CSV,
          "quickstart", "demo", "offline-sample", part[1], false)).describe());
    }

    out.println("== metrics");
    MetricsJob.run(w, MetricParams.defaults()).forEach((t, n) -> out.println(t + ": " + n + " rows"));

    out.println("== EM rate by mitigation (mean over seeds, 95 % bootstrap interval over seeds)");
    SqlRunner sql = new SqlRunner(w, new ResultPrinter(out, ResultPrinter.Format.TABLE, 100), out, Map.of());
    sql.runStatement("""
        SELECT mitigation, suite_id, judge_name, n_seeds,
               round(mean_rate, 4) AS em_rate, round(ci_lo, 4) AS ci_lo, round(ci_hi, 4) AS ci_hi
        FROM ${db}.group_rates WHERE rate_name = 'em_rate' ORDER BY mitigation""", "quickstart");
    out.println("== mitigation vs. baseline (difference in em_rate, paired by seed)");
    sql.runStatement("""
        SELECT mitigation, round(mitigated_rate, 4) AS mitigated, round(baseline_rate, 4) AS baseline,
               round(difference, 4) AS difference, round(ci_lo, 4) AS ci_lo, round(ci_hi, 4) AS ci_hi, paired
        FROM ${db}.mitigation_effects WHERE rate_name = 'em_rate'""", "quickstart");
    out.println("Query any table with: bin/embench sql --warehouse " + w.root()
        + " \"SELECT * FROM " + w.database() + ".suite_rates\"");
  }

  private static String write(Warehouse w, String uri, String text) {
    Path p = new Path(uri);
    try {
      FileSystem fs = p.getFileSystem(w.spark().sparkContext().hadoopConfiguration());
      try (OutputStream o = fs.create(p, true)) {
        o.write(text.getBytes(StandardCharsets.UTF_8));
      }
      return uri;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + uri, e);
    }
  }
}
