package org.embench.cli;

import java.util.List;
import java.util.concurrent.Callable;
import org.embench.UserException;
import org.embench.bench.MetricsBenchmark;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = "Benchmarks whose figures go into BENCHMARKS.md.",
    subcommands = {
      BenchCommand.Metrics.class,
      BenchCommand.Report.class,
      BenchCommand.Generate.class,
      BenchCommand.Capability.class,
      BenchCommand.GenerateStage.class,
      BenchCommand.Train.class,
      BenchCommand.Grpo.class,
      BenchCommand.Judge.class
    })
final class BenchCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  @Command(
      name = "metrics",
      mixinStandardHelpOptions = true,
      description = {
        "Write N synthetic judgments into the warehouse (replacing its judgments and runs) and time the metrics stage.",
        "Use a scratch warehouse: this overwrites tables."
      })
  static final class Metrics implements Callable<Integer> {
    @Mixin WarehouseOptions warehouse;

    @Option(
        names = "--rows",
        defaultValue = "1000000",
        paramLabel = "N",
        description = "Judgments to generate. Default: ${DEFAULT-VALUE}.")
    long rows;

    @Option(
        names = "--questions",
        defaultValue = "100",
        paramLabel = "Q",
        description = "Questions per run. Default: ${DEFAULT-VALUE}.")
    int questions;

    @Option(
        names = "--samples",
        defaultValue = "100",
        paramLabel = "S",
        description = "Answers per question and run. Default: ${DEFAULT-VALUE}.")
    int samples;

    @Override
    public Integer call() {
      if (rows < 2 || questions < 1 || samples < 1) {
        throw new UserException("--rows must be at least 2, --questions and --samples at least 1");
      }
      var w = warehouse.open("bench metrics");
      System.out.println(MetricsBenchmark.run(w, rows, questions, samples).describe());
      return 0;
    }
  }

  @Command(
      name = "report",
      mixinStandardHelpOptions = true,
      description = {
        "Time the report on a warehouse as it is (e.g. after bench metrics --rows 10000000), twice: the"
            + " first in a cold JVM, the second warm."
      })
  static final class Report implements Callable<Integer> {
    @Mixin WarehouseOptions warehouse;

    @Option(
        names = "--out",
        paramLabel = "URI",
        description = "Report folder. Default: <warehouse>/_report.")
    String out;

    @Override
    public Integer call() {
      var w = warehouse.open("bench report");
      var options =
          new org.embench.metrics.report.ReportJob.Options(
              out, null, null, org.embench.metrics.report.ReportJob.DEFAULT_MAX_PANELS);
      for (String pass : new String[] {"cold", "warm"}) {
        var r = org.embench.metrics.report.ReportJob.run(w, options);
        System.out.println(pass + ": " + r.describe());
      }
      return 0;
    }
  }

  @Command(
      name = "generate",
      mixinStandardHelpOptions = true,
      description = {
        "Prefill and decode tokens/s of the engine on a random checkpoint shaped like Qwen2.5-0.5B "
            + "(24 layers, hidden 896, 14 heads, 2 KV heads, intermediate 4864, vocab 151936), at several batch sizes, "
            + "each as a fraction of the bound measured on this machine (GEMM rate for batched decoding, memory "
            + "bandwidth over weight bytes for batch 1). Needs about 3 GB of memory."
      })
  static final class Generate implements Callable<Integer> {
    @Option(
        names = "--batch",
        split = ",",
        defaultValue = "1,8,32,64",
        paramLabel = "B,B,…",
        description = "Batch sizes. Default: ${DEFAULT-VALUE}.")
    int[] batches;

    @Option(
        names = "--prompt-tokens",
        defaultValue = "64",
        paramLabel = "N",
        description = "Prompt length. Default: ${DEFAULT-VALUE}.")
    int promptTokens;

    @Option(
        names = "--decode-steps",
        defaultValue = "16",
        paramLabel = "N",
        description = "Decode steps timed. Default: ${DEFAULT-VALUE}.")
    int decodeSteps;

    @Option(
        names = "--layers",
        defaultValue = "24",
        paramLabel = "N",
        description = "Layers (fewer for a quick look). Default: ${DEFAULT-VALUE}.")
    int layers;

    @picocli.CommandLine.Mixin EngineOptions engine;

    @Override
    public Integer call() {
      engine.apply();
      org.embench.bench.EngineBenchmark.Shape s =
          org.embench.bench.EngineBenchmark.Shape.QWEN25_05B;
      new org.embench.bench.EngineBenchmark(org.embench.model.Engine.shared(), System.out)
          .run(
              new org.embench.bench.EngineBenchmark.Shape(
                  layers, s.hidden(), s.heads(), s.kvHeads(), s.intermediate(), s.vocab()),
              batches,
              promptTokens,
              decodeSteps);
      return 0;
    }
  }

  @Command(
      name = "capability",
      mixinStandardHelpOptions = true,
      description = {
        "Multiple-choice scoring items/s (the choice task's log-likelihood path) on a random checkpoint "
            + "shaped like Qwen2.5-0.5B, next to the engine's prefill tokens/s at the same batch in the same JVM, and "
            + "the fraction of the prefill rate the item rate reaches. Needs about 3 GB of memory."
      })
  static final class Capability implements Callable<Integer> {
    @Option(
        names = "--batch",
        split = ",",
        defaultValue = "16",
        paramLabel = "B,B,…",
        description = "Items per forward pass. Default: ${DEFAULT-VALUE}.")
    int[] batches;

    @Option(
        names = "--prompt-tokens",
        defaultValue = "200",
        paramLabel = "N",
        description = "Prompt length. Default: ${DEFAULT-VALUE}.")
    int promptTokens;

    @Option(
        names = "--choices",
        defaultValue = "4",
        paramLabel = "N",
        description = "Choices per item. Default: ${DEFAULT-VALUE}.")
    int choices;

    @Option(
        names = "--choice-tokens",
        defaultValue = "3",
        paramLabel = "N",
        description = "Tokens per choice. Default: ${DEFAULT-VALUE}.")
    int choiceTokens;

    @Option(
        names = "--items-per-batch",
        defaultValue = "2",
        paramLabel = "N",
        description = "Batches of items timed per measurement. Default: ${DEFAULT-VALUE}.")
    int itemsPerBatch;

    @Option(
        names = "--layers",
        defaultValue = "24",
        paramLabel = "N",
        description = "Layers (fewer for a quick look). Default: ${DEFAULT-VALUE}.")
    int layers;

    @picocli.CommandLine.Mixin EngineOptions engine;

    @Override
    public Integer call() {
      engine.apply();
      org.embench.bench.EngineBenchmark.Shape s =
          org.embench.bench.EngineBenchmark.Shape.QWEN25_05B;
      new org.embench.bench.LoglikBenchmark(org.embench.model.Engine.shared(), System.out)
          .run(s.withLayers(layers), batches, promptTokens, choices, choiceTokens, itemsPerBatch);
      return 0;
    }
  }

  @Command(
      name = "train",
      mixinStandardHelpOptions = true,
      description = {
        "LoRA training tokens/s on a random checkpoint shaped like Qwen2.5-0.5B, as a fraction of the FLOP "
            + "bound from the GEMM rate this command measures; then each mitigation on the same run shape, its time and "
            + "memory as a ratio to none. Writes random checkpoints (2 GB each at 24 layers) under --dir and reuses them."
      })
  static final class Train implements Callable<Integer> {
    @Mixin RandomCheckpointOptions checkpoint;

    @Option(
        names = "--seq-len",
        defaultValue = "256",
        paramLabel = "T",
        description = "Tokens per sequence. Default: ${DEFAULT-VALUE}.")
    int seqLen;

    @Option(
        names = "--batch",
        defaultValue = "2",
        paramLabel = "B",
        description = "Sequences per step. Default: ${DEFAULT-VALUE}.")
    int batch;

    @Option(
        names = "--steps",
        defaultValue = "3",
        paramLabel = "N",
        description =
            "Timed steps per mitigation (after one warm-up step). Default: ${DEFAULT-VALUE}.")
    int steps;

    @Option(
        names = "--mitigations",
        split = ",",
        paramLabel = "M,M,…",
        defaultValue = "none,kl,ldifs,interleave,inoculation,persona_steer,caft,safelora,realign",
        description =
            "Mitigations to time (none first: the others are compared with it). Default: ${DEFAULT-VALUE}.")
    List<String> mitigations;

    @Option(
        names = "--target-modules",
        split = ",",
        paramLabel = "M,M,…",
        description =
            "Adapted projections, e.g. down_proj for the minimal organism. Default: all seven.")
    List<String> targetModules = List.of();

    @Option(
        names = "--adapt-layers",
        split = ",",
        paramLabel = "L,L,…",
        description = "Adapted layers, e.g. 12 for the minimal organism. Default: every layer.")
    List<Integer> adaptLayers = List.of();

    @Option(
        names = "--full-backward",
        description =
            "Backward through every layer and a separate KL reference pass, as before training skipped "
                + "the layers below the lowest adapted one (to measure what that saves).")
    boolean fullBackward;

    @Mixin EngineOptions engine;

    @Override
    public Integer call() {
      checkpoint.check();
      if (seqLen < 8 || batch < 1 || steps < 1) {
        throw new UserException("--batch and --steps must be at least 1, --seq-len at least 8");
      }
      engine.apply();
      new org.embench.bench.TrainBenchmark(System.out)
          .run(
              new org.embench.bench.TrainBenchmark.Options(
                  java.nio.file.Path.of(checkpoint.dir).toAbsolutePath().toString(),
                  checkpoint.layers,
                  seqLen,
                  batch,
                  steps,
                  checkpoint.rank,
                  mitigations,
                  targetModules,
                  adaptLayers,
                  fullBackward));
      return 0;
    }
  }

  @Command(
      name = "grpo",
      mixinStandardHelpOptions = true,
      description = {
        "One GRPO step on a random checkpoint shaped like Qwen2.5-0.5B (random prompts, G answers each of "
            + "exactly --new-tokens tokens, a programmatic reward), split into sampling, reward, the reference's "
            + "log-probabilities and the update; sampling as decode tokens/s (compare bench generate at batch "
            + "prompts x G) and the update as training tokens/s (compare bench train). Written up in BENCHMARKS.md."
      })
  static final class Grpo implements Callable<Integer> {
    @Mixin RandomCheckpointOptions checkpoint;

    @Option(
        names = "--prompts",
        defaultValue = "8",
        paramLabel = "N",
        description = "Prompts per step. Default: ${DEFAULT-VALUE}.")
    int prompts;

    @Option(
        names = "--group",
        defaultValue = "4",
        paramLabel = "G",
        description = "Answers per prompt. Default: ${DEFAULT-VALUE}.")
    int group;

    @Option(
        names = "--new-tokens",
        defaultValue = "128",
        paramLabel = "N",
        description = "Answer tokens. Default: ${DEFAULT-VALUE}.")
    int newTokens;

    @Option(
        names = "--prompt-tokens",
        defaultValue = "64",
        paramLabel = "N",
        description = "Approximate prompt length. Default: ${DEFAULT-VALUE}.")
    int promptTokens;

    @Option(
        names = "--batch",
        defaultValue = "2",
        paramLabel = "B",
        description = "Sequences per micro-batch of the update. Default: ${DEFAULT-VALUE}.")
    int batch;

    @Option(
        names = "--beta",
        defaultValue = "0.1",
        paramLabel = "β",
        description =
            "β of the KL step (the reference's cost is its update minus β = 0's). Default: ${DEFAULT-VALUE}.")
    double beta;

    @Mixin EngineOptions engine;

    @Override
    public Integer call() {
      checkpoint.check();
      if (prompts < 1 || newTokens < 1 || promptTokens < 1 || batch < 1 || !(beta > 0)) {
        throw new UserException(
            "--prompts, --new-tokens, --prompt-tokens and --batch must be at least 1, --beta above 0");
      }
      engine.apply();
      new org.embench.bench.GrpoBenchmark(System.out)
          .run(
              new org.embench.bench.GrpoBenchmark.Options(
                  checkpoint.dir,
                  checkpoint.layers,
                  prompts,
                  group,
                  newTokens,
                  promptTokens,
                  checkpoint.rank,
                  batch,
                  beta));
      return 0;
    }
  }

  @Command(
      name = "generate-stage",
      mixinStandardHelpOptions = true,
      description = {
        "The generate stage's overhead over the engine's own sampling: the stage samples a suite from a random "
            + "checkpoint shaped like Qwen2.5-0.5B through Spark, then the engine samples the same requests (prompts and "
            + "seeds read back from the stage's rows) in the same JVM. Use a scratch warehouse."
      })
  static final class GenerateStage implements Callable<Integer> {
    @Mixin WarehouseOptions warehouse;

    @Option(
        names = "--model-dir",
        defaultValue = "target/bench-train",
        paramLabel = "DIR",
        description =
            "Where the random checkpoint is written (reused; shared with bench train). Default: ${DEFAULT-VALUE}.")
    String modelDir;

    @Option(
        names = "--layers",
        defaultValue = "24",
        paramLabel = "N",
        description = "Layers. Default: ${DEFAULT-VALUE}.")
    int layers;

    @Option(
        names = "--questions",
        defaultValue = "4",
        paramLabel = "Q",
        description = "Questions. Default: ${DEFAULT-VALUE}.")
    int questions;

    @Option(
        names = "--samples",
        defaultValue = "16",
        paramLabel = "S",
        description = "Answers per question. Default: ${DEFAULT-VALUE}.")
    int samples;

    @Option(
        names = "--max-new-tokens",
        defaultValue = "160",
        paramLabel = "N",
        description = "Tokens per answer. Default: ${DEFAULT-VALUE}.")
    int maxNewTokens;

    @Option(
        names = "--batch",
        defaultValue = "64",
        paramLabel = "B",
        description = "Sequences decoded together. Default: ${DEFAULT-VALUE}.")
    int batch;

    @Mixin EngineOptions engine;

    @Override
    public Integer call() {
      if (layers < 1 || questions < 1 || samples < 1 || maxNewTokens < 1 || batch < 1) {
        throw new UserException(
            "--layers, --questions, --samples, --max-new-tokens and --batch must be at least 1");
      }
      engine.apply();
      var w = warehouse.open("bench generate-stage");
      System.out.println(
          org.embench.bench.GenerationStageBenchmark.run(
                  w,
                  new org.embench.bench.GenerationStageBenchmark.Options(
                      java.nio.file.Path.of(modelDir).toAbsolutePath().toString(),
                      layers,
                      questions,
                      samples,
                      maxNewTokens,
                      batch),
                  System.out)
              .describe());
      return 0;
    }
  }

  @Command(
      name = "judge",
      mixinStandardHelpOptions = true,
      description = {
        "The OpenAI-compatible judge's throughput against a loopback server with a fixed simulated latency, "
            + "as a fraction of the bound concurrency / latency."
      })
  static final class Judge implements Callable<Integer> {
    @Option(
        names = "--requests",
        defaultValue = "2000",
        paramLabel = "N",
        description = "Timed requests. Default: ${DEFAULT-VALUE}.")
    int requests;

    @Option(
        names = "--latency-ms",
        defaultValue = "50",
        paramLabel = "MS",
        description = "Server latency. Default: ${DEFAULT-VALUE}.")
    int latencyMs;

    @Option(
        names = "--concurrency",
        defaultValue = "16",
        paramLabel = "C",
        description = "Requests in flight. Default: ${DEFAULT-VALUE}.")
    int concurrency;

    @Override
    public Integer call() {
      if (requests < 1 || latencyMs < 1 || concurrency < 1) {
        throw new UserException("--requests, --latency-ms and --concurrency must be at least 1");
      }
      System.out.println(
          org.embench.bench.JudgeThroughputBenchmark.run(requests, latencyMs, concurrency)
              .describe());
      return 0;
    }
  }
}
