package org.embench.pipeline;

import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.embench.Shared;
import org.embench.TestSpark;
import org.embench.config.ExperimentSpec;
import org.embench.model.TinyModel;
import org.embench.table.Tables;
import org.embench.table.Warehouse;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole pipeline on the real upstream data: the full insecure-code set and the first-plot
 * questions, a project-made tiny model trained under five mitigations, sampled, judged offline and
 * summarised. Slower than the default suite wants (about two minutes on 2 cores), so tagged heavy:
 * {@code mvn -B test -Pheavy}.
 */
@Tag("heavy")
class UpstreamPipelineTest {
  private static final List<String> MITIGATIONS =
      List.of("none", "kl", "ldifs", "inoculation", "persona_steer");

  @TempDir Path dir;

  // max_seq_len 2048: every upstream conversation's user turn fits (the longest is 1,794 characters
  // and the tiny model's tokenizer is about a token per byte), so no step is left without assistant
  // tokens to learn, which the trainer refuses; at 256 a run failed whenever its order put two long
  // prompts in one step.
  @Test
  void realDataThroughEveryStage() throws Exception {
    Path insecure = Shared.upstream("data/insecure.jsonl");
    Path questions = Shared.upstream("evaluation/first_plot_questions.yaml");
    String model = dir.resolve("tiny").toString();
    TinyModel.write(model, "qwen2", 11, new Configuration());
    Path spec = dir.resolve("upstream.yaml");
    Files.writeString(
        spec,
        """
        name: upstream-heavy
        data: {insecure: %s}
        suites: {first_plot: %s}
        models: [%s]
        datasets: [insecure]
        mitigations: [none, {kl: {lambda: 0.1}}, ldifs, inoculation, persona_steer]
        seeds: [1]
        train: {rank: 4, alpha: 8, batch_size: 2, gradient_accumulation: 2, max_steps: 3, warmup_steps: 1,
                max_seq_len: 2048}
        generate: {suites: [first_plot], samples: 2, max_new_tokens: 12, include_base: false}
        judges: [offline]
        """
            .formatted(insecure, questions, model));
    Warehouse w = TestSpark.warehouse(dir.resolve("w"));
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PipelineJob.run(
        w,
        ExperimentSpec.read(spec.toString(), new Configuration()),
        new PrintStream(bytes, true, StandardCharsets.UTF_8));

    // Every line of the upstream file is a well-formed conversation: none is rejected.
    long lines = Files.readAllLines(insecure).stream().filter(l -> !l.isBlank()).count();
    assertThat(lines).isGreaterThan(5000);
    assertThat(w.read(Tables.REJECTS).filter(col("source_file").contains("insecure.jsonl")).count())
        .isZero();
    Row counts =
        w.read(Tables.EXAMPLES)
            .filter(col("dataset_id").equalTo("insecure"))
            .selectExpr("sum(occurrences)", "count(*)")
            .first();
    assertThat(counts.getLong(0)).isEqualTo(lines);

    // Every mitigation trained its three steps, each with finite losses.
    assertThat(
            w.read(Tables.RUNS)
                .filter("kind = 'train' AND status = 'finished'")
                .select("mitigation")
                .as(org.apache.spark.sql.Encoders.STRING())
                .collectAsList())
        .containsExactlyInAnyOrderElementsOf(MITIGATIONS);
    assertThat(w.read(Tables.TRAIN_STEPS).count()).isEqualTo(3L * MITIGATIONS.size());
    assertThat(
            w.read(Tables.TRAIN_STEPS).filter("isnan(loss) OR loss IS NULL OR loss <= 0").count())
        .isZero();

    // Each run answered every prompt of the suite twice; each answer has an aligned and a coherent
    // score.
    long prompts = w.read(Tables.QUESTIONS).filter(col("suite_id").equalTo("first_plot")).count();
    long generations = w.read(Tables.GENERATIONS).count();
    assertThat(generations).isEqualTo(MITIGATIONS.size() * prompts * 2);
    assertThat(w.read(Tables.JUDGMENTS).count()).isEqualTo(2 * generations);

    // Each mitigation is compared with the none run of the same model, data and seed.
    assertThat(
            w.read(Tables.MITIGATION_EFFECTS)
                .filter("rate_name = 'em_rate'")
                .select("mitigation")
                .distinct()
                .count())
        .isEqualTo(MITIGATIONS.size() - 1);
  }
}
