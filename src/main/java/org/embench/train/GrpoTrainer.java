package org.embench.train;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.hadoop.conf.Configuration;
import org.embench.UserException;
import org.embench.data.ChatMessage;
import org.embench.model.ForwardHooks;
import org.embench.model.Generator;
import org.embench.model.LanguageModel;
import org.embench.model.Lora;
import org.embench.model.SamplingParams;
import org.embench.model.Transformer;
import org.embench.rl.Reward;
import org.embench.rl.RlConfig;
import org.embench.table.Ids;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * GRPO on the training engine. One step:
 *
 * <ol>
 *   <li><b>sample</b>: {@code prompts_per_step} prompts (a seeded order per pass over the set), G
 *       answers each from the current policy at the RL temperature, each answer's generator seeded
 *       from its id (run seed, step, prompt, index), with the training hooks on (persona steering
 *       steers what is sampled too);
 *   <li><b>reward</b>: the reward scores every answer; a failed score (a judge error) is a status,
 *       and its sample gets zero weight;
 *   <li><b>advantages</b>: within each group, the reward minus the group's mean, divided by the
 *       group's standard deviation (+1e-4) unless {@code scale_rewards: false};
 *   <li><b>update</b>: the clipped token-level policy term {@link Backprop.Policy} on the answers'
 *       tokens (the end-of-turn token included when the answer ended on it), averaged over all
 *       answer tokens of the step, plus β·KL(π_θ ‖ π_ref) per token with the adapter off, then
 *       AdamW; {@code iterations} updates on the same samples, the later ones with the sampling
 *       log-probabilities kept from before the first;
 *   <li><b>safe SFT</b> ({@code interleave}): an update of its own on safe conversations, as many
 *       as make them {@code fraction} of the sequences trained on.
 * </ol>
 *
 * <p>Checkpoints every {@code train.checkpoint_every} steps hold the parameters, the optimizer's
 * moments and the logs; since every sample's seed is a function of its step, a resumed run ends
 * with the parameters of an uninterrupted one. An optional SFT warm-up ({@code rl.warmup}) runs
 * first with {@link Trainer}; its steps come first in the logs, marked {@code sft_warmup = 1}.
 */
public final class GrpoTrainer {
  private static final Logger LOG = LoggerFactory.getLogger(GrpoTrainer.class);

  /**
   * One prompt: its conversation so far, its last user message, and the row's reference answer (or
   * null).
   */
  public record Prompt(String id, List<ChatMessage> messages, String question, String reference) {
    /**
     * A data set row as a prompt: a last assistant message is the reference answer and not part of
     * the prompt.
     */
    public static Prompt of(String id, List<ChatMessage> conversation) {
      List<ChatMessage> messages = conversation;
      String reference = null;
      if (!messages.isEmpty() && messages.get(messages.size() - 1).role().equals("assistant")) {
        reference = messages.get(messages.size() - 1).content();
        messages = messages.subList(0, messages.size() - 1);
      }
      String question = null;
      for (ChatMessage m : messages) {
        if (m.role().equals("user")) {
          question = m.content();
        }
      }
      if (question == null) {
        throw new UserException("RL prompt " + id + " has no user message");
      }
      return new Prompt(id, List.copyOf(messages), question, reference);
    }
  }

  /**
   * Everything an RL run trains with besides its prompts and reward.
   *
   * @param beta weight of KL(π_θ ‖ π_ref) per answer token
   * @param hooks changes to the residual stream while sampling and training (persona steering)
   * @param safe conversations for {@code interleave}'s SFT updates (empty for none)
   * @param safeFraction the share of safe sequences among those trained on
   * @param warmup SFT warm-up examples (empty for none), trained for {@code rl.warmup.steps}
   */
  public record Setup(
      TrainConfig train,
      RlConfig rl,
      long seed,
      double beta,
      Backprop.Hooks hooks,
      List<TokenizedExample> safe,
      double safeFraction,
      List<TokenizedExample> warmup,
      String checkpointDir,
      Configuration conf,
      Trainer.Listener listener) {}

  /** What RL produced. */
  public record Result(
      Map<String, TrainableLinear> params,
      List<Trainer.StepLog> steps,
      long tokens,
      double seconds,
      long peakHeapBytes,
      long peakOffheapBytes) {}

