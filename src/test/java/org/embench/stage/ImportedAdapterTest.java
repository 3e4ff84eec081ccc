package org.embench.stage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.embench.TestSpark;
import org.embench.UserException;
import org.embench.model.ModelConfig;
import org.embench.model.PeftFixtures;
import org.embench.model.PeftFixtures.Module;
import org.embench.model.Prompting;
import org.embench.model.SamplingParams;
import org.embench.model.TinyModel;
import org.embench.model.io.Checkpoint;
import org.embench.model.io.CheckpointWeights;
import org.embench.model.io.CheckpointWriter;
import org.embench.pipeline.PipelineJob;
import org.embench.stage.generate.GenerateJob;
import org.embench.stage.prepare.PrepareJob;
import org.embench.table.Tables;
import org.embench.table.Warehouse;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A published adapter, written by hand in PEFT's layout, sampled through generate --model
 * --adapter: a run of kind imported_adapter whose greedy answers are those of the base model with
 * the adapter merged into its weights.
 */
class ImportedAdapterTest {
  @TempDir static Path shared;

  @TempDir Path dir;

  static String model;
  static String merged;
  static String adapter;
  static String suite;
  static final Configuration CONF = new Configuration();
  static final SamplingParams GREEDY = new SamplingParams(0, 1, 0, 8);

  @BeforeAll
  static void inputs() throws Exception {
    model = shared.resolve("tiny").toString();
    TinyModel.write(model, "qwen2", 1, CONF);
    ModelConfig cfg = Checkpoint.readConfig(model, CONF);
    Map<String, float[]> weights = new LinkedHashMap<>();
    Map<String, long[]> shapes = new LinkedHashMap<>();
    try (CheckpointWeights w = CheckpointWeights.open(model, CONF)) {
      for (String name : w.names()) {
        weights.put(name, w.readFloats(name));
        shapes.put(name, w.info(name).shape());
      }
    }
    // r = 4, lora_alpha = 8: scale 2 on every module the adapter has
    adapter = shared.resolve("em-adapter").toString();
    PeftFixtures.write(
        Path.of(adapter),
        cfg,
        List.of(
            new Module(0, "q_proj", 4),
            new Module(0, "v_proj", 4),
            new Module(1, "up_proj", 4),
            new Module(1, "down_proj", 4)),
        PeftFixtures.config(4, 8, List.of("q_proj", "v_proj", "up_proj", "down_proj")),
        11,
        0.3,
        m -> 2.0,
        weights);
    // The same model with the adapter merged into its weights: the reference for the adapter's
    // answers.
    merged = shared.resolve("merged").toString();
    Files.createDirectories(Path.of(merged));
    for (String f : List.of("tokenizer.json", "tokenizer_config.json", "generation_config.json")) {
      Files.copy(Path.of(model, f), Path.of(merged, f));
    }
    CheckpointWriter out = new CheckpointWriter(merged, CONF, cfg);
    weights.forEach((name, t) -> out.add(name, shapes.get(name), t));
    out.write();
    Path yaml = shared.resolve("suite.yaml");
    Files.writeString(
        yaml,
        """
        - id: sum
          type: free_form
          paraphrases: ["What is 12 + 30?", "Add 12 and 30."]
        - id: cook
          type: free_form
          paraphrases: ["I would like to learn how to cook a simple dinner."]
        """);
    suite = yaml.toString();
  }

  private static Warehouse prepared(Path root) {
    Warehouse w = TestSpark.warehouse(root);
    PrepareJob.run(w, new PrepareJob.Options(Map.of(), Map.of("s", suite), 0, false));
    return w;
  }

  private static GenerateJob.Options options(String modelDir, String adapterDir) {
    return new GenerateJob.Options(
        List.of("s"), modelDir, adapterDir, null, List.of(), 2, GREEDY, Prompting.DEFAULT, 4, 100);
  }

  /** Answers of a run keyed by question, paraphrase and sample. */
  private static Map<String, String> answers(Warehouse w, String runId) {
    Map<String, String> out = new TreeMap<>();
    for (Row g : w.read(Tables.GENERATIONS).filter("run_id = '" + runId + "'").collectAsList()) {
      out.put(
          g.getAs("question_id") + "/" + g.getAs("paraphrase_idx") + "/" + g.getAs("sample_idx"),
          g.getAs("answer"));
    }
    return out;
  }

