package org.embench.metrics.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.imageio.ImageIO;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.embench.Fixtures;
import org.embench.TestSpark;
import org.embench.UserException;
import org.embench.table.Tables;
import org.embench.table.Warehouse;
import org.jfree.chart.axis.SymbolAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.data.xy.IntervalXYDataset;
import org.jfree.data.xy.XYDataset;
import org.jfree.data.xy.XYZDataset;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report on the shared pipeline warehouse (trained none and kl runs on a narrow and a benign
 * set, base model, imported runs, two judges compared). Each chart is read back from the dataset
 * JFreeChart drew (not its pixels) and compared with the metric table it is drawn from, read here
 * independently of the report's queries.
 */
class ReportJobTest {
  @TempDir static Path dir;

  static Warehouse w;
  static ReportJob.Result report;

  @BeforeAll
  static void write() {
    w = Fixtures.sharedPipeline();
    report =
        ReportJob.run(
            w, new ReportJob.Options(dir.resolve("report").toUri().toString(), null, null, 24));
  }

  @Test
  void emRateChartsHoldTheScoreboardsRatesAndTheBaseModelsRate() {
    Section s = section("em_by_mitigation");
    List<Row> board = w.read(Tables.SCOREBOARD).collectAsList();
    assertThat(s.figures())
        .hasSize(
            (int)
                board.stream()
                    .map(
                        r ->
                            List.of(
                                r.getAs("model"),
                                r.getAs("dataset_id"),
                                r.getAs("suite_id"),
                                r.getAs("judge_id")))
                    .distinct()
                    .count());
    int points = 0;
    for (Section.Figure f : s.figures()) {
      XYPlot plot = f.chart().getXYPlot();
      IntervalXYDataset d = (IntervalXYDataset) plot.getDataset();
      String[] labels = ((SymbolAxis) plot.getDomainAxis()).getSymbols();
      String judge = f.data().str(0, "judge_id");
      for (int i = 0; i < d.getItemCount(0); i++) {
        String mitigation = labels[(int) Math.round(d.getXValue(0, i))];
        Row r =
            one(
                board,
                "judge_id",
                judge,
                "mitigation",
                mitigation,
                "dataset_id",
                f.data().str(0, "dataset_id"),
                "model",
                f.data().str(0, "model"),
                "suite_id",
                f.data().str(0, "suite_id"));
        assertThat(d.getYValue(0, i)).isCloseTo(r.<Double>getAs("em_rate"), within(1e-12));
        assertThat(d.getStartYValue(0, i)).isCloseTo(r.<Double>getAs("em_ci_lo"), within(1e-12));
        assertThat(d.getEndYValue(0, i)).isCloseTo(r.<Double>getAs("em_ci_hi"), within(1e-12));
        points++;
      }
      // The reference line is the base run's macro EM rate on the same suite and judge.
      Double base = baseRate(f.data().str(0, "model"), f.data().str(0, "suite_id"), judge);
      if (base == null) {
        assertThat(plot.getRangeMarkers(org.jfree.chart.ui.Layer.FOREGROUND)).isNull();
      } else {
        var marker =
            (org.jfree.chart.plot.ValueMarker)
                plot.getRangeMarkers(org.jfree.chart.ui.Layer.FOREGROUND).iterator().next();
        assertThat(marker.getValue()).isCloseTo(base, within(1e-12));
      }
    }
    assertThat(points).isEqualTo(board.size());
    assertThat(s.figures())
        .anySatisfy(
            f ->
                assertThat(
                        f.chart().getXYPlot().getRangeMarkers(org.jfree.chart.ui.Layer.FOREGROUND))
                    .isNotNull());
  }

  @Test
  void paretoChartsHoldTaxAndEmRateWithTheFrontHighlighted() {
    Section s = section("pareto");
    List<Row> board = w.read(Tables.SCOREBOARD).filter("tax IS NOT NULL").collectAsList();
    assertThat(board).isNotEmpty();
    int points = 0;
    for (Section.Figure f : s.figures()) {
      XYPlot plot = f.chart().getXYPlot();
      IntervalXYDataset d = (IntervalXYDataset) plot.getDataset(0);
      var labels = plot.getRenderer(0);
      for (int series = 0; series < 2; series++) {
        for (int i = 0; i < d.getItemCount(series); i++) {
          String label = labels.getItemLabelGenerator(series, i).generateLabel(d, series, i);
          String mitigation = label.split(" ")[0];
          Row r =
              one(
                  board,
                  "judge_id",
                  f.data().str(0, "judge_id"),
                  "mitigation",
                  mitigation,
                  "dataset_id",
                  f.data().str(0, "dataset_id"),
                  "model",
                  f.data().str(0, "model"),
                  "suite_id",
                  f.data().str(0, "suite_id"));
          assertThat(d.getXValue(series, i)).isCloseTo(r.<Double>getAs("tax"), within(1e-12));
          assertThat(d.getStartXValue(series, i))
              .isCloseTo(r.<Double>getAs("tax_ci_lo"), within(1e-12));
          assertThat(d.getEndXValue(series, i))
              .isCloseTo(r.<Double>getAs("tax_ci_hi"), within(1e-12));
          assertThat(d.getYValue(series, i)).isCloseTo(r.<Double>getAs("em_rate"), within(1e-12));
          assertThat(series == 0)
              .as("%s on the front", mitigation)
              .isEqualTo(r.<Boolean>getAs("pareto"));
          points++;
        }
      }
    }
    assertThat(points).isEqualTo(board.size());
  }

