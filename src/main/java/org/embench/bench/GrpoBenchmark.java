package org.embench.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.embench.data.ChatMessage;
import org.embench.model.Engine;
import org.embench.model.LanguageModel;
import org.embench.model.ModelConfig;
import org.embench.rl.Reward;
import org.embench.rl.RlConfig;
import org.embench.train.Backprop;
import org.embench.train.GrpoTrainer;
import org.embench.train.TrainConfig;
import org.embench.train.Trainer;

/**
 * {@code bench grpo}: one GRPO step on a random checkpoint of a real model's shape (by default
 * Qwen2.5-0.5B's), split into its phases: sampling (prompts × G answers of exactly the new-token
 * budget: the random model rarely stops early), reward (a programmatic reward: a hash of the
 * sample's id, so that no two answers tie and every sample is trained on), the reference
 * log-probabilities (β·KL's frozen pass: the same step's update with β &gt; 0 minus its update with
 * β = 0, both from the same parameters and so on the same samples) and the update (forward and
 * backward of the policy term on every answer token, and AdamW). Sampling is reported as decode
 * tokens/s, to set beside {@code bench generate}'s batched decode rate at the same batch, and the
 * update as training tokens/s, beside {@code bench train}'s.
 */
public final class GrpoBenchmark {
  /** What to run. */
  public record Options(
      String dir,
      int layers,
      int prompts,
      int group,
      int newTokens,
      int promptTokens,
      int rank,
      int batch,
      double beta) {}

  private final PrintStream out;

  public GrpoBenchmark(PrintStream out) {
    this.out = out;
  }

  /** The measured phases of one step: seconds each, and the tokens they processed. */
  public record Split(
      double samplingSeconds,
      double rewardSeconds,
      double referenceSeconds,
      double updateSeconds,
      long answerTokens,
      long sequenceTokens) {}

  public Split run(Options o) {
    Configuration conf = new Configuration();
    ModelConfig.Builder shape = EngineBenchmark.Shape.QWEN25_05B.withLayers(o.layers()).builder();
    String model =
        TrainBenchmark.randomCheckpoint(o.dir() + "/model-" + o.layers(), shape, 1, conf, out);
    out.printf(Locale.ROOT, "engine: %s%n", Engine.shared().backend().describe());
    LanguageModel lm = LanguageModel.load(model, conf, Engine.shared());
    List<GrpoTrainer.Prompt> prompts = new ArrayList<>();
    List<List<ChatMessage>> conversations =
        TrainBenchmark.conversations(lm, o.promptTokens(), o.prompts(), 5);
    for (int i = 0; i < conversations.size(); i++) {
      prompts.add(GrpoTrainer.Prompt.of("p" + i, conversations.get(i).subList(0, 1)));
    }
    int promptLength = lm.chatPrompt(prompts.get(0).messages()).length;
    TrainConfig train =
        TrainConfig.fromMap(
            Map.of(
                "rank",
                o.rank(),
                "alpha",
                2 * o.rank(),
                "batch_size",
                o.batch(),
                "warmup_steps",
                0,
                "schedule",
                "constant",
                "max_seq_len",
                promptLength + o.newTokens() + 64),
            "bench grpo");
    out.printf(
        Locale.ROOT,
        "shape: %d layers, vocab %d; LoRA r=%d; %d prompts (%d tokens) x G %d, %d new tokens;"
            + " updates in micro-batches of %d sequences%n",
        lm.config().numLayers(),
        lm.config().vocabSize(),
        o.rank(),
        o.prompts(),
        promptLength,
        o.group(),
        o.newTokens(),
        o.batch());

    // An untimed short step first: the JIT and the first large allocations.
    long w0 = System.nanoTime();
    step(lm, train, rl(o, 8), 0, prompts);
    out.printf(
        Locale.ROOT,
        "warm-up (an untimed step with 8 new tokens): %.1f s%n",
        (System.nanoTime() - w0) / 1e9);
    Trainer.StepLog free = step(lm, train, rl(o, o.newTokens()), 0, prompts);
    Trainer.StepLog kl = step(lm, train, rl(o, o.newTokens()), o.beta(), prompts);
    Map<String, Double> t = free.terms();
    double reference = kl.terms().get("update_s") - t.get("update_s");
    long answers = Math.round(t.get(GrpoTrainer.SAMPLE_LENGTH) * o.prompts() * o.group());
    Split split =
        new Split(
            t.get("sampling_s"),
            t.get("reward_s"),
            reference,
            t.get("update_s"),
            answers,
            free.tokens());
    double total =
        split.samplingSeconds() + split.rewardSeconds() + reference + split.updateSeconds();
    out.println();
    out.println("| phase | seconds | share | rate |");
    out.println("|---|---:|---:|---|");
    out.printf(
        Locale.ROOT,
        "| sampling | %.1f | %.0f %% | %.2f answer tokens/s (%d tokens, batch %d) |%n",
        split.samplingSeconds(),
        100 * split.samplingSeconds() / total,
        answers / split.samplingSeconds(),
        answers,
        o.prompts() * o.group());
    out.printf(
        Locale.ROOT,
        "| reward (programmatic) | %.3f | %.1f %% | |%n",
        split.rewardSeconds(),
        100 * split.rewardSeconds() / total);
    out.printf(
        Locale.ROOT,
        "| reference log-probs (β %.2g) | %.1f | %.0f %% | the update with β minus without |%n",
        o.beta(),
        reference,
        100 * reference / total);
    out.printf(
        Locale.ROOT,
        "| update | %.1f | %.0f %% | %.2f training tokens/s (%d tokens) |%n",
        split.updateSeconds(),
        100 * split.updateSeconds() / total,
        free.tokens() / split.updateSeconds(),
        free.tokens());
    out.printf(
        Locale.ROOT,
        "step total %.1f s (β = 0: %.1f s; β = %.2g: %.1f s)%n",
        total,
        free.elapsedSeconds(),
        o.beta(),
        kl.elapsedSeconds());
    return split;
  }

  private static RlConfig rl(Options o, int newTokens) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("prompts", "bench");
    m.put(
        "reward",
        Map.of("regex", Map.of("pattern", "x"))); // recorded only: the step is rewarded by HASHED
    m.put("group_size", o.group());
    m.put("max_new_tokens", newTokens);
    m.put("steps", 1);
    m.put("prompts_per_step", o.prompts());
    return RlConfig.fromMap(m, "bench grpo");
  }

  private Trainer.StepLog step(
      LanguageModel lm,
      TrainConfig train,
      RlConfig rl,
      double beta,
      List<GrpoTrainer.Prompt> prompts) {
    GrpoTrainer.Result r =
        new GrpoTrainer(
                lm,
                new GrpoTrainer.Setup(
                    train,
                    rl,
                    1,
                    beta,
                    Backprop.Hooks.NONE,
                    List.of(),
                    0,
                    List.of(),
                    null,
                    new Configuration(),
                    null))
            .train(prompts, HASHED);
    return r.steps().get(0);
  }

  /**
   * A reward in [0, 1) from a hash of the sample's id: no two samples tie (the random checkpoint's
   * peaked logits often give a group the same answer, whose rewards would tie and train nothing).
   */
  static final Reward HASHED =
      new Reward() {
        @Override
        public String name() {
          return "hashed";
        }

        @Override
        public Map<String, Object> params() {
          return Map.of();
        }

        @Override
        public List<Score> score(List<Sample> samples) {
          return samples.stream()
              .map(s -> Score.ok((s.id().hashCode() & 0xffff) / 65536.0))
              .toList();
        }
      };
}
