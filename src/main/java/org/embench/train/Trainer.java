package org.embench.train;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.hadoop.conf.Configuration;
import org.embench.model.Engine;
import org.embench.model.KvCache;
import org.embench.model.ModelConfig;
import org.embench.model.Transformer;
import org.embench.model.TransformerWeights;
import org.embench.table.Ids;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The training loop: shuffled epochs, micro-batches with gradient accumulation (the loss of a step
 * is its tokens' mean, however the step is split), global-norm clipping, AdamW with a warm-up
 * schedule, and checkpoints from which a resumed run ends with the same parameters as an
 * uninterrupted one. Every random choice (initialisation, data order, dropout) is seeded from the
 * run's seed and the position it is made at.
 */
public final class Trainer {
  private static final Logger LOG = LoggerFactory.getLogger(Trainer.class);

  /**
   * One optimizer step, for the train_steps table. {@code adapterNorms}: per module the Frobenius
   * norm of its update after the step; {@code directionCosines}: per module the cosine between the
   * update after the step and the final one (null where not kept: see {@link AdapterGeometry}).
   */
  public record StepLog(
      int step,
      double epoch,
      double loss,
      double taskLoss,
      double learningRate,
      double gradNorm,
      long tokens,
      double elapsedSeconds,
      Map<String, Double> terms,
      Map<String, Double> adapterNorms,
      Map<String, Double> directionCosines) {
    StepLog withDirectionCosines(Map<String, Double> cosines) {
      return new StepLog(
          step,
          epoch,
          loss,
          taskLoss,
          learningRate,
          gradNorm,
          tokens,
          elapsedSeconds,
          terms,
          adapterNorms,
          cosines);
    }
  }

  /** Told of each snapshot step's parameters (to keep that step's adapter as a checkpoint run). */
  @FunctionalInterface
  public interface Snapshots {
    void save(int step, Map<String, TrainableLinear> params, Map<String, TrainableLinear> parts);
  }

  /** Told after every step. */
  @FunctionalInterface
  public interface Listener {
    void step(StepLog log);
  }

  /**
   * Everything a run trains with besides its data.
   *
   * @param seed the run's seed
   * @param hooks changes to the residual stream during training only (steering, projections)
   * @param terms loss terms against the frozen base model (KL, feature distance)
   * @param checkpointDir where checkpoints go (Hadoop URI); null for none
   * @param earlyStop when to stop before the schedule ends ({@code early_stop}); null for never
   */
  public record Setup(
      TrainConfig config,
      long seed,
      Backprop.Hooks hooks,
      ReferenceTerms terms,
      String checkpointDir,
      Configuration conf,
      Listener listener,
      EarlyStop earlyStop) {
    public Setup(
        TrainConfig config,
        long seed,
        Backprop.Hooks hooks,
        ReferenceTerms terms,
        String checkpointDir,
        Configuration conf,
        Listener listener) {
      this(config, seed, hooks, terms, checkpointDir, conf, listener, null);
    }
  }

  /**
   * What training produced.
   *
   * @param parts full fine-tuning's trained embeddings, norms and head by tensor name (empty unless
   *     {@code full_train} asks for them)
   * @param stopReason why an {@link EarlyStop} ended the run before its schedule did; null when it
   *     did not
   */
  public record Result(
      Map<String, TrainableLinear> params,
      List<StepLog> steps,
      long tokens,
      double seconds,
      long peakHeapBytes,
      long peakOffheapBytes,
      Map<String, TrainableLinear> parts,
      String stopReason) {
    public Result(
        Map<String, TrainableLinear> params,
        List<StepLog> steps,
        long tokens,
        double seconds,
        long peakHeapBytes,
        long peakOffheapBytes,
        Map<String, TrainableLinear> parts) {
      this(params, steps, tokens, seconds, peakHeapBytes, peakOffheapBytes, parts, null);
    }
  }

  private final TransformerWeights weights;
  private final Engine engine;
  private final Setup setup;
  private final TrainConfig cfg;
  private final Map<String, TrainableLinear> params;
  private final Map<String, TrainableLinear> parts;
  private final Backprop backprop;
  private Snapshots snapshots;

  public Trainer(TransformerWeights weights, Engine engine, Setup setup) {
    this(weights, engine, setup, null);
  }

  /** Continues training given parameters (e.g. an adapter for a short re-alignment). */
  public Trainer(
      TransformerWeights weights, Engine engine, Setup setup, Map<String, TrainableLinear> start) {
    this.weights = weights;
    this.engine = engine;
    this.setup = setup;
    this.cfg = setup.config();
    this.params = start != null ? start : initialParams(weights.config(), cfg, setup.seed());
    this.parts = FullParts.initial(weights, cfg);
    this.backprop = new Backprop(weights, engine.backend(), engine.parallel(), params, parts);
  }

  /** LoRA pairs (or dense updates) on the configured modules and layers, seeded per module. */
  static Map<String, TrainableLinear> initialParams(ModelConfig mc, TrainConfig cfg, long seed) {
    Map<String, TrainableLinear> p = new LinkedHashMap<>();
    for (int l = 0; l < mc.numLayers(); l++) {
      if (!cfg.layers().isEmpty() && !cfg.layers().contains(l)) {
        continue;
      }
      for (String m : cfg.targetModules()) {
        int[] shape = org.embench.model.PeftAdapter.moduleShape(mc, m);
        String key = l + "." + m;
        p.put(
            key,
            cfg.full()
                ? TrainableLinear.full(shape[1], shape[0])
                : TrainableLinear.lora(
                    shape[1],
                    shape[0],
                    cfg.rank(),
                    cfg.scale(),
                    cfg.dropout(),
                    new SplittableRandom(Ids.seedOf("lora-init|" + seed + "|" + key))));
      }
    }
    for (int l : cfg.layers()) {
      if (l < 0 || l >= mc.numLayers()) {
        throw new org.embench.UserException(
            "layer " + l + " to transform does not exist; the model has " + mc.numLayers());
      }
    }
    return p;
  }

  /** Where the adapters of the snapshot steps ({@code eval_at}, {@code eval_every}) go. */
  public Trainer snapshots(Snapshots to) {
    this.snapshots = to;
    return this;
  }

  public Map<String, TrainableLinear> params() {
    return params;
  }

  /**
   * Trains on {@code data} (resuming from the newest checkpoint when there is one). Each step: its
   * examples ({@link #stepData}), their gradients ({@link #gradients}), the optimizer update
   * ({@link #update}), its log ({@link #stepLog}, with the held-out evaluation of early stopping),
   * then whether to stop ({@link #stopReason}) and the checkpoint.
   */
  public Result train(List<TokenizedExample> data) {
    if (data.isEmpty()) {
      throw new org.embench.UserException("no training examples");
    }
    Schedule schedule = Schedule.of(data.size(), cfg);
    Checkpoints checkpoints =
        setup.checkpointDir() == null ? null : new Checkpoints(setup.checkpointDir(), setup.conf());
    EarlyStop stop = setup.earlyStop();
    Run run = resume(checkpoints, stop, schedule.total());
    long start = System.nanoTime();
    AdapterGeometry geometry = new AdapterGeometry(engine.backend(), params, schedule.total());
    java.util.SortedSet<Integer> snapshotSteps = cfg.snapshotSteps(schedule.total());
    try (HeapPeak heap = HeapPeak.start()) {
      for (int s = run.first; s < schedule.total(); s++) {
        long t0 = System.nanoTime();
        List<TokenizedExample> stepData = stepData(data, s, schedule, run);
        long normalizer = learnedTokens(stepData, s);
        Sums sums = gradients(stepData, s, normalizer);
        double gradNorm = gradNorm();
        double lr = update(s, schedule.total(), gradNorm);
        run.tokens += sums.tokens();
        heap.sample();
        run.peakOffHeap = Math.max(run.peakOffHeap, engine.backend().offHeapBytes());
        StepLog log =
            stepLog(
                s,
                schedule,
                data.size(),
                stepData,
                normalizer,
                sums,
                lr,
                gradNorm,
                t0,
                stop,
                run,
                geometry);
        run.logs.add(log);
        if (setup.listener() != null) {
          setup.listener().step(log);
        }
        if (snapshots != null && snapshotSteps.contains(s + 1)) {
          snapshots.save(s + 1, params, parts);
        }
        run.stopReason = stopReason(stop, run, s + 1);
        if (run.stopReason != null) {
          LOG.info("early stop after step {}: {}", s + 1, run.stopReason);
          break;
        }
        if (checkpoints != null
            && cfg.checkpointEvery() > 0
            && (s + 1) % cfg.checkpointEvery() == 0
            && s + 1 < schedule.total()) {
          checkpoints.save(s + 1, params, parts, run.logs, run.best);
        }
      }
      Map<Integer, Map<String, Double>> cosines = geometry.cosinesWithFinal(params);
      run.logs.replaceAll(l -> l.withDirectionCosines(cosines.get(l.step())));
      return new Result(
          params,
          run.logs,
          run.tokens,
          (System.nanoTime() - start) / 1e9,
          heap.peakBytes(),
          run.peakOffHeap,
          parts,
          run.stopReason);
    }
  }

  /** The run's length: examples per step (batch × accumulation), steps per epoch, steps in all. */
  private record Schedule(int perStep, int stepsPerEpoch, int total) {
    static Schedule of(int examples, TrainConfig cfg) {
      int perStep = cfg.batchSize() * cfg.gradientAccumulation();
      int stepsPerEpoch = (examples + perStep - 1) / perStep;
      int total = stepsPerEpoch * cfg.epochs();
      return new Schedule(
          perStep, stepsPerEpoch, cfg.maxSteps() > 0 ? Math.min(total, cfg.maxSteps()) : total);
    }
  }

  /** What a run has done so far: restored from a checkpoint, then advanced step by step. */
  private static final class Run {
    int first;
    final List<StepLog> logs = new ArrayList<>();

    /** Early stopping's patience state, a function of the logged held-out losses. */
    final EarlyStop.Progress progress = new EarlyStop.Progress();

    /**
     * Early stopping's best parameters so far (values only), kept in checkpoints beside the rest.
     */
    Map<String, float[]> best;

    long tokens;
    long peakOffHeap;
    String stopReason;

    /** The data order of epoch {@link #orderEpoch}. */
    int[] order;

    int orderEpoch = -1;
  }

  /**
   * A fresh run, or the newest checkpoint's: parameters, optimizer moments, logs, patience and best
   * parameters.
   */
  private Run resume(Checkpoints checkpoints, EarlyStop stop, int total) {
    Run run = new Run();
    run.best = stop != null && stop.patience() > 0 ? bestCopies() : Map.of();
    if (checkpoints != null) {
      Checkpoints.State resumed = checkpoints.restoreLatest(params, parts, run.best);
      if (resumed != null) {
        run.first = resumed.step();
        run.logs.addAll(resumed.logs());
        for (StepLog l : run.logs) {
          Double held = l.terms() == null ? null : l.terms().get(EarlyStop.HELD_OUT_LOSS);
          if (held != null && stop != null) {
            run.progress.observe(l.step(), held, stop.minDelta());
          }
        }
        LOG.info("resuming at step {} of {} from {}", run.first, total, setup.checkpointDir());
      }
    }
    run.tokens = run.logs.stream().mapToLong(StepLog::tokens).sum();
    return run;
  }

  /**
   * Step {@code s}'s examples: its slice of its epoch's order, shuffled with a seed from the run's
   * seed and the epoch.
   */
  private List<TokenizedExample> stepData(
      List<TokenizedExample> data, int s, Schedule schedule, Run run) {
    int epoch = s / schedule.stepsPerEpoch();
    if (epoch != run.orderEpoch) {
      run.order = permutation(data.size(), Ids.seedOf("order|" + setup.seed() + "|" + epoch));
      run.orderEpoch = epoch;
    }
    int within = s % schedule.stepsPerEpoch();
    List<TokenizedExample> stepData = new ArrayList<>();
    for (int i = within * schedule.perStep();
        i < Math.min(data.size(), (within + 1) * schedule.perStep());
        i++) {
      stepData.add(data.get(run.order[i]));
    }
    return stepData;
  }

  /**
   * The assistant tokens the step learns: the loss's denominator, however the step is split into
   * micro-batches.
   */
  private long learnedTokens(List<TokenizedExample> stepData, int s) {
    long normalizer = stepData.stream().mapToLong(TokenizedExample::learnedTokens).sum();
    if (normalizer == 0) {
      // A step of examples whose assistant tokens were all cut off would log a loss of 0 and
      // learn nothing: the run fails rather than train on nothing.
      throw new org.embench.UserException(
          "step "
              + (s + 1)
              + " has no assistant token to learn: its "
              + stepData.size()
              + " example(s) were cut off by max_seq_len "
              + cfg.maxSeqLen()
              + " before their assistant turn; raise max_seq_len or filter the data set");
    }
    return normalizer;
  }

  /** A step's summed loss terms (each over the step's learned tokens) and the tokens it ran. */
  private record Sums(double crossEntropy, double kl, double feature, long tokens) {}

  /**
   * Accumulates step {@code s}'s gradients: the micro-batches of its examples (cross-entropy, and
   * KL or feature distance to the reference when the mitigation asks), then, for KL on a safe set
   * of its own, one batch of that set.
   */
  private Sums gradients(List<TokenizedExample> stepData, int s, long normalizer) {
    double ce = 0;
    double kl = 0;
    double feature = 0;
    long tokens = 0;
    List<List<TokenizedExample>> micro = TokenizedExample.chunks(stepData, cfg.batchSize());
    for (int mi = 0; mi < micro.size(); mi++) {
      Backprop.Batch batch = TokenizedExample.pack(micro.get(mi));
      tokens += batch.rows();
      boolean klHere = setup.terms().klLambda() > 0 && setup.terms().klData() == null;
      Backprop.Loss loss =
          loss(batch, (double) Math.max(1, normalizer), klHere, setup.terms().featureLambda() > 0);
      Backprop.Sums sums =
          backprop.step(
              batch,
              loss,
              setup.hooks(),
              new SplittableRandom(Ids.seedOf("dropout|" + setup.seed() + "|" + s + "|" + mi)));
      ce += sums.crossEntropy();
      kl += sums.kl();
      feature += sums.feature();
    }
    if (setup.terms().klLambda() > 0 && setup.terms().klData() != null) {
      // KL on a separate safe set: one batch per step, no cross-entropy. Step s reads the safe set
      // from s * batch_size on: a resumed run reads what an uninterrupted one would.
      List<TokenizedExample> safe = new ArrayList<>();
      List<TokenizedExample> klData = setup.terms().klData();
      for (int i = 0; i < cfg.batchSize(); i++) {
        safe.add(klData.get((int) (((long) s * cfg.batchSize() + i) % klData.size())));
      }
      Backprop.Batch batch = TokenizedExample.pack(safe);
      Backprop.Loss loss = withCeWeight(loss(batch, Math.max(1, batch.lossRows()), true, false), 0);
      kl +=
          backprop
                  .step(
                      batch,
                      loss,
                      setup.hooks(),
                      new SplittableRandom(Ids.seedOf("dropout-kl|" + setup.seed() + "|" + s)))
                  .kl()
              * Math.max(1, normalizer)
              / Math.max(1, batch.lossRows());
    }
    return new Sums(ce, kl, feature, tokens);
  }

  /**
   * AdamW on every trained tensor at step {@code s}'s learning rate, the gradients clipped to
   * {@code clip_norm}; returns the rate.
   */
  private double update(int s, int total, double gradNorm) {
    double clipScale =
        cfg.clipNorm() > 0 && gradNorm > cfg.clipNorm() ? cfg.clipNorm() / (gradNorm + 1e-6) : 1;
    double lr =
        cfg.learningRate() * Schedules.multiplier(cfg.schedule(), s, cfg.warmupSteps(), total);
    AdamW.update(params, lr, cfg, s + 1, clipScale, engine.parallel());
    AdamW.update(parts.values(), lr, cfg, s + 1, clipScale, engine.parallel());
    return lr;
  }

  /**
   * Step {@code s}'s row of train_steps: the loss (cross-entropy plus the weighted reference terms,
   * per learned token), the terms, and on evaluation steps the held-out loss (which also moves
   * early stopping's best parameters).
   */
  private StepLog stepLog(
      int s,
      Schedule schedule,
      int examples,
      List<TokenizedExample> stepData,
      long normalizer,
      Sums sums,
      double lr,
      double gradNorm,
      long t0,
      EarlyStop stop,
      Run run,
      AdapterGeometry geometry) {
    double n = Math.max(1, normalizer);
    double featureDistance =
        setup.terms().featureLambda() > 0 ? sums.feature() / featureNormalizer(stepData) : 0;
    Map<String, Double> terms = new LinkedHashMap<>();
    if (setup.terms().klLambda() > 0) {
      terms.put("kl", sums.kl() / n);
    }
    if (setup.terms().featureLambda() > 0) {
      terms.put("feature_distance", featureDistance);
    }
    if (stop != null && stop.evaluatesAt(s + 1)) {
      double held = heldOutLoss(stop.heldOut());
      terms.put(EarlyStop.HELD_OUT_LOSS, held);
      if (run.progress.observe(s + 1, held, stop.minDelta())) {
        copyValues(run.best, true);
      }
    }
    double loss =
        sums.crossEntropy() / n
            + setup.terms().klLambda() * sums.kl() / n
            + setup.terms().featureLambda() * featureDistance;
    int epoch = s / schedule.stepsPerEpoch();
    int within = s % schedule.stepsPerEpoch();
    double elapsed = (System.nanoTime() - t0) / 1e9;
    return new StepLog(
        s + 1,
        (double) Math.min(examples, (within + 1) * schedule.perStep()) / examples + epoch,
        loss,
        sums.crossEntropy() / n,
        lr,
        gradNorm,
        sums.tokens(),
        elapsed,
        terms,
        geometry.afterStep(s + 1, params),
        null);
  }

  /**
   * Why the run stops after {@code step}, or null: patience ran out (the best parameters are put
   * back) or {@code at_step} was reached.
   */
  private String stopReason(EarlyStop stop, Run run, int step) {
    if (stop != null && stop.patience() > 0 && run.progress.sinceBest >= stop.patience()) {
      String reason = stop.patienceReason(run.progress, step);
      copyValues(run.best, false);
      return reason;
    }
    if (stop != null && stop.atStep() > 0 && step >= stop.atStep()) {
      return stop.atStepReason();
    }
    return null;
  }

  /**
   * Mean cross-entropy per assistant token of the current model on {@code heldOut}, forward only.
   */
  private double heldOutLoss(List<TokenizedExample> heldOut) {
    double ce = 0;
    long rows = 0;
    for (List<TokenizedExample> chunk : TokenizedExample.chunks(heldOut, cfg.batchSize())) {
      Backprop.Eval e = backprop.evaluate(TokenizedExample.pack(chunk));
      ce += e.crossEntropy();
      rows += e.lossRows();
    }
    return ce / Math.max(1, rows);
  }

  /**
   * Zeroed arrays shaped like every trainable value, named {@code best.<key>.<t>} (full
   * fine-tuning's other parts {@code best.part.<name>.<t>}).
   */
  private Map<String, float[]> bestCopies() {
    Map<String, float[]> out = new LinkedHashMap<>();
    for (String key : Backprop.keys(params)) {
      float[][] v = params.get(key).values;
      for (int t = 0; t < v.length; t++) {
        out.put("best." + key + "." + t, new float[v[t].length]);
      }
    }
    parts.forEach(
        (name, p) -> {
          for (int t = 0; t < p.values.length; t++) {
            out.put("best.part." + name + "." + t, new float[p.values[t].length]);
          }
        });
    return out;
  }

  /** Copies the trainable values into {@code best} ({@code save}) or back from it. */
  private void copyValues(Map<String, float[]> best, boolean save) {
    params.forEach(
        (key, p) -> {
          for (int t = 0; t < p.values.length; t++) {
            copy(best.get("best." + key + "." + t), p.values[t], save);
          }
        });
    parts.forEach(
        (name, p) -> {
          for (int t = 0; t < p.values.length; t++) {
            copy(best.get("best.part." + name + "." + t), p.values[t], save);
          }
        });
  }

  private static void copy(float[] kept, float[] value, boolean save) {
    if (save) {
      System.arraycopy(value, 0, kept, 0, value.length);
    } else {
      System.arraycopy(kept, 0, value, 0, value.length);
    }
  }

  private double featureNormalizer(List<TokenizedExample> stepData) {
    return Math.max(
        1,
        stepData.stream().mapToLong(e -> e.ids().length).sum()
            * setup.terms().featureLayers().length);
  }

  private static Backprop.Loss withCeWeight(Backprop.Loss l, double ce) {
    return new Backprop.Loss(
        ce,
        l.klLambda(),
        l.refLogprobs(),
        l.featureLambda(),
        l.featureLayers(),
        l.refFeatures(),
        l.normalizer(),
        l.featureNormalizer());
  }

  /**
   * The loss of a micro-batch, with the frozen model's logits and features where a term needs them.
   */
  private Backprop.Loss loss(
      Backprop.Batch batch, double normalizer, boolean kl, boolean features) {
    ReferenceTerms terms = setup.terms();
    if (!kl && !features) {
      return Backprop.Loss.crossEntropy(normalizer);
    }
    double featureNormalizer = Math.max(1, (double) batch.rows() * terms.featureLayers().length);
    if (setup.hooks() == Backprop.Hooks.NONE
        && parts.isEmpty()
        && !Boolean.getBoolean(Backprop.FULL_BACKWARD)) {
      // Backprop computes the reference from the training pass's activations at the first
      // trained layer: the layers below it are not run twice.
      return new Backprop.Loss(
          1,
          kl ? terms.klLambda() : 0,
          null,
          features ? terms.featureLambda() : 0,
          features ? terms.featureLayers() : new int[0],
          null,
          normalizer,
          featureNormalizer);
    }
    // Hooks and trained embeddings, norms or head change the training pass's activations: the
    // reference is a pass of its own.
    Reference ref = reference(batch, kl, features ? terms.featureLayers() : new int[0]);
    return new Backprop.Loss(
        1,
        kl ? terms.klLambda() : 0,
        ref.logprobs(),
        features ? terms.featureLambda() : 0,
        features ? terms.featureLayers() : new int[0],
        ref.features(),
        normalizer,
        featureNormalizer);
  }

  /** The frozen base model's log-probabilities on the loss rows and normalised features. */
  record Reference(float[] logprobs, float[][] features) {}

  Reference reference(Backprop.Batch batch, boolean logprobs, int[] featureLayers) {
    return reference(weights, engine, batch, logprobs, featureLayers);
  }

  /** {@link #reference} of the frozen {@code weights}, for any trainer. */
  static Reference reference(
      TransformerWeights weights,
      Engine engine,
      Backprop.Batch batch,
      boolean logprobs,
      int[] featureLayers) {
    ModelConfig mc = weights.config();
    Transformer base = new Transformer(weights, engine.backend(), engine.parallel(), Map.of());
    float[][] features = new float[featureLayers.length][];
    base.setHooks(
        new org.embench.model.ForwardHooks() {
          @Override
          public void afterLayer(int layer, float[] h, int rows, int dim) {
            for (int i = 0; i < featureLayers.length; i++) {
              if (featureLayers[i] == layer) {
                features[i] = Backprop.normalisedRows(h, rows, dim);
              }
            }
          }
        });
    List<Transformer.Chunk> chunks = new ArrayList<>();
    for (int s = 0; s < batch.sequences(); s++) {
      chunks.add(
          new Transformer.Chunk(
              s,
              java.util.Arrays.copyOfRange(
                  batch.tokens(), batch.starts()[s], batch.starts()[s + 1])));
    }
    int[] rows = batch.lossRowIndices();
    float[] logits = base.forward(chunks, new KvCache(mc, batch.sequences()), rows);
    if (logprobs) {
      Backprop.toLogprobs(logits, rows.length, mc.vocabSize(), engine.parallel());
    }
    return new Reference(logprobs ? logits : null, features);
  }

  private double gradNorm() {
    List<TrainableLinear> all = new ArrayList<>(params.values());
    all.addAll(parts.values());
    return gradNorm(all);
  }

  /** The global L2 norm of the gradients of {@code all} (what clip_norm bounds). */
  static double gradNorm(java.util.Collection<TrainableLinear> all) {
    double sq = 0;
    for (TrainableLinear p : all) {
      for (float[] g : p.grads) {
        for (float x : g) {
          sq += (double) x * x;
        }
      }
    }
    return Math.sqrt(sq);
  }

  /** A permutation of 0..n-1 (Fisher-Yates) from the seed. */
  public static int[] permutation(int n, long seed) {
    int[] p = new int[n];
    for (int i = 0; i < n; i++) {
      p[i] = i;
    }
    SplittableRandom rng = new SplittableRandom(seed);
    for (int i = n - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }

  /** The modules in the order they are kept in checkpoints. */
  static List<String> orderedKeys(Map<String, TrainableLinear> params) {
    return Backprop.keys(params);
  }
}