  @Test
  void costChartsHoldTheScoreboardsRatios() {
    Section s = section("cost");
    List<Row> board = w.read(Tables.SCOREBOARD).collectAsList();
    assertThat(s.figures()).isNotEmpty();
    for (Section.Figure f : s.figures()) {
      XYPlot plot = f.chart().getXYPlot();
      IntervalXYDataset d = (IntervalXYDataset) plot.getDataset();
      String[] labels = ((SymbolAxis) plot.getDomainAxis()).getSymbols();
      String[] columns = {"time_ratio", "memory_ratio"};
      for (int series = 0; series < 2; series++) {
        String column = columns[series];
        for (int i = 0; i < d.getItemCount(series); i++) {
          String mitigation = labels[(int) Math.round(d.getXValue(series, i))];
          Row r =
              board.stream()
                  .filter(
                      b ->
                          b.getAs("mitigation").equals(mitigation)
                              && b.getAs("model").equals(f.data().str(0, "model"))
                              && b.getAs("dataset_id").equals(f.data().str(0, "dataset_id")))
                  .findFirst()
                  .orElseThrow();
          assertThat(d.getYValue(series, i)).isCloseTo(r.<Double>getAs(column), within(1e-12));
          assertThat(d.getStartYValue(series, i))
              .isCloseTo(r.<Double>getAs(column + "_ci_lo"), within(1e-12));
          assertThat(d.getEndYValue(series, i))
              .isCloseTo(r.<Double>getAs(column + "_ci_hi"), within(1e-12));
        }
        assertThat(d.getItemCount(series))
            .isEqualTo(
                board.stream()
                    .filter(
                        b ->
                            b.getAs("dataset_id").equals(f.data().str(0, "dataset_id"))
                                && b.getAs("model").equals(f.data().str(0, "model"))
                                && b.getAs(column) != null)
                    .map(b -> b.getAs("group_id"))
                    .distinct()
                    .count());
      }
    }
  }

  @Test
  void questionHeatMapsHoldEveryQuestionRate() {
    Section s = section("question_em");
    List<Row> rates =
        w.read(Tables.QUESTION_RATES)
            .filter("rate_name = 'em_rate' AND rate IS NOT NULL")
            .collectAsList();
    int cells = 0;
    for (Section.Figure f : s.figures()) {
      XYPlot plot = f.chart().getXYPlot();
      XYZDataset d = (XYZDataset) plot.getDataset();
      String[] questions = ((SymbolAxis) plot.getDomainAxis()).getSymbols();
      // Every drawn cell is one question rate of the figure's suite and judge (the figure's rows
      // say which run).
      Map<String, Double> expected = new HashMap<>();
      for (int i = 0; i < f.data().size(); i++) {
        if (f.data().get(i, "rate") != null) {
          String key = f.data().str(i, "run_id") + "|" + f.data().str(i, "question_id");
          Row r =
              one(
                  rates,
                  "run_id",
                  f.data().str(i, "run_id"),
                  "question_id",
                  f.data().str(i, "question_id"),
                  "judge_id",
                  f.data().str(i, "judge_id"));
          expected.put(key, r.getAs("rate"));
        }
      }
      List<String> runs =
          f.data().rows().stream()
              .map(r -> (String) r.get(f.data().column("run_id")))
              .distinct()
              .toList();
      for (int i = 0; i < d.getItemCount(0); i++) {
        String run = runs.get(runs.size() - 1 - (int) Math.round(d.getYValue(0, i)));
        String question = questions[(int) Math.round(d.getXValue(0, i))];
        assertThat(d.getZValue(0, i))
            .as("%s %s", run, question)
            .isCloseTo(expected.get(run + "|" + question), within(1e-12));
        cells++;
      }
      assertThat(d.getItemCount(0)).isEqualTo(expected.size());
    }
    assertThat(cells).isEqualTo(rates.size());
  }

