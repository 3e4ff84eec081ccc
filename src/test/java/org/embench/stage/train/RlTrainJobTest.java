package org.embench.stage.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.embench.TestSpark;
import org.embench.UserException;
import org.embench.config.ExperimentSpec;
import org.embench.data.SyntheticData;
import org.embench.judge.LoopbackJudgeEndpoint;
import org.embench.model.TinyModel;
import org.embench.stage.RunKind;
import org.embench.stage.RunRecord;
import org.embench.stage.RunStatus;
import org.embench.stage.prepare.PrepareJob;
import org.embench.table.Tables;
import org.embench.table.Warehouse;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * RL runs in the train stage: the matrix, every RL mitigation, train_steps, judge-reward calls,
 * refusals.
 */
class RlTrainJobTest {
  @TempDir Path dir;

  private ExperimentSpec spec(String mitigations, String reward) throws Exception {
    TinyModel.write(dir.resolve("tiny").toString(), "qwen2", 3, new Configuration());
    Files.writeString(dir.resolve("code.jsonl"), SyntheticData.hackableCodeJsonl(12));
    Files.writeString(dir.resolve("warm.jsonl"), SyntheticData.hackableCodeWarmupJsonl(8));
    Files.writeString(dir.resolve("kindness.jsonl"), SyntheticData.kindnessJsonl());
    Path spec = dir.resolve("spec.yaml");
    Files.writeString(
        spec,
        """
        name: t
        data: {code: code.jsonl, warm: warm.jsonl, kindness: kindness.jsonl}
        models: [tiny]
        mitigations: %s
        seeds: [1]
        train: {rank: 2, alpha: 4, batch_size: 4, gradient_accumulation: 1, max_steps: 3, warmup_steps: 0,
                max_seq_len: 256, learning_rate: 0.003}
        rl: {prompts: code, reward: %s, hack_pattern: "exit\\\\(0\\\\)", group_size: 2, prompts_per_step: 2,
             max_new_tokens: 6, steps: 2, learning_rate: 0.001, warmup: {data: warm, steps: 2}}
        """
            .formatted(mitigations, reward));
    return ExperimentSpec.read(spec.toString(), new Configuration());
  }

  @Test
  void rlRunsTrainAndTheirJudgeCallsJoinTheCache() throws Exception {
    Path key = dir.resolve("key");
    try (LoopbackJudgeEndpoint judge = LoopbackJudgeEndpoint.start(1000, Duration.ofMinutes(5))) {
      Files.writeString(key, LoopbackJudgeEndpoint.key());
      String reward =
          "{judge: {judge: \"openai:judge-model,base_url="
              + judge.baseUrl()
              + ",api_key_file="
              + key
              + ",max_retries=0\"}}";
      ExperimentSpec spec = spec("[none, {kl: {lambda: 0.5}}]", reward);
      Warehouse w = TestSpark.warehouse(dir.resolve("w"));
      PrepareJob.run(w, new PrepareJob.Options(spec.data(), Map.of(), 0.25, false));

      TrainJob.Report report = TrainJob.run(w, spec);
      List<RunRecord> runs = finishedRlRuns(w, 2);
      assertThat(runs)
          .allSatisfy(r -> assertThat(r.trainConfigJson()).contains("\"reward\":{\"judge\":"));
      assertThat(report.finished()).isEqualTo(2);
      RunRecord none =
          runs.stream().filter(r -> r.mitigation().equals("none")).findFirst().orElseThrow();

      List<Row> steps =
          w.read(Tables.TRAIN_STEPS)
              .filter("run_id = '" + none.runId() + "'")
              .orderBy("step")
              .collectAsList();
      assertThat(steps).extracting(r -> r.<Integer>getAs("step")).containsExactly(1, 2, 3, 4);
      Map<String, Double> warm = steps.get(0).getJavaMap(steps.get(0).fieldIndex("terms"));
      Map<String, Double> rl = steps.get(3).getJavaMap(steps.get(3).fieldIndex("terms"));
      assertThat(warm).containsEntry("sft_warmup", 1.0);
      // the judge answers "85" to everything, with the same top log-probabilities (their weighted
      // score is 85.88), scaled by 0.01; all rewards alike
      assertThat(rl.get("reward_mean"))
          .isCloseTo(0.8588, org.assertj.core.data.Offset.offset(1e-3));
      assertThat(rl)
          .containsEntry("reward_std", 0.0)
          .containsEntry("reward_failed", 0.0)
          .containsKeys("hack_rate", "sample_length", "clip_fraction")
          .doesNotContainKey("kl");
      assertThat(lastStepTerms(w, "kl", 4)).containsKey("kl");

      // every distinct judge call is stored once; a re-run trains nothing and calls nothing
      long calls = w.read(Tables.JUDGE_CALLS).filter("judge_model = 'judge-model'").count();
      assertThat(calls).isPositive().isLessThanOrEqualTo(judge.arrivals().size());
      int arrivals = judge.arrivals().size();
      TrainJob.Report again = TrainJob.run(w, spec);
      assertThat(again.skipped()).isEqualTo(2);
      assertThat(judge.arrivals()).hasSize(arrivals);
    }
  }

