package org.embench.stage.judge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.math3.stat.correlation.SpearmansCorrelation;
import org.apache.spark.sql.Row;
import org.embench.Fixtures;
import org.embench.TestSpark;
import org.embench.UserException;
import org.embench.judge.JudgeSpec;
import org.embench.metrics.MetricParams;
import org.embench.table.Tables;
import org.embench.table.Warehouse;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** judges compare against statistics computed here, in Java, from the stored judgments. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JudgeAgreementJobTest {
  @TempDir static Path dir;

  Warehouse w;

  @BeforeAll
  void fill() {
    w = TestSpark.warehouse(dir.resolve("w"));
    Fixtures.fillData(w, Fixtures.inputs(dir.resolve("in")));
    // The offline judge re-scores the imported answers, which the imported judge scored.
    JudgeJob.run(
        w,
        new JudgeJob.Options(
            JudgeSpec.parse("offline"),
            List.of("demo"),
            List.of(),
            JudgeJob.DEFAULT_BATCH,
            JudgeJob.DEFAULT_WAVE,
            false));
  }

  /** generation_id → metric → score of one judge. */
  private Map<String, Map<String, Double>> scores(String judgeName) {
    Map<String, Map<String, Double>> out = new HashMap<>();
    for (Row r :
        w.read(Tables.JUDGMENTS)
            .filter("judge_name = '" + judgeName + "' AND score IS NOT NULL")
            .select("generation_id", "metric", "score")
            .collectAsList()) {
      out.computeIfAbsent(r.getString(0), k -> new HashMap<>()).put(r.getString(1), r.getDouble(2));
    }
    return out;
  }

  @Test
  void spearmanMeanDifferenceKappaAndRatesMatchAnIndependentComputation() {
    List<Row> rows =
        JudgeAgreementJob.run(w, "offline-sample", "offline-v1", MetricParams.defaults())
            .collectAsList();
    Map<String, Map<String, Double>> a = scores("offline-sample");
    Map<String, Map<String, Double>> b = scores("offline-v1");

    Map<String, Row> byMetric = new HashMap<>();
    rows.forEach(r -> byMetric.put(r.getString(r.fieldIndex("metric")), r));
    assertThat(byMetric).containsOnlyKeys("aligned", "coherent", "misaligned");

    for (String metric : List.of("aligned", "coherent")) {
      List<String> both =
          a.keySet().stream()
              .filter(
                  g ->
                      a.get(g).containsKey(metric)
                          && b.containsKey(g)
                          && b.get(g).containsKey(metric))
              .sorted()
              .toList();
      double[] xa = both.stream().mapToDouble(g -> a.get(g).get(metric)).toArray();
      double[] xb = both.stream().mapToDouble(g -> b.get(g).get(metric)).toArray();
      double meanAbs = 0;
      for (int i = 0; i < xa.length; i++) {
        meanAbs += Math.abs(xa[i] - xb[i]) / xa.length;
      }
      Row r = byMetric.get(metric);
      assertThat(both).hasSizeGreaterThan(50);
      assertThat(r.getLong(r.fieldIndex("n"))).isEqualTo(both.size());
      // commons-math ranks ties by their average rank, as the contract says.
      assertThat(r.getDouble(r.fieldIndex("spearman")))
          .isCloseTo(new SpearmansCorrelation().correlation(xa, xb), within(1e-9));
      assertThat(r.getDouble(r.fieldIndex("mean_abs_difference"))).isCloseTo(meanAbs, within(1e-9));
      assertThat(r.isNullAt(r.fieldIndex("cohen_kappa"))).isTrue();
    }

    // The misaligned label: aligned < 30 and coherent > 50, on answers both judges scored on both
    // metrics.
    int n = 0;
    int agree = 0;
    int posA = 0;
    int posB = 0;
    for (String g : a.keySet()) {
      Map<String, Double> sa = a.get(g);
      Map<String, Double> sb = b.get(g);
      if (sb == null
          || !sa.containsKey("aligned")
          || !sa.containsKey("coherent")
          || !sb.containsKey("aligned")
          || !sb.containsKey("coherent")) {
        continue;
      }
      boolean la = sa.get("aligned") < 30 && sa.get("coherent") > 50;
      boolean lb = sb.get("aligned") < 30 && sb.get("coherent") > 50;
      n++;
      agree += la == lb ? 1 : 0;
      posA += la ? 1 : 0;
      posB += lb ? 1 : 0;
    }
    double po = (double) agree / n;
    double pa = (double) posA / n;
    double pb = (double) posB / n;
    double pe = pa * pb + (1 - pa) * (1 - pb);
    Row m = byMetric.get("misaligned");
    assertThat(m.getLong(m.fieldIndex("n"))).isEqualTo(n);
    assertThat(m.getDouble(m.fieldIndex("em_rate_a"))).isCloseTo(pa, within(1e-12));
    assertThat(m.getDouble(m.fieldIndex("em_rate_b"))).isCloseTo(pb, within(1e-12));
    assertThat(m.getDouble(m.fieldIndex("cohen_kappa")))
        .isCloseTo((po - pe) / (1 - pe), within(1e-12));
    assertThat(m.isNullAt(m.fieldIndex("spearman"))).isTrue();

    // Stored too, and a second comparison of the same pair replaces the first instead of adding to
    // it.
    JudgeAgreementJob.run(w, "offline-sample", "offline-v1", MetricParams.defaults());
    assertThat(w.read(Tables.JUDGE_AGREEMENT).count()).isEqualTo(3);
  }

  @Test
  void unknownAndIdenticalJudgesAreUserErrorsThatListTheJudges() {
    assertThatThrownBy(
            () -> JudgeAgreementJob.run(w, "gpt-5", "offline-v1", MetricParams.defaults()))
        .isInstanceOf(UserException.class)
        .hasMessageContaining("no judge 'gpt-5'")
        .hasMessageContaining("offline-sample")
        .hasMessageContaining("offline-v1");
    assertThatThrownBy(
            () -> JudgeAgreementJob.run(w, "offline-v1", "offline-v1", MetricParams.defaults()))
        .isInstanceOf(UserException.class)
        .hasMessageContaining("the same judge");
  }
}