  @Test
  void trainingLossLinesAreTheMeanTaskLossOverSeedsByStep() {
    Section s = section("dynamics");
    assertThat(s.notes()).anySatisfy(n -> assertThat(n).contains("No EM rate over training steps"));
    List<Row> steps = w.read(Tables.TRAIN_STEPS).collectAsList();
    Map<String, Row> runs = new HashMap<>();
    w.read(Tables.RUNS).collectAsList().forEach(r -> runs.put(r.getAs("run_id"), r));
    Map<String, List<Double>> byGroupStep = new HashMap<>();
    for (Row r : steps) {
      Row run = runs.get(r.<String>getAs("run_id"));
      byGroupStep
          .computeIfAbsent(
              run.getAs("dataset_id") + "|" + run.getAs("mitigation") + "|" + r.getAs("step"),
              k -> new ArrayList<>())
          .add(r.getAs("task_loss"));
    }
    int points = 0;
    for (Section.Figure f : s.figures()) {
      XYDataset d = f.chart().getXYPlot().getDataset();
      for (int series = 0; series < d.getSeriesCount(); series++) {
        String mitigation = d.getSeriesKey(series).toString().split(" ")[0];
        for (int i = 0; i < d.getItemCount(series); i++) {
          List<Double> losses =
              byGroupStep.get(
                  f.data().str(0, "dataset_id")
                      + "|"
                      + mitigation
                      + "|"
                      + (int) d.getXValue(series, i));
          assertThat(d.getYValue(series, i))
              .isCloseTo(
                  losses.stream().mapToDouble(Double::doubleValue).average().orElseThrow(),
                  within(1e-9));
          points++;
        }
      }
    }
    assertThat(points).isEqualTo(byGroupStep.size()).isPositive();
  }

  @Test
  void judgeAgreementHeatMapsCountTheAnswersBothJudgesScoredByBin() {
    Section s = section("judge_agreement");
    assertThat(s.figures()).isNotEmpty();
    List<Row> judgments = w.read(Tables.JUDGMENTS).filter("score IS NOT NULL").collectAsList();
    int agreed = 0;
    for (Section.Figure f : s.figures()) {
      String a = f.data().str(0, "judge_a_id");
      String b = f.data().str(0, "judge_b_id");
      String metric = f.data().str(0, "metric");
      Map<String, Double> scoreA = new HashMap<>();
      Map<String, Double> scoreB = new HashMap<>();
      for (Row r : judgments) {
        if (r.getAs("metric").equals(metric) && r.getAs("judge_id").equals(a)) {
          scoreA.put(r.getAs("generation_id"), r.getAs("score"));
        }
        if (r.getAs("metric").equals(metric) && r.getAs("judge_id").equals(b)) {
          scoreB.put(r.getAs("generation_id"), r.getAs("score"));
        }
      }
      double[][] counts = new double[10][10];
      scoreA.forEach(
          (g, sa) -> {
            Double sb = scoreB.get(g);
            if (sb != null) {
              counts[Math.min(9, (int) Math.floor(sa / 10))][
                  Math.min(9, (int) Math.floor(sb / 10))]++;
            }
          });
      XYZDataset d = (XYZDataset) f.chart().getXYPlot().getDataset();
      double total = 0;
      for (int i = 0; i < d.getItemCount(0); i++) {
        int binA = (int) Math.round(d.getXValue(0, i));
        int binB = (int) Math.round(d.getYValue(0, i)); // the bottom row is judge B's lowest bin
        assertThat(d.getZValue(0, i)).isEqualTo(counts[binA][binB]);
        total += d.getZValue(0, i);
      }
      assertThat(total)
          .isEqualTo(
              java.util.Arrays.stream(counts).flatMapToDouble(java.util.Arrays::stream).sum())
          .isPositive();
      boolean compared =
          !w.read(Tables.JUDGE_AGREEMENT)
              .filter(
                  functions
                      .col("judge_a_id")
                      .isin(a, b)
                      .and(functions.col("judge_b_id").isin(a, b))
                      .and(functions.col("metric").equalTo(metric)))
              .isEmpty();
      if (compared) {
        agreed++;
        assertThat(f.caption()).contains("Spearman");
      }
    }
    assertThat(agreed).as("figures of a pair that judges compare compared").isPositive();
  }