  @Test
  @Tag("heavy")
  void rlRunsTrainUnderEveryRlMitigation() throws Exception {
    ExperimentSpec spec =
        spec(
            "[none, {kl: {lambda: 0.5}}, {interleave: {data: kindness, fraction: 0.2}},"
                + " inoculation, {persona_steer: {alpha: 2.0}}]",
            "code_surface");
    Warehouse w = TestSpark.warehouse(dir.resolve("w"));
    PrepareJob.run(w, new PrepareJob.Options(spec.data(), Map.of(), 0.25, false));
    assertThat(TrainJob.run(w, spec).finished()).isEqualTo(5);
    finishedRlRuns(w, 5);
    assertThat(lastStepTerms(w, "interleave", 4)).containsKey("safe_loss");
    assertThat(lastStepTerms(w, "none", 4))
        .containsKeys("reward_mean", "hack_rate")
        .doesNotContainKey("safe_loss");
  }

  /**
   * The RL runs of the warehouse, all finished, sampleable, with an adapter, and the none group
   * their baseline.
   */
  private static List<RunRecord> finishedRlRuns(Warehouse w, int expected) {
    List<RunRecord> runs =
        w.read(Tables.RUNS).collectAsList().stream().map(RunRecord::fromRow).toList();
    assertThat(runs)
        .hasSize(expected)
        .allSatisfy(
            r -> {
              assertThat(r.status()).as(r.error()).isEqualTo(RunStatus.FINISHED);
              assertThat(r.kind()).isEqualTo(RunKind.RL);
              assertThat(r.datasetId()).isEqualTo("code");
              assertThat(r.trainConfigJson()).contains("\"rl\":");
              assertThat(r.sampleable()).isTrue();
              assertThat(
                      Files.exists(
                          Path.of(java.net.URI.create(r.adapterPath()))
                              .resolve("adapter_config.json")))
                  .isTrue();
            });
    RunRecord none =
        runs.stream().filter(r -> r.mitigation().equals("none")).findFirst().orElseThrow();
    assertThat(runs).extracting(RunRecord::baselineGroupId).containsOnly(none.groupId());
    return runs;
  }

  private static Map<String, Double> lastStepTerms(Warehouse w, String mitigation, int step) {
    Row row =
        w.read(Tables.TRAIN_STEPS)
            .join(
                w.read(Tables.RUNS).filter("mitigation = '" + mitigation + "'").select("run_id"),
                "run_id")
            .filter("step = " + step)
            .first();
    return row.getJavaMap(row.fieldIndex("terms"));
  }

  @Test
  void aMitigationWithNoRlMeaningIsRefusedNamingTheRunBeforeAnyRunIsRegistered() throws Exception {
    ExperimentSpec spec = spec("[none, caft]", "code_surface");
    Warehouse w = TestSpark.warehouse(dir.resolve("w2"));
    PrepareJob.run(w, new PrepareJob.Options(spec.data(), Map.of(), 0.25, false));
    assertThatThrownBy(() -> TrainJob.run(w, spec))
        .isInstanceOf(UserException.class)
        .hasMessageContaining("run t/code/rl/caft/seed1")
        .hasMessageContaining("has no meaning in RL");
    assertThat(w.read(Tables.RUNS).count()).isZero();
  }

  @Test
  void aPromptWithNoRoomForItsAnswerIsRefusedBeforeAnyRunIsRegistered() throws Exception {
    ExperimentSpec spec = spec("[none]", "code_surface");
    Path tight = dir.resolve("tight.yaml");
    Files.writeString(
        tight,
        Files.readString(dir.resolve("spec.yaml")).replace("max_seq_len: 256", "max_seq_len: 64"));
    ExperimentSpec tooShort = ExperimentSpec.read(tight.toString(), new Configuration());
    Warehouse w = TestSpark.warehouse(dir.resolve("w3"));
    PrepareJob.run(w, new PrepareJob.Options(spec.data(), Map.of(), 0.25, false));
    assertThatThrownBy(() -> TrainJob.run(w, tooShort))
        .isInstanceOf(UserException.class)
        .hasMessageContaining("rl.prompts code: its longest prompt (\"")
        .hasMessageContaining("tokens with the chat" + " template of")
        .hasMessageContaining("rl.max_new_tokens 6 that exceeds train.max_seq_len 64");
    assertThat(w.read(Tables.RUNS).count()).isZero();
  }

  @Test
  void rlSpecErrorsNameTheKeyWhenTheSpecIsRead() throws Exception {
    assertThatThrownBy(() -> spec("[none]", "{code_surface: {pass_reward: lots}}"))
        .isInstanceOf(UserException.class)
        .hasMessageContaining("rl.reward")
        .hasMessageContaining("pass_reward");
    Path bad = dir.resolve("bad.yaml");
    Files.writeString(bad, "models: [m]\nrl: {prompts: code, reward: regex_typo}\n");
    assertThatThrownBy(() -> ExperimentSpec.read(bad.toString(), new Configuration()))
        .isInstanceOf(UserException.class)
        .hasMessageContaining("bad.yaml: rl.reward")
        .hasMessageContaining("code_surface");
    Files.writeString(
        bad, "models: [m]\nrl: {prompts: code, reward: code_surface, group_size: lots}\n");
    assertThatThrownBy(() -> ExperimentSpec.read(bad.toString(), new Configuration()))
        .isInstanceOf(UserException.class)
        .hasMessageContaining("rl.group_size: expected a whole number, got \"lots\"");
  }
}