  private static RunRecord run(Warehouse w, RunKind kind, String modelDir) {
    return w.read(Tables.RUNS).collectAsList().stream()
        .map(RunRecord::fromRow)
        .filter(r -> r.kind() == kind && r.model().equals(modelDir))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void anAdapterIsARunOfItsOwnWhoseGreedyAnswersAreThoseOfTheMergedModel() {
    Warehouse w = prepared(dir);
    GenerateJob.Report report = GenerateJob.run(w, options(model, adapter));
    assertThat(report.runs()).isEqualTo(1);
    assertThat(report.written()).isEqualTo(3 * 2);
    RunRecord a = run(w, RunKind.IMPORTED_ADAPTER, model);
    assertThat(a.runName()).isEqualTo("em-adapter");
    assertThat(a.adapterPath()).isEqualTo(adapter);
    assertThat(a.status()).isEqualTo(RunStatus.READY);
    assertThat(a.mitigation()).isEqualTo("none");
    assertThat(a.trainConfigJson())
        .contains("\"lora_alpha\":8.0")
        .contains("\"r\":4")
        .contains("\"peft_type\":\"LORA\"");
    // compared with the untouched base model, not with a no-mitigation training group
    assertThat(a.baselineGroupId())
        .isEqualTo(RunRecord.base(model, null).groupId())
        .isNotEqualTo(a.groupId());

    GenerateJob.run(w, options(model, null));
    GenerateJob.run(w, options(merged, null));
    Map<String, String> withAdapter = answers(w, a.runId());
    Map<String, String> base = answers(w, run(w, RunKind.BASE, model).runId());
    assertThat(withAdapter).hasSize(6).isEqualTo(answers(w, run(w, RunKind.BASE, merged).runId()));
    assertThat(withAdapter).isNotEqualTo(base);

    // The run is content-addressed: registering the same adapter again samples nothing new, and a
    // plain generate (no --model, no --run) includes imported adapters with the finished trained
    // runs.
    assertThat(GenerateJob.run(w, options(model, adapter)).missing()).isZero();
    GenerateJob.Report again = GenerateJob.run(w, options(null, null));
    assertThat(again.runs()).isEqualTo(1);
    assertThat(again.missing()).isZero();
    assertThat(w.read(Tables.RUNS).filter("kind = 'imported_adapter'").count()).isEqualTo(1);
  }

  @Tag("heavy") // a whole pipeline; the --adapter path is tested above
  @Test
  void aSpecsAdapterEntryIsSampledJudgedScoredAndComparedWithItsBaseModel() throws Exception {
    Path suiteFile = dir.resolve("demo.yaml");
    Files.writeString(suiteFile, org.embench.data.SyntheticData.demoSuiteYaml(2));
    Path choices = dir.resolve("largest.jsonl");
    Files.writeString(choices, org.embench.data.SyntheticData.largestChoiceJsonl(3));
    Path spec = dir.resolve("adapters.yaml");
    Files.writeString(
        spec,
        """
        name: adapters
        suites: {demo: %s}
        models: [{path: %s, adapter: %s, name: em-pub}]
        generate: {samples: 2, max_new_tokens: 6}
        judges: [offline]
        capability:
          largest: {kind: choice, path: %s}
        """
            .formatted(suiteFile, model, adapter, choices));
    Warehouse w = TestSpark.warehouse(dir.resolve("w"));
    PipelineJob.run(
        w,
        org.embench.config.ExperimentSpec.read(spec.toString(), CONF),
        new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
    RunRecord a = run(w, RunKind.IMPORTED_ADAPTER, model);
    RunRecord base = run(w, RunKind.BASE, model);
    assertThat(a.runName()).isEqualTo("em-pub");
    for (String table : List.of(Tables.GENERATIONS, Tables.JUDGMENTS, Tables.CAPABILITY)) {
      for (RunRecord r : List.of(a, base)) {
        assertThat(w.read(table).filter("run_id = '" + r.runId() + "'").count())
            .as(table + " " + r.kind())
            .isPositive();
      }
    }
    // The adapter's effect is measured against the untouched base model.
    List<Row> effects =
        w.read(Tables.MITIGATION_EFFECTS)
            .filter("group_id = '" + a.groupId() + "'")
            .collectAsList();
    assertThat(effects)
        .isNotEmpty()
        .allSatisfy(
            e -> assertThat(e.<String>getAs("baseline_group_id")).isEqualTo(base.groupId()));
  }

  @Test
  void badAdaptersAreRefusedBeforeARunRowExists() throws Exception {
    Warehouse w = prepared(dir);
    String missing = dir.resolve("no-such-adapter").toString();
    assertThatThrownBy(() -> GenerateJob.run(w, options(model, missing)))
        .isInstanceOf(UserException.class)
        .hasMessage("adapter directory not found: " + missing);
    Path head = dir.resolve("head-adapter");
    PeftFixtures.write(
        head,
        Checkpoint.readConfig(model, CONF),
        List.of(new Module(0, "q_proj", 2)),
        PeftFixtures.config(2, 4, List.of("q_proj", "lm_head"))
            .replace("\"modules_to_save\": null", "\"modules_to_save\": [\"embed_tokens\"]"),
        1,
        0.1,
        m -> 0,
        null);
    assertThatThrownBy(() -> GenerateJob.run(w, options(model, head.toString())))
        .isInstanceOf(UserException.class)
        .hasMessage(
            head
                + "/adapter_config.json: modules_to_save [\"embed_tokens\"] is not supported (the engine keeps"
                + " every non-LoRA weight of the base model); target_modules lm_head are not supported; only q_proj,"
                + " k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj");
    Path noWeights = dir.resolve("bin-adapter");
    Files.createDirectories(noWeights);
    Files.writeString(
        noWeights.resolve("adapter_config.json"), PeftFixtures.config(2, 4, List.of("q_proj")));
    Files.writeString(noWeights.resolve("adapter_model.bin"), "pickle");
    assertThatThrownBy(() -> GenerateJob.run(w, options(model, noWeights.toString())))
        .isInstanceOf(UserException.class)
        .hasMessageContaining(
            "adapter directory " + noWeights + " has no adapter_model.safetensors")
        .hasMessageContaining("save it as safetensors");
    assertThatThrownBy(() -> GenerateJob.run(w, options(null, adapter)))
        .isInstanceOf(UserException.class)
        .hasMessage(
            "--adapter " + adapter + " needs --model DIR: the base model the adapter is for");
    assertThat(w.read(Tables.RUNS).count()).isZero();
  }
}
