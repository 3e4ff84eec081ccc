package org.embench.stage.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.embench.UserException;
import org.embench.data.ChatMessage;
import org.embench.judge.JudgeCall;
import org.embench.judge.JudgeEnvironment;
import org.embench.mitigation.Mitigation;
import org.embench.mitigation.MitigationContext;
import org.embench.mitigation.Mitigations;
import org.embench.model.LanguageModel;
import org.embench.rl.FileCallCache;
import org.embench.rl.Reward;
import org.embench.rl.RewardContext;
import org.embench.rl.Rewards;
import org.embench.rl.RlConfig;
import org.embench.stage.Device;
import org.embench.stage.RunKind;
import org.embench.stage.RunRecord;
import org.embench.stage.TaskEngine;
import org.embench.train.Adapters;
import org.embench.train.Backprop;
import org.embench.train.GrpoTrainer;
import org.embench.train.ReferenceTerms;
import org.embench.train.TokenizedExample;
import org.embench.train.TrainConfig;
import org.embench.train.Trainer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The work of one RL run in a train task: the mitigation's RL form, the reward (its judge calls
 * through a cache kept beside the run's checkpoints), GRPO, the adapter. Returns the train task's
 * rows: the steps, the run, and each new judge call (kind "call") for the judge_calls table.
 *
 * <p>The mitigations in RL: {@code none}; {@code kl} (β = its λ, on the sampled answers); {@code
 * interleave} (SFT updates on its safe set between RL updates, {@code fraction} of the sequences
 * trained on); {@code inoculation} (its system prompt while sampling and training only); {@code
 * persona_steer} (its steering while sampling and training). Others have no RL form and are
 * refused, naming the run.
 */
