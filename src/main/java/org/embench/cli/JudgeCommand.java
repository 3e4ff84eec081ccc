package org.embench.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.embench.judge.JudgeSpec;
import org.embench.stage.judge.JudgeJob;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "judge",
    mixinStandardHelpOptions = true,
    description = {
      "Judge generations (sampled or imported) on every metric of their suite's judge prompts; only the "
          + "(generation, judge, metric) not judged yet. Re-scoring old generations with a new judge is just this with a "
          + "new --judge.",
      "SPEC: kind:model[,key=value...], a JSON object, or @file.yaml. Kinds: openai (any OpenAI-compatible endpoint; "
          + "the key comes from the variable named by api_key_env, OPENAI_API_KEY by default), local (a model directory), "
          + "offline (a deterministic smoke-test judge whose numbers mean nothing).",
      "Examples: openai:gpt-4o-2024-08-06   openai:qwen,base_url=http://localhost:8000/v1,requests_per_minute=2000   "
          + "local:/models/Qwen2.5-7B-Instruct   offline"
    })
final class JudgeCommand implements Callable<Integer> {
  @Mixin WarehouseOptions warehouse;

  @Option(
      names = "--judge",
      required = true,
      paramLabel = "SPEC",
      description = "The judge (see above).")
  String judge;

  @Option(
      names = "--suite",
      paramLabel = "NAME",
      description = "Judge only these suites (repeatable; default all).")
  List<String> suites = new ArrayList<>();

  @Option(
      names = "--run",
      paramLabel = "ID|NAME",
      description = "Judge only these runs (repeatable; default all).")
  List<String> runs = new ArrayList<>();

  @Option(
      names = "--batch",
      defaultValue = "" + JudgeJob.DEFAULT_BATCH,
      paramLabel = "N",
      description = "Requests handed to the judge at once per task. Default: ${DEFAULT-VALUE}.")
  int batch;

  @Option(
      names = "--wave",
      defaultValue = "" + JudgeJob.DEFAULT_WAVE,
      paramLabel = "N",
      description =
          "Judgments written per wave; a killed job loses at most one wave. Default: ${DEFAULT-VALUE}.")
  int wave;

  @Option(
      names = "--retry-failed",
      description =
          "Judge again the judgments of this judge that failed (status other than ok/low_numeric_mass).")
  boolean retryFailed;

  @Override
  public Integer call() {
    JudgeSpec spec = JudgeSpec.parse(judge);
    var w = warehouse.open("judge");
    System.out.println(
        JudgeJob.run(w, new JudgeJob.Options(spec, suites, runs, batch, wave, retryFailed))
            .describe());
    return 0;
  }
}
