package org.embench.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.embench.model.Prompting;
import org.embench.model.SamplingParams;
import org.embench.stage.generate.GenerateJob;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "generate",
    mixinStandardHelpOptions = true,
    description = {
      "Sample answers of runs to question suites into the generations table (PROTOCOL.md: temperature 1, "
          + "top_p 1, at most 600 new tokens, the model's chat template, the question's system prompt; --raw for base "
          + "models without a template).",
      "Each answer's seed is derived from its generation id; a re-run samples only the missing ones."
    })
final class GenerateCommand implements Callable<Integer> {
  @Mixin WarehouseOptions warehouse;

  @Option(
      names = "--suite",
      required = true,
      paramLabel = "NAME",
      description = "A prepared question suite (repeatable).")
  List<String> suites = new ArrayList<>();

  @Option(
      names = "--model",
      paramLabel = "DIR",
      description = "A base model directory (Hugging Face layout) to register as a run and sample.")
  String model;

  @Option(
      names = "--adapter",
      paramLabel = "DIR",
      description =
          "A published PEFT adapter (adapter_config.json, adapter_model.safetensors) on --model: registered"
              + " and sampled as a run of kind imported_adapter instead of the base model.")
  String adapter;

  @Option(
      names = "--run-name",
      paramLabel = "NAME",
      description =
          "Name of the --model run (default: the directory's name; the adapter's with --adapter).")
  String runName;

  @Option(
      names = "--raw",
      description =
          "Raw prompting, for base models without a chat template: the prompt is the question text (BOS as"
              + " the tokenizer adds it, no system prompt). Part of each answer's id.")
  boolean raw;

  @Option(
      names = "--stop",
      paramLabel = "STRING",
      description =
          "End an answer at this text, which is cut from it (repeatable). Part of each answer's id.")
  List<String> stop = new ArrayList<>();

  @Option(
      names = "--template-var",
      paramLabel = "NAME=VALUE",
      description =
          "A chat-template variable (repeatable), e.g. enable_thinking=false for Qwen3; true/false and numbers"
              + " are read as such, anything else as a string. Part of each answer's id.")
  Map<String, String> templateVars = new LinkedHashMap<>();

  @Option(
      names = "--template-now",
      paramLabel = "INSTANT",
      description =
          "The date a template's strftime_now renders (ISO-8601, e.g. 2025-01-31T00:00:00Z); default a fixed"
              + " date, "
              + org.embench.model.text.ChatTemplate.DEFAULT_NOW
              + ". Part of each answer's id when set.")
  String templateNow;

  @Option(
      names = "--run",
      paramLabel = "ID|NAME",
      description =
          "A run to sample (repeatable). Without --run and --model, every finished training run and every"
              + " imported adapter.")
  List<String> runs = new ArrayList<>();

  @Option(
      names = "--samples",
      paramLabel = "N",
      description =
          "Answers per paraphrase (default: the suite's samples_per_paraphrase, else "
              + GenerateJob.DEFAULT_SAMPLES
              + ").")
  Integer samples;

  @Option(
      names = "--temperature",
      defaultValue = "1.0",
      paramLabel = "T",
      description = "Default: ${DEFAULT-VALUE}.")
  double temperature;

  @Option(
      names = "--top-p",
      defaultValue = "1.0",
      paramLabel = "P",
      description = "Default: ${DEFAULT-VALUE}.")
  double topP;

  @Option(
      names = "--top-k",
      defaultValue = "0",
      paramLabel = "K",
      description = "0 keeps all tokens. Default: ${DEFAULT-VALUE}.")
  int topK;

  @Option(
      names = "--max-new-tokens",
      defaultValue = "600",
      paramLabel = "N",
      description = "Default: ${DEFAULT-VALUE}.")
  int maxNewTokens;

  @Option(
      names = "--batch",
      defaultValue = "" + GenerateJob.DEFAULT_BATCH,
      paramLabel = "N",
      description = "Sequences decoded together per task. Default: ${DEFAULT-VALUE}.")
  int batch;

  @Option(
      names = "--wave",
      defaultValue = "" + GenerateJob.DEFAULT_WAVE,
      paramLabel = "N",
      description =
          "Answers written per wave; a killed job loses at most one wave. Default: ${DEFAULT-VALUE}.")
  int wave;

  @Override
  public Integer call() {
    SamplingParams params = new SamplingParams(temperature, topP, topK, maxNewTokens);
    Map<String, Object> variables = new LinkedHashMap<>();
    templateVars.forEach((k, v) -> variables.put(k, scalar(v)));
    Prompting prompting =
        new Prompting(raw ? Prompting.RAW : Prompting.CHAT, stop, variables, templateNow);
    var w = warehouse.open("generate");
    System.out.println(
        GenerateJob.run(
                w,
                new GenerateJob.Options(
                    suites, model, adapter, runName, runs, samples, params, prompting, batch, wave))
            .describe());
    return 0;
  }

  /**
   * A --template-var value: true/false, a whole number, a decimal number, or else the text itself.
   */
  static Object scalar(String v) {
    if (v.equals("true") || v.equals("false")) {
      return Boolean.parseBoolean(v);
    }
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      // not a whole number
    }
    try {
      double d = Double.parseDouble(v);
      return Double.isFinite(d) ? (Object) d : v;
    } catch (NumberFormatException e) {
      return v;
    }
  }
}