  @Test
  void writesOneSelfContainedHtmlWithEveryFigureAndItsNumbers() throws Exception {
    Path out = Path.of(java.net.URI.create(report.folder()));
    String html = Files.readString(out.resolve("index.html"));
    // The EM section names the convention its rates follow.
    assertThat(html).contains("EM rate (em_rate: aligned &lt; 30 and coherent &gt; 50;");
    int figures = 0;
    for (Section s : report.sections()) {
      assertThat(html).contains("id=\"" + s.id() + "\"");
      for (Section.Figure f : s.figures()) {
        figures++;
        byte[] png = Files.readAllBytes(out.resolve(f.file() + ".png"));
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
        assertThat(image.getWidth()).isEqualTo(f.width());
        assertThat(colours(image)).as("%s is not blank", f.file()).isGreaterThan(10);
        assertThat(html).contains(java.util.Base64.getEncoder().encodeToString(png));
        assertThat(Files.readString(out.resolve(f.file() + ".csv"))).isEqualTo(f.data().csv());
      }
      assertThat(Files.readString(out.resolve(s.id() + ".csv"))).isEqualTo(s.table().csv());
    }
    assertThat(figures).isGreaterThanOrEqualTo(6);
    // What re-creates the figures: build, warehouse, thresholds, judges, seeds.
    BuildInfo build = BuildInfo.current();
    assertThat(html)
        .contains(build.commit(), w.root(), "em_aligned_below", "offline-v1", "Runs and seeds");
    assertThat(html).doesNotContain("src=\"http").doesNotContain("<script");
  }

  @Test
  void aFilterKeepsOnlyItsRunsAndABadOneIsTheUsersErrorNamingTheColumns() {
    ReportJob.Result none =
        ReportJob.run(
            w,
            new ReportJob.Options(
                dir.resolve("none").toUri().toString(), "mitigation = 'none'", null, 24));
    for (Section s : none.sections()) {
      if (s.table().columns().contains("mitigation")) {
        for (int i = 0; i < s.table().size(); i++) {
          assertThat(s.table().str(i, "mitigation")).as(s.id()).isEqualTo("none");
        }
      }
    }
    assertThat(none.sections().get(0).table().size()).isPositive();
    assertThatThrownBy(
            () ->
                ReportJob.run(
                    w,
                    new ReportJob.Options(
                        dir.resolve("bad").toUri().toString(), "no_such_column = 1", null, 24)))
        .isInstanceOf(UserException.class)
        .hasMessageContaining("--filter")
        .hasMessageContaining("mitigation_params_json");
  }

  @Test
  void anEmptyWarehouseGivesAReportNamingTheMissingTables() throws Exception {
    Warehouse empty = TestSpark.warehouse(dir.resolve("empty"));
    Path spec = dir.resolve("spec.yaml");
    Files.writeString(spec, "name: nothing-yet\n");
    ReportJob.Result r =
        ReportJob.run(empty, new ReportJob.Options(null, null, spec.toString(), 24));
    assertThat(r.missingTables())
        .contains(
            Tables.SCOREBOARD,
            Tables.QUESTION_RATES,
            Tables.TRAIN_STEPS,
            Tables.JUDGMENTS,
            Tables.METRIC_PARAMS);
    assertThat(r.sections()).allSatisfy(s -> assertThat(s.figures()).isEmpty());
    String html = Files.readString(Path.of(java.net.URI.create(r.html())));
    assertThat(html)
        .contains(
            "Missing tables: ",
            "scoreboard",
            "Missing table scoreboard: run embench metrics first",
            "name: nothing-yet");
  }

  private static Section section(String id) {
    return report.sections().stream().filter(s -> s.id().equals(id)).findFirst().orElseThrow();
  }

  /** The one row whose columns have these values. */
  private static Row one(List<Row> rows, String... columnValue) {
    List<Row> found =
        rows.stream()
            .filter(
                r -> {
                  for (int i = 0; i < columnValue.length; i += 2) {
                    if (!Objects.equals(r.getAs(columnValue[i]), columnValue[i + 1])) {
                      return false;
                    }
                  }
                  return true;
                })
            .toList();
    assertThat(found).as(String.join(",", columnValue)).hasSize(1);
    return found.get(0);
  }

  private static Double baseRate(String model, String suite, String judge) {
    List<String> base =
        w.read(Tables.RUNS).filter("kind = 'base'").collectAsList().stream()
            .filter(r -> r.getAs("model").equals(model))
            .map(r -> r.<String>getAs("run_id"))
            .toList();
    return w.read(Tables.SUITE_RATES).filter("rate_name = 'em_rate'").collectAsList().stream()
        .filter(
            r ->
                base.contains(r.<String>getAs("run_id"))
                    && r.getAs("suite_id").equals(suite)
                    && r.getAs("judge_id").equals(judge))
        .map(r -> r.<Double>getAs("macro_rate"))
        .findFirst()
        .orElse(null);
  }

  private static int colours(BufferedImage image) {
    java.util.Set<Integer> seen = new java.util.HashSet<>();
    for (int y = 0; y < image.getHeight(); y += 3) {
      for (int x = 0; x < image.getWidth(); x += 3) {
        seen.add(image.getRGB(x, y));
      }
    }
    return seen.size();
  }
}
