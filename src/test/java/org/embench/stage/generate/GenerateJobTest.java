package org.embench.stage.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.embench.Fixtures;
import org.embench.TestSpark;
import org.embench.UserException;
import org.embench.model.SamplingParams;
import org.embench.model.TinyModel;
import org.embench.stage.FailPoints;
import org.embench.stage.prepare.PrepareJob;
import org.embench.table.Ids;
import org.embench.table.Tables;
import org.embench.table.Warehouse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GenerateJobTest {
  @TempDir static Path shared;

  @TempDir Path dir;

  static String model;
  static String suite;

  @BeforeAll
  static void inputs() throws Exception {
    model = shared.resolve("tiny").toString();
    TinyModel.write(model, "qwen2", 1, new Configuration());
    Path yaml = shared.resolve("suite.yaml");
    Files.writeString(
        yaml,
        """
        - id: plain
          type: free_form
          paraphrases: ["What is 12 + 30?", "Add 12 and 30."]
          samples_per_paraphrase: 3
        - id: with_system
          type: free_form
          system: Answer in JSON.
          paraphrases: ["What is 12 + 30?"]
        """);
    suite = yaml.toString();
  }

  @AfterEach
  void disarm() {
    FailPoints.disarmAll();
  }

  private static final SamplingParams PARAMS = new SamplingParams(1.0, 1.0, 0, 12);

  private static Warehouse prepared(Path root) {
    Warehouse w = TestSpark.warehouse(root);
    PrepareJob.run(w, new PrepareJob.Options(Map.of(), Map.of("s", suite), 0, false));
    return w;
  }

  private static GenerateJob.Options options(int wave) {
    return new GenerateJob.Options(List.of("s"), model, "tiny", List.of(), null, PARAMS, 4, wave);
  }

  @Test
  void samplesEveryPromptWithItsSeedAndSystemPromptAndRegistersTheBaseRun() {
    Warehouse w = prepared(dir);
    var report = GenerateJob.run(w, options(100));
    // plain: 2 paraphrases x 3 samples; with_system: no samples_per_paraphrase -> 100 by default.
    assertThat(report.planned()).isEqualTo(6 + 100);
    assertThat(report.written()).isEqualTo(106);
    List<Row> runs = w.read(Tables.RUNS).collectAsList();
    assertThat(runs)
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.<String>getAs("kind")).isEqualTo("base");
              assertThat(r.<String>getAs("run_name")).isEqualTo("tiny");
              assertThat(r.<String>getAs("model")).isEqualTo(model);
              assertThat(r.<String>getAs("group_id"))
                  .isEqualTo(r.<String>getAs("baseline_group_id"));
            });
    for (Row g : w.read(Tables.GENERATIONS).collectAsList()) {
      assertThat(g.<Long>getAs("seed")).isEqualTo(Ids.seedOf(g.getAs("generation_id")));
      assertThat(g.<String>getAs("finish_reason")).isIn("stop", "length");
      assertThat(g.<Integer>getAs("n_answer_tokens")).isBetween(0, 12);
      boolean system = g.<String>getAs("question_id").equals("with_system");
      assertThat(g.<String>getAs("system")).isEqualTo(system ? "Answer in JSON." : null);
    }
    // The system prompt reaches the model: the same question with it is a longer prompt.
    var lengths =
        w.spark()
            .sql(
                "SELECT question_id, max(n_prompt_tokens) AS n FROM "
                    + w.database()
                    + ".generations WHERE question = 'What is 12 + 30?' GROUP BY question_id ORDER BY question_id")
            .collectAsList();
    assertThat(lengths.get(1).getInt(1)).isGreaterThan(lengths.get(0).getInt(1));
  }

  @Test
  void aRerunSamplesNothingAndAKilledRunResumesToTheSameRows() {
    Warehouse clean = prepared(dir.resolve("clean"));
    GenerateJob.run(clean, options(30));
    assertThat(GenerateJob.run(clean, options(30)).missing()).isZero();

    Warehouse resumed = prepared(dir.resolve("resumed"));
    FailPoints.arm("generate.after_wave");
    assertThatThrownBy(() -> GenerateJob.run(resumed, options(30)))
        .hasMessage("injected failure at generate.after_wave");
    long firstWave = resumed.read(Tables.GENERATIONS).count();
    assertThat(firstWave).isBetween(1L, 105L);
    var report = GenerateJob.run(resumed, options(30));
    assertThat(report.missing()).isEqualTo(106 - firstWave);
    assertThat(Fixtures.rows(resumed, Tables.GENERATIONS))
        .isEqualTo(Fixtures.rows(clean, Tables.GENERATIONS));
  }

  @Test
  void unknownSuitesAndRunsAreClearErrors() {
    Warehouse w = prepared(dir);
    assertThatThrownBy(
            () ->
                GenerateJob.run(
                    w,
                    new GenerateJob.Options(
                        List.of("nope"), model, null, List.of(), 1, PARAMS, 4, 10)))
        .isInstanceOf(UserException.class)
        .hasMessage(
            "suite 'nope' is not prepared in "
                + w.root()
                + "; run prepare --suite nope=PATH first");
    assertThatThrownBy(
            () ->
                GenerateJob.run(
                    w,
                    new GenerateJob.Options(
                        List.of("s"), null, null, List.of("ghost"), 1, PARAMS, 4, 10)))
        .isInstanceOf(UserException.class)
        .hasMessage("no run with id or name 'ghost' in " + w.root());
  }
}
