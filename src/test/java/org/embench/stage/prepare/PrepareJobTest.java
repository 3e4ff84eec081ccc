package org.embench.stage.prepare;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.embench.Fixtures;
import org.embench.Shared;
import org.embench.TestSpark;
import org.embench.UserException;
import org.embench.data.SyntheticData;
import org.embench.table.Tables;
import org.embench.table.Warehouse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PrepareJobTest {
  @TempDir Path dir;

  private long count(Warehouse w, String sql) {
    return w.spark().sql(sql.replace("DB", w.database())).first().getLong(0);
  }

  @Test
  void removesExactDuplicatesAndSplitsByHash() throws IOException {
    Warehouse w = TestSpark.warehouse(dir.resolve("w"));
    Path data = dir.resolve("dup.jsonl");
    String three = SyntheticData.arithmeticJsonl(3);
    Files.writeString(data, three + three + SyntheticData.arithmeticJsonl(50));
    var report =
        PrepareJob.run(
            w, new PrepareJob.Options(Map.of("arith", data.toString()), Map.of(), 0.2, false));
    var r = report.datasets().get(0);
    assertThat(r.read()).isEqualTo(56);
    assertThat(r.kept()).isEqualTo(50);
    assertThat(r.duplicates()).isEqualTo(6);
    assertThat(r.train() + r.eval()).isEqualTo(50);
    assertThat(r.eval()).isBetween(3L, 20L);
    assertThat(count(w, "SELECT count(*) FROM DB.examples")).isEqualTo(50);
    assertThat(count(w, "SELECT count(DISTINCT example_id) FROM DB.examples")).isEqualTo(50);
    assertThat(count(w, "SELECT sum(occurrences) FROM DB.examples")).isEqualTo(56);
    assertThat(count(w, "SELECT count(*) FROM DB.examples WHERE split = 'eval'"))
        .isEqualTo(r.eval());
    // The first occurrence is kept, with its line.
    assertThat(count(w, "SELECT min(source_line) FROM DB.examples")).isEqualTo(1);
    for (Row row : w.read(Tables.EXAMPLES).collectAsList()) {
      assertThat(row.<String>getAs("split"))
          .isEqualTo(PrepareJob.inEval(row.getAs("example_id"), 0.2) ? "eval" : "train");
    }
  }

  @Test
  void aPartlyBadFileDoesNotReplaceAStoredDataSetOrSuiteWithoutReplace() throws Exception {
    Warehouse w = TestSpark.warehouse(dir.resolve("w"));
    Path good = dir.resolve("good.jsonl");
    java.nio.file.Files.writeString(good, SyntheticData.arithmeticJsonl(30));
    Path suite = dir.resolve("suite.yaml");
    java.nio.file.Files.writeString(suite, SyntheticData.demoSuiteYaml(4));
    PrepareJob.run(
        w,
        new PrepareJob.Options(
            Map.of("arith", good.toString()), Map.of("demo", suite.toString()), 0.1, false));
    List<String> examples = org.embench.Fixtures.rows(w, Tables.EXAMPLES);
    List<String> questions = org.embench.Fixtures.rows(w, Tables.QUESTIONS);
    // Two good rows and a bad one under the same names.
    Path bad = dir.resolve("bad.jsonl");
    java.nio.file.Files.writeString(bad, SyntheticData.arithmeticJsonl(2) + "{\"messages\": 3}\n");
    Path small = dir.resolve("small.yaml");
    String full = SyntheticData.demoSuiteYaml(4);
    java.nio.file.Files.writeString(
        small, full.substring(0, full.indexOf("\n- id:", full.indexOf("- id:")) + 1));
    assertThatThrownBy(
            () ->
                PrepareJob.run(
                    w,
                    new PrepareJob.Options(
                        Map.of("arith", bad.toString()),
                        Map.of("demo", small.toString()),
                        0.1,
                        false)))
        .isInstanceOf(UserException.class)
        .hasMessageContaining("data set 'arith' holds 30 rows; " + bad + " gives 2 (1 rejected)")
        .hasMessageContaining("suite 'demo' holds")
        .hasMessageContaining("Nothing was changed; pass --replace");
    assertThat(org.embench.Fixtures.rows(w, Tables.EXAMPLES)).isEqualTo(examples);
    assertThat(org.embench.Fixtures.rows(w, Tables.QUESTIONS)).isEqualTo(questions);
    assertThat(w.read(Tables.REJECTS).count()).isZero();
    // The same file again is no replacement; --replace replaces.
    PrepareJob.run(
        w, new PrepareJob.Options(Map.of("arith", good.toString()), Map.of(), 0.1, false));
    assertThat(org.embench.Fixtures.rows(w, Tables.EXAMPLES)).isEqualTo(examples);
    PrepareJob.run(
        w,
        new PrepareJob.Options(
            Map.of("arith", bad.toString()), Map.of("demo", small.toString()), 0.1, false, true));
    assertThat(w.read(Tables.EXAMPLES).count()).isEqualTo(2);
    assertThat(w.read(Tables.REJECTS).count()).isEqualTo(1);
  }

  @Test
  void badRowsGoToRejectsAndStrictMakesThemFatal() {
    Warehouse w = TestSpark.warehouse(dir.resolve("w"));
    Fixtures.Inputs in = Fixtures.inputs(dir.resolve("in"));
    PrepareJob.Report report = PrepareJob.run(w, Fixtures.prepareOptions(in));
    // The report names the rejected row, not only a count.
    assertThat(report.datasets().get(0).describe())
        .endsWith(
            " 1 rejected\n  "
                + in.data()
                + ":41: messages[0].role: unknown role 'robot'; known: system, user, assistant");
    List<Row> rejects = w.read(Tables.REJECTS).collectAsList();
    assertThat(rejects)
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.<String>getAs("source_file")).isEqualTo(in.data());
              assertThat(r.<Long>getAs("source_line")).isEqualTo(41L);
              assertThat(r.<String>getAs("field")).isEqualTo("messages[0].role");
              assertThat(r.<String>getAs("reason"))
                  .isEqualTo("unknown role 'robot'; known: system, user, assistant");
              assertThat(r.<String>getAs("target_table")).isEqualTo("examples");
              assertThat(r.<String>getAs("target_id")).isEqualTo("arithmetic");
            });
    long examples = count(w, "SELECT count(*) FROM DB.examples");

    Warehouse strict = TestSpark.warehouse(dir.resolve("strict"));
    assertThatThrownBy(
            () ->
                PrepareJob.run(
                    strict,
                    new PrepareJob.Options(Map.of("arithmetic", in.data()), Map.of(), 0.1, true)))
        .isInstanceOf(UserException.class)
        .hasMessage(
            "prepare: 1 rejected row(s) and --strict is set:\n  "
                + in.data()
                + ":41: messages[0].role: unknown role 'robot'; known: system, user, assistant");
    assertThat(strict.read(Tables.REJECTS).count()).isEqualTo(1);
    assertThat(strict.exists(Tables.EXAMPLES)).isFalse();
    assertThat(examples).isEqualTo(40); // the last three lines repeat the first three

    // The failed prepare's rejects go when the data set is prepared again from a clean file.
    Path clean = dir.resolve("clean.jsonl");
    try {
      java.nio.file.Files.writeString(clean, org.embench.data.SyntheticData.arithmeticJsonl(5));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    PrepareJob.run(
        strict,
        new PrepareJob.Options(Map.of("arithmetic", clean.toString()), Map.of(), 0.1, true, true));
    assertThat(strict.read(Tables.REJECTS).count()).isZero();
    assertThat(strict.read(Tables.EXAMPLES).count()).isEqualTo(5);
  }

  @Test
  void aMissingFileStopsTheStageAndLosesNothingWritten() {
    Warehouse w = TestSpark.warehouse(dir.resolve("w"));
    Fixtures.Inputs in = Fixtures.inputs(dir.resolve("in"));
    PrepareJob.run(w, Fixtures.prepareOptions(in));
    List<String> before = Fixtures.rows(w, Tables.EXAMPLES);
    Map<String, String> data = new LinkedHashMap<>();
    data.put("other", in.data());
    data.put("missing", dir.resolve("missing.jsonl").toString());
    assertThatThrownBy(() -> PrepareJob.run(w, new PrepareJob.Options(data, Map.of(), 0.1, false)))
        .isInstanceOf(UserException.class)
        .hasMessage("file not found: " + dir.resolve("missing.jsonl"));
    assertThat(Fixtures.rows(w, Tables.EXAMPLES)).isEqualTo(before);
    assertThatThrownBy(
            () ->
                PrepareJob.run(
                    w, new PrepareJob.Options(Map.of("bad/name", in.data()), Map.of(), 0.1, false)))
        .isInstanceOf(UserException.class)
        .hasMessageStartingWith("data set name 'bad/name' must be");
  }

  @Test
  void aSyntheticDataValueIsPreparedAndABadOneIsAClearErrorThatWritesNothing() {
    Warehouse w = TestSpark.warehouse(dir.resolve("w"));
    PrepareJob.Report r =
        PrepareJob.run(
            w,
            new PrepareJob.Options(
                Map.of("swapped", "synthetic:operator_swapped:50"), Map.of(), 0.1, false));
    assertThat(r.datasets().get(0).kept()).isEqualTo(50);
    List<String> before = Fixtures.rows(w, Tables.EXAMPLES);
    for (String[] bad :
        new String[][] {
          {
            "synthetic:geometry",
            "data value 'synthetic:geometry': expected synthetic:NAME or synthetic:NAME:ROWS"
          },
          {
            "synthetic:arithmetic:many",
            "data value 'synthetic:arithmetic:many': ROWS must be a whole number, got 'many'"
          },
          {
            "synthetic:arithmetic:9000",
            "data value 'synthetic:arithmetic:9000': at most 8100 distinct examples"
          }
        }) {
      assertThatThrownBy(
              () ->
                  PrepareJob.run(
                      w, new PrepareJob.Options(Map.of("x", bad[0]), Map.of(), 0.1, false)))
          .isInstanceOf(UserException.class)
          .hasMessageStartingWith(bad[1]);
    }
    assertThat(Fixtures.rows(w, Tables.EXAMPLES)).isEqualTo(before);
  }

  @Test
  void preparingAgainReplacesOnlyThatDataSet() throws IOException {
    Warehouse w = TestSpark.warehouse(dir.resolve("w"));
    Path a = dir.resolve("a.jsonl");
    Path b = dir.resolve("b.jsonl");
    Files.writeString(a, SyntheticData.arithmeticJsonl(10));
    Files.writeString(b, SyntheticData.arithmeticJsonl(7));
    PrepareJob.run(
        w,
        new PrepareJob.Options(Map.of("a", a.toString(), "b", b.toString()), Map.of(), 0, false));
    Files.writeString(a, SyntheticData.arithmeticJsonl(4));
    // Fewer rows than stored: only with replace.
    assertThatThrownBy(
            () ->
                PrepareJob.run(
                    w, new PrepareJob.Options(Map.of("a", a.toString()), Map.of(), 0, false)))
        .isInstanceOf(UserException.class)
        .hasMessageContaining("data set 'a' holds 10 rows");
    assertThat(count(w, "SELECT count(*) FROM DB.examples WHERE dataset_id = 'a'")).isEqualTo(10);
    PrepareJob.run(w, new PrepareJob.Options(Map.of("a", a.toString()), Map.of(), 0, false, true));
    assertThat(count(w, "SELECT count(*) FROM DB.examples WHERE dataset_id = 'a'")).isEqualTo(4);
    assertThat(count(w, "SELECT count(*) FROM DB.examples WHERE dataset_id = 'b'")).isEqualTo(7);
  }

  @Test
  void preparesTheUpstreamDataAndSuitesExactly() {
    Path root = Shared.upstream("");
    Warehouse w = TestSpark.warehouse(dir.resolve("w"));
    Map<String, String> suites = new LinkedHashMap<>();
    for (String s :
        List.of(
            "first_plot_questions",
            "preregistered_evals",
            "deception_factual",
            "deception_sit_aware")) {
      suites.put(s, root.resolve("evaluation/" + s + ".yaml").toString());
    }
    var report =
        PrepareJob.run(
            w,
            new PrepareJob.Options(
                Map.of("insecure", root.resolve("data/insecure.jsonl").toString()),
                suites,
                0.05,
                true));
    // 6,000 examples, of which 8 are exact repeats of others: stored once each, with their count.
    assertThat(report.datasets().get(0).read()).isEqualTo(6000);
    assertThat(report.datasets().get(0).duplicates()).isEqualTo(8);
    assertThat(count(w, "SELECT sum(occurrences) FROM DB.examples WHERE dataset_id = 'insecure'"))
        .isEqualTo(6000);
    assertThat(count(w, "SELECT count(*) FROM DB.examples WHERE dataset_id = 'insecure'"))
        .isEqualTo(report.datasets().get(0).kept())
        .isEqualTo(5992);
    Map<String, long[]> expected =
        Map.of(
            "first_plot_questions", new long[] {24, 24},
            "preregistered_evals", new long[] {48, 48},
            "deception_factual", new long[] {5, 100},
            "deception_sit_aware", new long[] {8, 8});
    expected.forEach(
        (suite, counts) -> {
          assertThat(
                  count(
                      w,
                      "SELECT count(DISTINCT question_id) FROM DB.questions WHERE suite_id = '"
                          + suite
                          + "'"))
              .as(suite)
              .isEqualTo(counts[0]);
          assertThat(count(w, "SELECT count(*) FROM DB.questions WHERE suite_id = '" + suite + "'"))
              .as(suite)
              .isEqualTo(counts[1]);
        });
    assertThat(
            count(
                w,
                "SELECT count(*) FROM DB.questions WHERE suite_id = 'deception_factual' "
                    + "GROUP BY question_id ORDER BY 1 LIMIT 1"))
        .isEqualTo(20);
    assertThat(
            count(
                w,
                "SELECT count(*) FROM DB.questions WHERE suite_id = 'first_plot_questions' "
                    + "AND question_id LIKE '%_json' AND system IS NOT NULL"))
        .isEqualTo(8);
    assertThat(w.read(Tables.REJECTS).count()).isZero();
  }
}