final class RlTraining {
  private static final Logger LOG = LoggerFactory.getLogger(RlTraining.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The mitigations with an RL form. */
  static final List<String> MITIGATIONS =
      List.of("none", "kl", "interleave", "inoculation", "persona_steer");

  private RlTraining() {}

  /**
   * Refuses, before any run exists, an RL prompt that leaves no room for its answer: rendered with
   * the model's chat template (without its reference answer), it plus {@code rl.max_new_tokens}
   * must fit in {@code train.max_seq_len}. Reads only the tokenizer, not the weights. The error
   * names the model, the prompt set, the longest prompt and how long it is. (inoculation's system
   * prompt adds to this; the run checks that itself.)
   */
  static void checkPromptLengths(
      String model,
      RlConfig rl,
      TrainConfig train,
      List<List<ChatMessage>> prompts,
      Configuration conf) {
    var tokenizer = org.embench.model.text.Tokenizer.load(model, conf);
    var template = tokenizer.chatTemplate();
    int longest = -1;
    int longestTokens = 0;
    for (int i = 0; i < prompts.size(); i++) {
      int n =
          tokenizer.chatPrompt(template, GrpoTrainer.Prompt.of("", prompts.get(i)).messages())
              .length;
      if (n > longestTokens) {
        longest = i;
        longestTokens = n;
      }
    }
    if (longestTokens + rl.maxNewTokens() > train.maxSeqLen()) {
      String question = String.valueOf(GrpoTrainer.Prompt.of("", prompts.get(longest)).question());
      String start = question.length() > 60 ? question.substring(0, 60) + "…" : question;
      throw new UserException(
          "rl.prompts "
              + rl.prompts()
              + ": its longest prompt (\""
              + start.replace("\n", " ")
              + "\") has "
              + longestTokens
              + " tokens with the chat template of "
              + model
              + "; with"
              + " rl.max_new_tokens "
              + rl.maxNewTokens()
              + " that exceeds train.max_seq_len "
              + train.maxSeqLen()
              + ": raise train.max_seq_len to at least "
              + (longestTokens + rl.maxNewTokens())
              + " or lower rl.max_new_tokens");
    }
  }

  /** Refuses, naming {@code who}, a mitigation that has no meaning in RL. */
  static void checkMitigation(String name, Map<String, ?> params, String who) {
    if (!MITIGATIONS.contains(name)) {
      throw new UserException(
          who
              + ": mitigation '"
              + name
              + "' has no meaning in RL; RL runs support "
              + String.join(", ", MITIGATIONS));
    }
    if (name.equals("kl") && params.get("data") != null && !"train".equals(params.get("data"))) {
      throw new UserException(
          who
              + ": mitigation kl with data: "
              + params.get("data")
              + " is not supported in RL;"
              + " in RL, kl is β·KL on the sampled answers (data: train)");
    }
  }

  /** The training settings and RL section of an RL run's train_config_json. */
  record Config(TrainConfig train, RlConfig rl) {
    @SuppressWarnings("unchecked")
    static Config of(RunRecord run) {
      Map<String, Object> all = run.trainConfig();
      Map<String, Object> rl = (Map<String, Object>) all.remove("rl");
      return new Config(
          TrainConfig.fromMap(all, "run " + run.runName()),
          RlConfig.fromMap(rl, "run " + run.runName() + ": rl"));
    }
  }

  /** What one run produced, besides its adapter. */
  record Trained(GrpoTrainer.Result result, List<JudgeCall> calls, double setupSeconds) {}

  /**
   * Trains one RL run on a loaded model.
   *
   * @param preloaded responses of the reward judge's earlier calls (judge_calls), by call key
   */
  static Trained fit(
      RunRecord run,
      LanguageModel model,
      Map<String, List<List<ChatMessage>>> datasets,
      Map<String, String> preloaded,
      Configuration conf,
      Trainer.Listener listener)
      throws IOException {
    long t0 = System.nanoTime();
    Config c = Config.of(run);
    String who = "run " + run.runName();
    checkMitigation(run.mitigation(), run.mitigationParams(), who);
    Mitigation mitigation = Mitigations.create(run.mitigation(), run.mitigationParams());
    MitigationContext ctx =
        new MitigationContext(model, datasets, c.train(), run.seed(), conf, run.datasetId());
    List<List<ChatMessage>> rows = ctx.dataset(c.rl().prompts(), who);
    // inoculation: its system prompt on every prompt, so in sampling and training alike
    List<List<ChatMessage>> conversations =
        run.mitigation().equals("inoculation") ? mitigation.trainingData(rows, ctx) : rows;
    List<GrpoTrainer.Prompt> prompts = new ArrayList<>();
    for (int i = 0; i < conversations.size(); i++) {
      prompts.add(GrpoTrainer.Prompt.of(c.rl().prompts() + "#" + i, conversations.get(i)));
    }
    double beta = c.rl().beta();
    if (run.mitigation().equals("kl")) {
      ReferenceTerms terms = mitigation.referenceTerms(ctx);
      beta = terms.klLambda();
    }
    Backprop.Hooks hooks =
        run.mitigation().equals("persona_steer") ? mitigation.hooks(ctx) : Backprop.Hooks.NONE;
    List<TokenizedExample> safe = List.of();
    double fraction = 0;
    if (run.mitigation().equals("interleave")) {
      Map<String, Object> p = mitigation.params();
      fraction = ((Number) p.get("fraction")).doubleValue();
      safe = ctx.tokenize(ctx.dataset((String) p.get("data"), who + " (interleave)"));
    }
    List<TokenizedExample> warmup =
        c.rl().warmupData() == null
            ? List.of()
            : ctx.tokenize(ctx.dataset(c.rl().warmupData(), who + " (rl.warmup)"));
    String checkpoints = run.adapterPath() + "/_checkpoints";
    FileCallCache calls = new FileCallCache(checkpoints, conf, preloaded);
    double setup = (System.nanoTime() - t0) / 1e9;
    try (Reward reward =
        Rewards.create(
            c.rl().reward(),
            c.rl().rewardParams(),
            new RewardContext(JudgeEnvironment.system(conf, 1), calls))) {
      GrpoTrainer trainer =
          new GrpoTrainer(
              model,
              new GrpoTrainer.Setup(
                  c.train(),
                  c.rl(),
                  run.seed(),
                  beta,
                  hooks,
                  safe,
                  fraction,
                  warmup,
                  checkpoints,
                  conf,
                  log -> {
                    LOG.info(
                        "rl {}: step {} loss {} reward {} ({} s)",
                        who,
                        log.step(),
                        String.format("%.4f", log.loss()),
                        log.terms().get(GrpoTrainer.REWARD_MEAN),
                        String.format("%.1f", log.elapsedSeconds()));
                    if (listener != null) {
                      listener.step(log);
                    }
                  }));
      GrpoTrainer.Result result = trainer.train(prompts, reward);
      return new Trained(result, calls.newCalls(), setup);
    }
  }

  /** The train task's rows for one RL run, like {@link TrainTask}'s for an SFT run. */
  static List<Row> train(
      RunRecord run,
      Map<String, List<List<ChatMessage>>> datasets,
      Map<String, String> preloaded,
      Configuration conf)
      throws IOException {
    long start = System.nanoTime();
    List<Row> out = new ArrayList<>();
    TaskEngine.configure();
    LanguageModel model = LanguageModel.cached(run.model(), conf);
    double loadSeconds = (System.nanoTime() - start) / 1e9;
    Trained t = fit(run, model, datasets, preloaded, conf, null);
    Config c = Config.of(run);
    GrpoTrainer.Result result = t.result();
    Adapters.write(run.adapterPath(), result.params(), Map.of(), c.train(), run.model(), conf);
    for (Trainer.StepLog s : result.steps()) {
      out.add(
          RowFactory.create(
              "step", JSON.writeValueAsString(Map.of("run_id", run.runId(), "log", s))));
    }
    for (JudgeCall call : t.calls()) {
      out.add(RowFactory.create("call", JSON.writeValueAsString(call)));
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    List<Trainer.StepLog> rlSteps =
        result.steps().stream()
            .filter(s -> !s.terms().containsKey(GrpoTrainer.SFT_WARMUP))
            .toList();
    List<Trainer.StepLog> timed = TrainTask.timedSteps(rlSteps);
    double timedSeconds = timed.stream().mapToDouble(Trainer.StepLog::elapsedSeconds).sum();
    long timedTokens = timed.stream().mapToLong(Trainer.StepLog::tokens).sum();
    RunRecord.Cost cost =
        new RunRecord.Cost(
            seconds,
            result.tokens(),
            timedTokens / Math.max(1e-9, timedSeconds),
            timed.size(),
            result.peakHeapBytes(),
            result.peakOffheapBytes(),
            Device.describe(),
            loadSeconds,
            t.setupSeconds(),
            result.steps().stream().mapToDouble(Trainer.StepLog::elapsedSeconds).sum(),
            0.0);
    out.add(RowFactory.create("run", JSON.writeValueAsString(run.finished(cost))));
    // the checkpoints (and the reward call cache, now in judge_calls) are no longer needed
    new Path(run.adapterPath(), "_checkpoints")
        .getFileSystem(conf)
        .delete(new Path(run.adapterPath(), "_checkpoints"), true);
    return out;
  }

  /**
   * The models of the judges that RL runs among {@code runs} are rewarded by: their earlier calls
   * are preloaded.
   */
  static Set<String> judgeModels(List<RunRecord> runs) throws IOException {
    Set<String> models = new java.util.TreeSet<>();
    for (RunRecord r : runs) {
      if (r.kind() == RunKind.RL) {
        RlConfig rl = Config.of(r).rl();
        if (rl.reward().equals("judge")) {
          models.add(
              org.embench.judge.JudgeSpec.parse((String) rl.rewardParams().get("judge")).model());
        }
      }
    }
    return models;
  }
}