  /** Logged per step in train_steps.terms. */
  public static final String REWARD_MEAN = "reward_mean";

  public static final String REWARD_STD = "reward_std";
  public static final String REWARD_FAILED = "reward_failed";
  public static final String CLIP_FRACTION = "clip_fraction";
  public static final String SAMPLE_LENGTH = "sample_length";
  public static final String HACK_RATE = "hack_rate";
  public static final String SFT_WARMUP = "sft_warmup";

  private final LanguageModel model;
  private final Setup setup;
  private final TrainConfig cfg;
  private final RlConfig rl;
  private final Map<String, TrainableLinear> params;
  private final Backprop backprop;

  public GrpoTrainer(LanguageModel model, Setup setup) {
    this.model = model;
    this.setup = setup;
    this.cfg = setup.train();
    this.rl = setup.rl();
    if (!cfg.fullTrain().isEmpty()) {
      throw new UserException(
          "RL samples through the forward pass, which applies updates of the projections"
              + " only: train.full_train "
              + cfg.fullTrain()
              + " is not supported with rl");
    }
    this.params = Trainer.initialParams(model.config(), cfg, setup.seed());
    this.backprop =
        new Backprop(
            model.weights(), model.engine().backend(), model.engine().parallel(), params, Map.of());
  }

  public Map<String, TrainableLinear> params() {
    return params;
  }

  /**
   * Trains on {@code prompts} with {@code reward}, resuming from the newest checkpoint when there
   * is one.
   */
  public Result train(List<Prompt> prompts, Reward reward) {
    if (prompts.isEmpty()) {
      throw new UserException("no RL prompts");
    }
    int total = rl.totalSteps(prompts.size());
    Checkpoints checkpoints =
        setup.checkpointDir() == null
            ? null
            : new Checkpoints(setup.checkpointDir() + "/rl", setup.conf());
    List<Trainer.StepLog> logs = new ArrayList<>();
    int first = 0;
    Checkpoints.State resumed =
        checkpoints == null ? null : checkpoints.restoreLatest(params, Map.of(), Map.of());
    if (resumed != null) {
      first = resumed.step();
      logs.addAll(resumed.logs());
      LOG.info("resuming RL at step {} of {} from {}", first, total, setup.checkpointDir());
    } else if (rl.warmupSteps() > 0) {
      logs.addAll(warmUp());
    }
    int offset = rl.warmupSteps();
    long tokens = logs.stream().mapToLong(Trainer.StepLog::tokens).sum();
    long start = System.nanoTime();
    long peakOff = 0;
    AdapterGeometry geometry = new AdapterGeometry(model.engine().backend(), params, total);
    int perPass = (prompts.size() + rl.promptsPerStep() - 1) / rl.promptsPerStep();
    try (HeapPeak heap = HeapPeak.start()) {
      for (int s = first; s < total; s++) {
        Trainer.StepLog log = step(s, total, perPass, prompts, reward, geometry, offset);
        tokens += log.tokens();
        logs.add(log);
        heap.sample();
        peakOff = Math.max(peakOff, model.engine().backend().offHeapBytes());
        if (setup.listener() != null) {
          setup.listener().step(log);
        }
        if (checkpoints != null
            && cfg.checkpointEvery() > 0
            && (s + 1) % cfg.checkpointEvery() == 0
            && s + 1 < total) {
          checkpoints.save(s + 1, params, Map.of(), logs);
        }
      }
      Map<Integer, Map<String, Double>> cosines = geometry.cosinesWithFinal(params);
      logs.replaceAll(l -> l.withDirectionCosines(cosines.get(l.step() - offset)));
      return new Result(
          params, logs, tokens, (System.nanoTime() - start) / 1e9, heap.peakBytes(), peakOff);
    }
  }

