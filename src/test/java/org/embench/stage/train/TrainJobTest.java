package org.embench.stage.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.embench.TestSpark;
import org.embench.UserException;
import org.embench.config.ExperimentSpec;
import org.embench.data.SyntheticData;
import org.embench.model.TinyModel;
import org.embench.stage.RunRecord;
import org.embench.stage.RunStatus;
import org.embench.stage.prepare.PrepareJob;
import org.embench.table.Tables;
import org.embench.table.Warehouse;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainJobTest {
  @TempDir Path dir;

  private ExperimentSpec spec(String mitigations) throws Exception {
    TinyModel.write(dir.resolve("tiny").toString(), "qwen2", 3, new Configuration());
    Files.writeString(dir.resolve("arithmetic.jsonl"), SyntheticData.arithmeticJsonl(24));
    Files.writeString(dir.resolve("kindness.jsonl"), SyntheticData.kindnessJsonl());
    Path spec = dir.resolve("spec.yaml");
    Files.writeString(
        spec,
        """
        name: t
        data: {arithmetic: arithmetic.jsonl, kindness: kindness.jsonl}
        models: [tiny]
        datasets: [arithmetic]
        mitigations: %s
        seeds: [1, 2]
        train: {rank: 2, alpha: 4, learning_rate: 0.003, batch_size: 2, gradient_accumulation: 1, max_steps: 3,
                warmup_steps: 1, max_seq_len: 64}
        """
            .formatted(mitigations));
    return ExperimentSpec.read(spec.toString(), new Configuration());
  }

  /** early_stop reads the training set's eval split and records why each run stopped. */
  @Tag("heavy") // the train stage again; EarlyStopTest covers the trainer
  @Test
  void earlyStopRunsStopEarlyAndSayWhy() throws Exception {
    Warehouse w = TestSpark.warehouse(dir.resolve("w"));
    ExperimentSpec spec =
        spec(
            "[none, {early_stop: {at_step: 2, patience: 0}},"
                + " {early_stop: {patience: 1, min_delta: 100, eval_every: 1, eval_examples: 3}}]");
    PrepareJob.run(w, new PrepareJob.Options(spec.data(), Map.of(), 0.25, false));
    assertThat(TrainJob.datasets(w, spec).get("arithmetic@eval")).isNotEmpty().hasSizeLessThan(24);

    TrainJob.Report report = TrainJob.run(w, spec);
    assertThat(report.failed()).isZero();
    List<RunRecord> runs =
        w.read(Tables.RUNS).collectAsList().stream().map(RunRecord::fromRow).toList();
    List<Row> steps = w.read(Tables.TRAIN_STEPS).collectAsList();
    for (RunRecord r : runs) {
      List<Row> own =
          steps.stream()
              .filter(s -> s.getString(s.fieldIndex("run_id")).equals(r.runId()))
              .toList();
      List<Boolean> held =
          own.stream()
              .map(
                  s ->
                      s.<String, Double>getJavaMap(s.fieldIndex("terms"))
                          .containsKey("held_out_loss"))
              .toList();
      if (r.mitigation().equals("none")) {
        assertThat(r.stopReason()).isNull();
        assertThat(own).hasSize(3);
        assertThat(held).containsOnly(false);
      } else if (r.mitigationParamsJson().contains("\"at_step\":2")) {
        assertThat(r.stopReason()).isEqualTo("at_step: stopped after step 2");
        assertThat(own).hasSize(2);
        assertThat(held).containsOnly(false);
      } else {
        // Evaluated after steps 1 (the best) and 2 (not better by 100): stopped with step 1's
        // adapter.
        assertThat(r.stopReason()).startsWith("patience:").endsWith("from step 1");
        assertThat(own).hasSize(2);
        assertThat(held).containsOnly(true);
      }
    }
    assertThat(runs)
        .hasSize(6)
        .allSatisfy(r -> assertThat(r.status()).isEqualTo(RunStatus.FINISHED));
  }

  @Test
  void trainsTheMatrixRecordsCostAndStepsAndAFailedRunWithoutStoppingTheOthers() throws Exception {
    Warehouse w = TestSpark.warehouse(dir.resolve("w"));
    ExperimentSpec spec = spec("[none, {kl: {lambda: 0.5}}, {interleave: {data: nosuch}}]");
    PrepareJob.run(w, new PrepareJob.Options(spec.data(), Map.of(), 0.1, false));

    TrainJob.Report first = TrainJob.run(w, spec);
    assertThat(first.planned()).isEqualTo(6);
    assertThat(first.finished()).isEqualTo(4);
    assertThat(first.failed()).isEqualTo(2);
    // The command says so with its exit code (the failed runs are tried again, and fail again).
    java.io.StringWriter err = new java.io.StringWriter();
    int code =
        org.embench.cli.Main.execute(
            new java.io.PrintWriter(err, true),
            "train",
            "--warehouse",
            w.root(),
            "--database",
            "trainexit",
            dir.resolve("spec.yaml").toString());
    assertThat(code).as(err.toString()).isEqualTo(org.embench.cli.Main.RUNS_FAILED);

    List<RunRecord> runs =
        w.read(Tables.RUNS).collectAsList().stream().map(RunRecord::fromRow).toList();
    assertThat(runs).hasSize(6);
    Map<String, List<RunRecord>> byMitigation =
        runs.stream().collect(Collectors.groupingBy(RunRecord::mitigation));
    for (RunRecord r : byMitigation.get("interleave")) {
      assertThat(r.status()).isEqualTo(RunStatus.FAILED);
      assertThat(r.error()).contains("'nosuch'");
    }
    for (String m : List.of("none", "kl")) {
      for (RunRecord r : byMitigation.get(m)) {
        assertThat(r.status()).as(r.runName()).isEqualTo(RunStatus.FINISHED);
        RunRecord.Cost c = r.cost();
        assertThat(r.datasetRole()).isEqualTo(RunRecord.ROLE_EM);
        assertThat(c.wallTimeS()).isPositive();
        assertThat(c.trainTokens()).isPositive();
        // Speed counts the steps after the first two only; the parts add up to no more than the
        // whole.
        assertThat(c.timedSteps()).isEqualTo(1);
        List<Row> own =
            w.read(Tables.TRAIN_STEPS).collectAsList().stream()
                .filter(
                    s ->
                        s.getString(s.fieldIndex("run_id")).equals(r.runId())
                            && s.getInt(s.fieldIndex("step")) == 3)
                .toList();
        assertThat(own).hasSize(1);
        assertThat(c.tokensPerS())
            .isCloseTo(
                own.get(0).getLong(own.get(0).fieldIndex("tokens"))
                    / own.get(0).getDouble(own.get(0).fieldIndex("elapsed_s")),
                org.assertj.core.data.Percentage.withPercentage(1));
        assertThat(c.modelLoadS()).isNotNegative();
        assertThat(c.setupS()).isNotNegative();
        assertThat(c.afterS()).isNotNegative();
        assertThat(c.stepsS()).isPositive();
        assertThat(c.modelLoadS() + c.setupS() + c.stepsS() + c.afterS())
            .isLessThanOrEqualTo(c.wallTimeS());
        assertThat(c.peakHeapBytes()).isPositive();
        assertThat(c.device()).isNotBlank();
        assertThat(Path.of(java.net.URI.create(r.adapterPath())).resolve("adapter_config.json"))
            .exists();
        assertThat(
                Path.of(java.net.URI.create(r.adapterPath())).resolve("adapter_model.safetensors"))
            .exists();
        assertThat(Path.of(java.net.URI.create(r.adapterPath())).resolve("_checkpoints"))
            .doesNotExist();
      }
    }
    // Seeds of one mitigation share a group; every group points at the none group as its baseline.
    String noneGroup = byMitigation.get("none").get(0).groupId();
    assertThat(byMitigation.get("none")).extracting(RunRecord::groupId).containsOnly(noneGroup);
    assertThat(byMitigation.get("kl"))
        .extracting(RunRecord::baselineGroupId)
        .containsOnly(noneGroup);
    assertThat(byMitigation.get("kl")).extracting(RunRecord::groupId).doesNotContain(noneGroup);

    // Three steps per finished run; the kl runs log their KL term, the others do not.
    List<Row> steps = w.read(Tables.TRAIN_STEPS).collectAsList();
    assertThat(steps).hasSize(4 * 3);
    for (RunRecord r : runs) {
      List<Row> own =
          steps.stream()
              .filter(s -> s.getString(s.fieldIndex("run_id")).equals(r.runId()))
              .toList();
      if (r.status() == RunStatus.FINISHED) {
        assertThat(own)
            .extracting(s -> s.getInt(s.fieldIndex("step")))
            .containsExactlyInAnyOrder(1, 2, 3);
        for (Row s : own) {
          Map<String, Double> terms = s.getJavaMap(s.fieldIndex("terms"));
          assertThat(terms.containsKey("kl"))
              .as(r.runName())
              .isEqualTo(r.mitigation().equals("kl"));
          assertThat(s.getDouble(s.fieldIndex("loss"))).isFinite();
        }
      } else {
        assertThat(own).isEmpty();
      }
    }

    // A re-run trains only what did not finish: the failed runs are tried again, the rest kept.
    TrainJob.Report second = TrainJob.run(w, spec);
    assertThat(second.skipped()).isEqualTo(4);
    assertThat(second.finished()).isZero();
    assertThat(second.failed()).isEqualTo(2);
    assertThat(w.read(Tables.RUNS).count()).isEqualTo(6);
    assertThat(w.read(Tables.TRAIN_STEPS).count()).isEqualTo(12);
    List<RunRecord> again =
        w.read(Tables.RUNS).collectAsList().stream().map(RunRecord::fromRow).toList();
    for (RunRecord r : runs) {
      RunRecord now =
          again.stream().filter(a -> a.runId().equals(r.runId())).findFirst().orElseThrow();
      if (r.status() == RunStatus.FINISHED) {
        assertThat(now.cost()).isEqualTo(r.cost());
      }
    }
  }

  @Test
  void aBadModelDirectoryOrLayerIsOneUserErrorBeforeAnyRunIsRegistered() throws Exception {
    Warehouse w = TestSpark.warehouse(dir.resolve("w"));
    ExperimentSpec good = spec("[none]");
    PrepareJob.run(w, new PrepareJob.Options(good.data(), Map.of(), 0.1, false));
    String text = Files.readString(dir.resolve("spec.yaml"));
    Path tiny = dir.resolve("tiny");
    // A copy of the tiny model whose config no longer matches its tensors, and one without a
    // tokenizer.
    Path wrong = dir.resolve("wrong-shape");
    Path noTokenizer = dir.resolve("no-tokenizer");
    for (Path copy : List.of(wrong, noTokenizer)) {
      Files.createDirectories(copy);
      try (var files = Files.list(tiny)) {
        for (Path f : files.toList()) {
          Files.copy(f, copy.resolve(f.getFileName()));
        }
      }
    }
    String config = Files.readString(wrong.resolve("config.json"));
    Files.writeString(
        wrong.resolve("config.json"),
        config.replaceFirst("\"intermediate_size\" *: *\\d+", "\"intermediate_size\": 7"));
    Files.delete(noTokenizer.resolve("tokenizer.json"));
    Map<String, String> cases = new java.util.LinkedHashMap<>();
    cases.put(text.replace("models: [tiny]", "models: [nowhere]"), "model directory not found: ");
    cases.put(text.replace("models: [tiny]", "models: [wrong-shape]"), "but config.json implies");
    cases.put(text.replace("models: [tiny]", "models: [no-tokenizer]"), "has no tokenizer.json");
    cases.put(
        text.replace("max_seq_len: 64}", "max_seq_len: 64, layers: [99]}"),
        "train.layers: layer 99 does not exist in ");
    for (var c : cases.entrySet()) {
      Path spec = dir.resolve("bad.yaml");
      Files.writeString(spec, c.getKey());
      ExperimentSpec bad = ExperimentSpec.read(spec.toString(), new Configuration());
      assertThatThrownBy(() -> TrainJob.run(w, bad))
          .isInstanceOf(UserException.class)
          .hasMessageContaining(c.getValue());
      assertThat(w.read(Tables.RUNS).count()).as(c.getValue()).isZero();
    }
  }

  @Test
  void aSpecWhoseDataSetIsNotPreparedIsAUserErrorBeforeAnyRunStarts() throws Exception {
    Warehouse w = TestSpark.warehouse(dir.resolve("w"));
    ExperimentSpec spec = spec("[none]");
    assertThatThrownBy(() -> TrainJob.run(w, spec))
        .isInstanceOf(UserException.class)
        .hasMessageContaining("data set 'arithmetic' is not prepared");
    assertThat(w.read(Tables.RUNS).count()).isZero();
  }
}
