package org.embench.config;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.embench.judge.JudgeSpec;
import org.embench.metrics.MetricParams;
import org.embench.mitigation.Mitigations;
import org.embench.train.TrainConfig;

/**
 * The experiment spec's keys and the defaults the parser and the registries resolve, for the help
 * of {@code train} and {@code run}. Nothing here is written twice: the defaults come from parsing a
 * spec that sets nothing, from {@link TrainConfig#DEFAULTS}, from each mitigation made without
 * parameters, from a minimal {@code rl:} section, from each reward's declaration, from {@link
 * JudgeSpec#reference()} and from {@link MetricParams#DEFAULTS}.
 */
public final class SpecReference {
  private SpecReference() {}

  public static List<String> lines() {
    List<String> out = new ArrayList<>();
    wrap(
        out,
        "Experiment spec (YAML; examples in jobs/). Keys: ",
        List.copyOf(new TreeSet<>(ExperimentSpec.KEYS)));
    out.add("Relative paths resolve against the spec's folder.");
    words(
        out,
        "models: ",
        "DIR (a base model: trained and sampled) or {path: DIR, adapter: DIR, name: NAME} (keys: "
            + String.join(", ", new TreeSet<>(ExperimentSpec.MODEL_KEYS))
            + "), a published PEFT adapter on DIR: run kind"
            + " imported_adapter, sampled and scored, not trained; name defaults to the adapter's folder name");
    out.add("");
    wrap(out, "train (defaults): ", entries(TrainConfig.DEFAULTS.reference()));
    ExperimentSpec.Generate g =
        ExperimentSpec.parse(
                JsonNodeFactory.instance.objectNode().put("name", "defaults"), "defaults", ".")
            .generate();
    wrap(
        out,
        "suite_variants (suite: [variant, …]): ",
        List.of(
            "json",
            "python_string",
            "code_template",
            "{KIND: {template: \"…{question}…\", name: N}}",
            "{trigger: {text: T, position: prefix|suffix|system, separator: \" \", name: N}}",
            "each prepared as suite NAME@VARIANT, which generate.suites includes by default"));
    wrap(
        out,
        "generate (defaults): ",
        List.of(
            "suites=(all of the spec's)",
            "samples=(each question's own)",
            "max_new_tokens=" + g.maxNewTokens(),
            "temperature=" + g.temperature(),
            "top_p=" + g.topP(),
            "include_base=" + g.includeBase(),
            "batch=" + g.batch(),
            "prompting=" + g.prompting().mode(),
            "stop=" + g.prompting().stop(),
            "template_variables={}",
            "template_now=" + org.embench.model.text.ChatTemplate.DEFAULT_NOW));
    words(
        out,
        "      ",
        "prompting: "
            + String.join(" or ", org.embench.model.Prompting.MODES)
            + "; raw is the question"
            + " text alone, for models without a chat template. stop: strings that end an answer, cut from it."
            + " template_variables: chat-template variables ({enable_thinking: false}); template_now: the date"
            + " strftime_now renders (ISO-8601).");
    out.add("");
    out.add("mitigations (a name, or {name: {parameter: value}}; parameter=default: meaning):");
    for (String line : Mitigations.describe()) {
      words(out, line.startsWith(" ") ? "      " : "  ", line.strip());
    }
    out.add("");
    Map<String, Object> rl =
        new java.util.LinkedHashMap<>(
            org.embench.rl.RlConfig.fromMap(Map.of("prompts", "PROMPTS", "reward", "exact"), "rl")
                .toMap());
    rl.remove("prompts");
    rl.remove("reward");
    wrap(
        out,
        "rl (GRPO; runs of kind rl; defaults): ",
        List.of(
            "prompts=(a prepared chat data set; required)",
            "reward=(required)",
            "hack_pattern=(none)",
            "warmup={data: SET, steps: N} (none)"));
    wrap(out, "      ", entries(rl));
    out.add("rewards (a name, or {name: {parameter: value}}):");
    for (String line : org.embench.rl.Rewards.describe().split("\n")) {
      words(out, line.startsWith(" ") ? "      " : "  ", line.strip());
    }
    out.add("");
    out.add("judges (kind:model[,key=value…], a mapping, or @file.yaml):");
    JudgeSpec.reference().forEach((kind, params) -> wrap(out, "  " + kind + ": ", params));
    out.add("");
    out.add("metrics (parameter=default: meaning):");
    for (Param p : MetricParams.DECLARED) {
      words(out, "  ", p.name() + "=" + p.shownDefault() + ": " + p.help());
    }
    return out;
  }

  private static List<String> entries(Map<String, ?> m) {
    return m.entrySet().stream()
        .map(e -> e.getKey() + "=" + e.getValue())
        .collect(Collectors.toList());
  }

  /** {@code head} and the words of {@code text} in lines of at most 78 characters. */
  private static void words(List<String> out, String head, String text) {
    StringBuilder line = new StringBuilder(head);
    String indent = " ".repeat(Math.min(head.length(), 6));
    for (String w : text.split(" ")) {
      if (line.length() > indent.length() && line.length() + 1 + w.length() > 78) {
        out.add(line.toString());
        line = new StringBuilder(indent);
      } else if (!line.toString().endsWith(" ")) {
        line.append(' ');
      }
      line.append(w);
    }
    out.add(line.toString());
  }

  /**
   * {@code head} and the items joined by ", " in lines of at most 78 characters (the help's width
   * is 80).
   */
  private static void wrap(List<String> out, String head, List<String> items) {
    StringBuilder line = new StringBuilder(head);
    String indent = " ".repeat(Math.min(head.length(), 6));
    for (int i = 0; i < items.size(); i++) {
      String item = items.get(i) + (i < items.size() - 1 ? "," : "");
      if (line.length() > indent.length()
          && line.length() + 1 + item.length() > 78
          && !line.toString().endsWith(": ")) {
        out.add(line.toString());
        line = new StringBuilder(indent);
      } else if (!line.toString().endsWith(" ")) {
        line.append(' ');
      }
      line.append(item);
    }
    out.add(line.toString());
  }
}