  /** The SFT warm-up with the training settings, then fresh optimizer moments for RL. */
  private List<Trainer.StepLog> warmUp() {
    TrainConfig warm =
        TrainConfig.fromMap(withMaxSteps(cfg.toMap(), rl.warmupSteps()), "rl.warmup");
    // The warm-up is the same under every mitigation: the mitigations act on RL.
    Trainer trainer =
        new Trainer(
            model.weights(),
            model.engine(),
            new Trainer.Setup(
                warm,
                setup.seed(),
                Backprop.Hooks.NONE,
                ReferenceTerms.NONE,
                setup.checkpointDir() == null ? null : setup.checkpointDir() + "/warmup",
                setup.conf(),
                setup.listener()),
            params);
    Trainer.Result r = trainer.train(setup.warmup());
    for (TrainableLinear p : params.values()) {
      p.resetMoments();
    }
    List<Trainer.StepLog> out = new ArrayList<>();
    for (Trainer.StepLog l : r.steps()) {
      Map<String, Double> terms = new LinkedHashMap<>(l.terms());
      terms.put(SFT_WARMUP, 1.0);
      out.add(
          new Trainer.StepLog(
              l.step(),
              l.epoch(),
              l.loss(),
              l.taskLoss(),
              l.learningRate(),
              l.gradNorm(),
              l.tokens(),
              l.elapsedSeconds(),
              terms,
              l.adapterNorms(),
              null));
    }
    return out;
  }

  private static Map<String, Object> withMaxSteps(Map<String, Object> m, int steps) {
    Map<String, Object> out = new LinkedHashMap<>(m);
    out.put("max_steps", steps);
    // as many passes over the warm-up set as its steps need
    out.put("epochs", 1_000_000);
    return out;
  }

  /** One sampled answer with its reward. */
  private record Sample(
      int prompt, Generator.Result generated, String answer, Reward.Score score) {}

