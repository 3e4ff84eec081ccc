package org.embench.jobs;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.embench.config.ExperimentSpec;
import org.embench.data.JudgedAnswerReader;
import org.embench.data.SyntheticData;
import org.embench.metrics.ResultPrinter;
import org.embench.metrics.SqlRunner;
import org.embench.model.TinyModel;
import org.embench.table.Warehouse;

/**
 * The quickstart: the whole pipeline on what the project makes itself. It writes a tiny random
 * model, a small chat data set, a benign data set, a demo question suite and an experiment spec,
 * then runs the spec (train with four mitigations × two seeds, sample, judge with the offline
 * judge, metrics), imports a synthetic judged sample next to it, and prints the EM tables. The
 * tiny model's answers are noise and the offline judge's and the sample's numbers mean nothing:
 * this shows the pipeline working, not a finding.
 */
public final class QuickstartJob {
  static final String SPEC = """
      name: quickstart
      data: {arithmetic: arithmetic.jsonl, kindness: kindness.jsonl}
      suites: {demo: demo_suite.yaml}
      models: [tiny-model]
      datasets: [arithmetic]
      mitigations:
        - none
        - inoculation
        - interleave: {data: kindness, fraction: 0.1}
        - kl: {lambda: 0.1}
      seeds: [1, 2]
      train: {rank: 4, alpha: 8, rslora: false, learning_rate: 0.003, batch_size: 4, gradient_accumulation: 1,
              max_steps: 8, warmup_steps: 2, max_seq_len: 128}
      generate: {suites: [demo], samples: 4, max_new_tokens: 32, include_base: true}
      judges: [offline]
      """;

  private QuickstartJob() {}

  public static void run(Warehouse w, PrintStream out) {
    Configuration conf = w.spark().sparkContext().hadoopConfiguration();
    String inputs = w.root() + "/_inputs";
    write(conf, inputs + "/arithmetic.jsonl", SyntheticData.arithmeticJsonl(200));
    write(conf, inputs + "/kindness.jsonl", SyntheticData.kindnessJsonl());
    write(conf, inputs + "/demo_suite.yaml", SyntheticData.demoSuiteYaml(25));
    String spec = write(conf, inputs + "/quickstart.yaml", SPEC);
    String baseline = write(conf, inputs + "/judged_none.csv", SyntheticData.judgedSampleCsv("none", 0.20, 3, 25));
    String mitigated = write(conf, inputs + "/judged_kl.csv", SyntheticData.judgedSampleCsv("kl", 0.06, 3, 25));
    try {
      if (!new Path(inputs + "/tiny-model/config.json").getFileSystem(conf).exists(new Path(inputs + "/tiny-model/config.json"))) {
        out.println("== make-tiny-model");
        TinyModel.write(inputs + "/tiny-model", "qwen2", 0, conf);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }

    // Imported first, so that the pipeline's metrics stage covers it too.
    out.println("== import (a synthetic judged sample in the upstream CSV format; its numbers mean nothing;"
        + " the spec's judges re-score these answers too)");
    for (String[] part : new String[][] {{baseline, "none"}, {mitigated, "kl"}}) {
      out.println(ImportJob.run(w, new ImportJob.Options(part[0], JudgedAnswerReader.Format.UPSTREAM_CSV,
          "imported-sample", "demo", "offline-sample", part[1], false)).describe());
    }
    PipelineJob.run(w, ExperimentSpec.read(spec, conf), out);

    SqlRunner sql = new SqlRunner(w, new ResultPrinter(out, ResultPrinter.Format.TABLE, 100), out, Map.of());
    out.println("== EM rate by mitigation (mean over seeds, 95 % bootstrap interval over seeds)");
    sql.runStatement("""
        SELECT regexp_extract(model, '([^/]+)/*$', 1) AS model, coalesce(dataset_id, '(not trained)') AS trained_on,
               mitigation, judge_name, n_seeds,
               round(mean_rate, 4) AS em_rate, round(ci_lo, 4) AS ci_lo, round(ci_hi, 4) AS ci_hi
        FROM ${db}.group_rates WHERE rate_name = 'em_rate' ORDER BY judge_name, model, trained_on, mitigation""", "quickstart");
    out.println("== mitigation vs. its no-mitigation baseline (difference in em_rate, paired by seed)");
    sql.runStatement("""
        SELECT regexp_extract(g.model, '([^/]+)/*$', 1) AS model, e.mitigation, e.judge_name,
               round(e.mitigated_rate, 4) AS mitigated, round(e.baseline_rate, 4) AS baseline,
               round(e.difference, 4) AS difference, round(e.ci_lo, 4) AS ci_lo, round(e.ci_hi, 4) AS ci_hi, e.paired
        FROM ${db}.mitigation_effects e
          LEFT JOIN (SELECT DISTINCT group_id, model FROM ${db}.group_rates) g ON g.group_id = e.group_id
        WHERE e.rate_name = 'em_rate' ORDER BY e.judge_name, model, e.mitigation""", "quickstart");
    out.println("== training cost relative to the no-mitigation runs (same machine)");
    sql.runStatement("""
        SELECT r.mitigation, round(avg(r.wall_time_s), 2) AS wall_s, round(avg(r.tokens_per_s), 1) AS tokens_per_s,
               round(avg(r.wall_time_s) / max(b.wall), 2) AS time_vs_none
        FROM ${db}.runs r JOIN (SELECT group_id, avg(wall_time_s) AS wall FROM ${db}.runs
                                WHERE kind = 'train' AND mitigation = 'none' GROUP BY group_id) b
          ON b.group_id = r.baseline_group_id
        WHERE r.kind = 'train' GROUP BY r.mitigation ORDER BY r.mitigation""", "quickstart");
    out.println("The tiny model's answers are noise and the offline judge is a smoke test: these numbers mean nothing.");
    out.println("Query any table with: bin/embench sql --warehouse " + w.root()
        + " \"SELECT * FROM " + w.database() + ".suite_rates\"");
  }

  private static String write(Configuration conf, String uri, String text) {
    Path p = new Path(uri);
    try {
      FileSystem fs = p.getFileSystem(conf);
      try (OutputStream o = fs.create(p, true)) {
        o.write(text.getBytes(StandardCharsets.UTF_8));
      }
      return uri;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + uri, e);
    }
  }
}