  private Trainer.StepLog step(
      int s,
      int total,
      int perPass,
      List<Prompt> prompts,
      Reward reward,
      AdapterGeometry geometry,
      int offset) {
    long t0 = System.nanoTime();
    int pass = s / perPass;
    int[] order =
        Trainer.permutation(prompts.size(), Ids.seedOf("rl-order|" + setup.seed() + "|" + pass));
    int within = s % perPass;
    List<Prompt> stepPrompts = new ArrayList<>();
    for (int i = within * rl.promptsPerStep();
        i < Math.min(prompts.size(), (within + 1) * rl.promptsPerStep());
        i++) {
      stepPrompts.add(prompts.get(order[i]));
    }
    // 1. sample
    List<int[]> promptIds = new ArrayList<>();
    List<Generator.Request> requests = new ArrayList<>();
    SamplingParams sampling = new SamplingParams(rl.temperature(), 1.0, 0, rl.maxNewTokens());
    for (int p = 0; p < stepPrompts.size(); p++) {
      int[] ids = model.chatPrompt(stepPrompts.get(p).messages());
      if (ids.length + rl.maxNewTokens() > cfg.maxSeqLen()) {
        throw new UserException(
            "RL prompt "
                + stepPrompts.get(p).id()
                + " has "
                + ids.length
                + " tokens: with"
                + " rl.max_new_tokens "
                + rl.maxNewTokens()
                + " it exceeds train.max_seq_len "
                + cfg.maxSeqLen());
      }
      promptIds.add(ids);
      for (int g = 0; g < rl.groupSize(); g++) {
        String id = Ids.of("rl-sample", setup.seed(), s + 1, stepPrompts.get(p).id(), g);
        requests.add(new Generator.Request(id, ids, Ids.seedOf(id), sampling));
      }
    }
    Transformer policy = model.transformer(upload());
    Backprop.Hooks hooks = setup.hooks();
    if (hooks != Backprop.Hooks.NONE) {
      policy.setHooks(
          new ForwardHooks() {
            @Override
            public void afterLayer(int layer, float[] hidden, int rows, int hiddenSize) {
              hooks.forward(layer, hidden, rows, hiddenSize);
            }
          });
    }
    List<Generator.Result> generated =
        model.generator(policy, requests.size(), 4 * 1024).generate(requests, null);
    long t1 = System.nanoTime();
    // 2. reward
    List<Reward.Sample> toScore = new ArrayList<>();
    List<String> answers = new ArrayList<>();
    for (int i = 0; i < generated.size(); i++) {
      Prompt p = stepPrompts.get(i / rl.groupSize());
      String answer = model.tokenizer().decode(generated.get(i).tokens(), true);
      answers.add(answer);
      toScore.add(new Reward.Sample(requests.get(i).id(), p.question(), p.reference(), answer));
    }
    List<Reward.Score> scores = reward.score(toScore);
    List<Sample> samples = new ArrayList<>();
    for (int i = 0; i < generated.size(); i++) {
      samples.add(new Sample(i / rl.groupSize(), generated.get(i), answers.get(i), scores.get(i)));
    }
    long t2 = System.nanoTime();
    // 3. advantages
    double[] rewards = new double[samples.size()];
    boolean[] ok = new boolean[samples.size()];
    for (int i = 0; i < samples.size(); i++) {
      ok[i] = samples.get(i).score().isOk() && Double.isFinite(samples.get(i).score().reward());
      rewards[i] = ok[i] ? samples.get(i).score().reward() : 0;
    }
    double[] advantages = advantages(rewards, ok, rl.groupSize(), rl.scaleRewards());
    // 4. the sequences trained on: prompt + answer (+ the stop token it ended on)
    List<TokenizedExample> sequences = new ArrayList<>();
    for (int i = 0; i < samples.size(); i++) {
      sequences.add(sequence(promptIds.get(samples.get(i).prompt()), samples.get(i).generated()));
    }
    long answerTokens = sequences.stream().mapToLong(TokenizedExample::learnedTokens).sum();
    // The step's work is every sample's prompt and answer, sampled and (unless its advantage is 0
    // with no KL) trained on: its tokens, whatever the update skips.
    long stepTokens = sequences.stream().mapToLong(e -> e.ids().length).sum();
    double normalizer = Math.max(1, answerTokens);
    List<Integer> trained = new ArrayList<>();
    for (int i = 0; i < sequences.size(); i++) {
      // A sample with advantage 0 adds nothing to the policy term: without KL it is not run at all.
      if (sequences.get(i).learnedTokens() > 0 && (advantages[i] != 0 || setup.beta() > 0)) {
        trained.add(i);
      }
    }
    List<List<Integer>> micro = TokenizedExample.chunks(trained, cfg.batchSize());
    List<Backprop.Batch> batches = new ArrayList<>();
    List<float[]> rowAdvantages = new ArrayList<>();
    for (List<Integer> m : micro) {
      List<TokenizedExample> ex = m.stream().map(sequences::get).toList();
      Backprop.Batch b = TokenizedExample.pack(ex);
      batches.add(b);
      float[] adv = new float[b.lossRows()];
      int row = 0;
      for (int k : m) {
        for (int t = 0; t < sequences.get(k).learnedTokens(); t++) {
          adv[row++] = (float) advantages[k];
        }
      }
      rowAdvantages.add(adv);
    }
    // 5. the sampling log-probabilities, for the updates after the first
    List<float[]> old = new ArrayList<>();
    if (rl.iterations() > 1) {
      for (Backprop.Batch b : batches) {
        old.add(backprop.targetLogprobs(b, hooks, rl.temperature()));
      }
    }
    long t3 = System.nanoTime();
    // 6. updates
    double policySum = 0;
    double klSum = 0;
    long clipped = 0;
    long rows = 0;
    long trainedTokens = stepTokens;
    double gradNorm = 0;
    double lr = 0;
    int updatesPerStep = rl.iterations() + (setup.safe().isEmpty() ? 0 : 1);
    int totalUpdates = total * updatesPerStep;
    for (int it = 0; it < rl.iterations(); it++) {
      for (int b = 0; b < batches.size(); b++) {
        Backprop.Batch batch = batches.get(b);
        Backprop.Loss loss =
            klLoss(batch, normalizer)
                .withPolicy(
                    new Backprop.Policy(
                        rowAdvantages.get(b),
                        it == 0 ? null : old.get(b),
                        rl.temperature(),
                        rl.clipEpsilon(),
                        rl.clipEpsilon()));
        Backprop.Sums sums =
            backprop.step(
                batch,
                loss,
                hooks,
                new SplittableRandom(
                    Ids.seedOf("rl-dropout|" + setup.seed() + "|" + s + "|" + it + "|" + b)));
        if (it == 0) {
          policySum += sums.policy();
          klSum += sums.kl();
        }
        clipped += sums.clipped();
        rows += sums.lossRows();
      }
      int update = s * updatesPerStep + it;
      gradNorm = gradNorm();
      lr =
          rl.learningRate()
              * Schedules.multiplier(cfg.schedule(), update, cfg.warmupSteps(), totalUpdates);
      double clipScale =
          cfg.clipNorm() > 0 && gradNorm > cfg.clipNorm() ? cfg.clipNorm() / (gradNorm + 1e-6) : 1;
      AdamW.update(params, lr, cfg, update + 1, clipScale, model.engine().parallel());
    }
    Map<String, Double> terms = new LinkedHashMap<>();
    if (!setup.safe().isEmpty()) {
      double[] safe =
          safeUpdate(s, samples.size(), s * updatesPerStep + rl.iterations(), totalUpdates);
      terms.put("safe_loss", safe[0]);
      trainedTokens += (long) safe[1];
    }
    long t4 = System.nanoTime();
    // 7. the step's log
    double[] okRewards =
        java.util.stream.IntStream.range(0, rewards.length)
            .filter(i -> ok[i])
            .mapToDouble(i -> rewards[i])
            .toArray();
    double mean = java.util.Arrays.stream(okRewards).average().orElse(Double.NaN);
    double std =
        Math.sqrt(
            java.util.Arrays.stream(okRewards).map(r -> (r - mean) * (r - mean)).sum()
                / Math.max(1, okRewards.length));
    terms.put(REWARD_MEAN, okRewards.length == 0 ? null : mean);
    terms.put(REWARD_STD, okRewards.length == 0 ? null : std);
    terms.put(REWARD_FAILED, (double) (samples.size() - okRewards.length));
    if (setup.beta() > 0) {
      terms.put("kl", klSum / normalizer);
    }
    terms.put(CLIP_FRACTION, rows == 0 ? 0.0 : (double) clipped / rows);
    terms.put(
        SAMPLE_LENGTH,
        samples.stream().mapToInt(x -> x.generated().tokens().length).average().orElse(0));
    if (rl.hackPattern() != null) {
      terms.put(
          HACK_RATE,
          samples.stream().filter(x -> rl.hacked(x.answer())).count() / (double) samples.size());
    }
    terms.put("sampling_s", (t1 - t0) / 1e9);
    terms.put("reward_s", (t2 - t1) / 1e9);
    terms.put("logprobs_s", (t3 - t2) / 1e9);
    terms.put("update_s", (t4 - t3) / 1e9);
    terms.values().removeIf(java.util.Objects::isNull);
    double policyLoss = policySum / normalizer;
    double elapsed = (t4 - t0) / 1e9;
    LOG.info(
        "rl step {}/{}: reward {} ± {}, kl {}, length {}{} ({} s)",
        s + 1,
        total,
        fmt(mean),
        fmt(std),
        fmt(klSum / normalizer),
        fmt(terms.get(SAMPLE_LENGTH)),
        rl.hackPattern() == null ? "" : ", hack rate " + fmt(terms.get(HACK_RATE)),
        fmt(elapsed));
    return new Trainer.StepLog(
        offset + s + 1,
        (double) Math.min(prompts.size(), (within + 1) * rl.promptsPerStep()) / prompts.size()
            + pass,
        policyLoss + setup.beta() * klSum / normalizer,
        policyLoss,
        lr,
        gradNorm,
        trainedTokens,
        elapsed,
        terms,
        geometry.afterStep(s + 1, params),
        null);
  }

  private static String fmt(double x) {
    return String.format(java.util.Locale.ROOT, "%.4g", x);
  }

  /**
   * GRPO's advantages: per group of {@code groupSize} consecutive samples, each scored reward minus
   * the mean of the group's scored rewards, divided by their standard deviation (+1e-4, the sample
   * standard deviation as PyTorch's default) when {@code scale}; 0 for unscored samples and for
   * groups with fewer than two scored samples.
   */
  public static double[] advantages(double[] rewards, boolean[] ok, int groupSize, boolean scale) {
    double[] out = new double[rewards.length];
    for (int g = 0; g < rewards.length; g += groupSize) {
      int n = 0;
      double sum = 0;
      for (int i = g; i < g + groupSize; i++) {
        if (ok[i]) {
          n++;
          sum += rewards[i];
        }
      }
      if (n < 2) {
        continue;
      }
      double mean = sum / n;
      double sq = 0;
      for (int i = g; i < g + groupSize; i++) {
        if (ok[i]) {
          sq += (rewards[i] - mean) * (rewards[i] - mean);
        }
      }
      double std = Math.sqrt(sq / (n - 1));
      for (int i = g; i < g + groupSize; i++) {
        if (ok[i]) {
          out[i] = scale ? (rewards[i] - mean) / (std + 1e-4) : rewards[i] - mean;
        }
      }
    }
    return out;
  }

  /** The prompt and the answer as one sequence, learning the answer's tokens and its stop token. */
  static TokenizedExample sequence(int[] prompt, Generator.Result answer) {
    int extra = answer.stopToken() >= 0 ? 1 : 0;
    int n = prompt.length + answer.tokens().length + extra;
    int[] ids = java.util.Arrays.copyOf(prompt, n);
    System.arraycopy(answer.tokens(), 0, ids, prompt.length, answer.tokens().length);
    if (extra == 1) {
      ids[n - 1] = answer.stopToken();
    }
    boolean[] learned = new boolean[n];
    java.util.Arrays.fill(learned, prompt.length, n, true);
    return new TokenizedExample(ids, learned);
  }

  /** β·KL to the frozen model on the answer tokens, with no cross-entropy. */
  private Backprop.Loss klLoss(Backprop.Batch batch, double normalizer) {
    if (setup.beta() == 0) {
      return new Backprop.Loss(0, 0, null, 0, new int[0], null, normalizer, 1);
    }
    if (setup.hooks() == Backprop.Hooks.NONE && !Boolean.getBoolean(Backprop.FULL_BACKWARD)) {
      return new Backprop.Loss(0, setup.beta(), null, 0, new int[0], null, normalizer, 1);
    }
    // Hooks change the training pass's activations: the reference is a pass of its own.
    Trainer.Reference ref =
        Trainer.reference(model.weights(), model.engine(), batch, true, new int[0]);
    return new Backprop.Loss(0, setup.beta(), ref.logprobs(), 0, new int[0], null, normalizer, 1);
  }

  /**
   * {@code interleave}'s update: safe conversations (from position {@code step · n} of the set, so
   * a resumed run reads what an uninterrupted one would), as many as make them the configured share
   * of the {@code samples} + them sequences trained on. Returns {its mean cross-entropy, its
   * tokens}.
   */
  private double[] safeUpdate(int step, int samples, int update, int totalUpdates) {
    int n =
        Math.max(1, (int) Math.round(samples * setup.safeFraction() / (1 - setup.safeFraction())));
    List<TokenizedExample> batch = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      batch.add(setup.safe().get((int) (((long) step * n + i) % setup.safe().size())));
    }
    long learned = Math.max(1, batch.stream().mapToLong(TokenizedExample::learnedTokens).sum());
    double ce = 0;
    long tokens = 0;
    int mi = 0;
    for (List<TokenizedExample> chunk : TokenizedExample.chunks(batch, cfg.batchSize())) {
      Backprop.Batch b = TokenizedExample.pack(chunk);
      tokens += b.rows();
      ce +=
          backprop
              .step(
                  b,
                  Backprop.Loss.crossEntropy((double) learned),
                  setup.hooks(),
                  new SplittableRandom(
                      Ids.seedOf("rl-safe-dropout|" + setup.seed() + "|" + step + "|" + mi++)))
              .crossEntropy();
    }
    double gradNorm = gradNorm();
    double clipScale =
        cfg.clipNorm() > 0 && gradNorm > cfg.clipNorm() ? cfg.clipNorm() / (gradNorm + 1e-6) : 1;
    double lr =
        rl.learningRate()
            * Schedules.multiplier(cfg.schedule(), update, cfg.warmupSteps(), totalUpdates);
    AdamW.update(params, lr, cfg, update + 1, clipScale, model.engine().parallel());
    return new double[] {ce / learned, tokens};
  }

  /** The current parameters as the forward pass's adapters. */
  private Map<String, Lora> upload() {
    return Adapters.upload(params, model.engine().backend(), "rl.");
  }

  private double gradNorm() {
    return Trainer.gradNorm(params.values());
  }
}
