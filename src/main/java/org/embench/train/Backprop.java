package org.embench.train;

import java.util.Map;
import java.util.SplittableRandom;
import org.embench.model.LayerWeights;
import org.embench.model.Linear;
import org.embench.model.ModelConfig;
import org.embench.model.Ops;
import org.embench.model.Parallel;
import org.embench.model.Rope;
import org.embench.model.TensorBackend;
import org.embench.model.TransformerWeights;

/**
 * One forward and backward pass of the decoder over a packed batch of sequences, with the base
 * weights frozen and gradients accumulated into the trainable parts ({@link TrainableLinear}): the
 * projections' LoRA pairs or dense updates, and in full fine-tuning the updates of embeddings,
 * norms and head that {@code full_train} asks for ({@link FullParts}). The forward pass is {@link
 * org.embench.model.Transformer}'s (same order of operations), keeping what the backward pass
 * needs; the backward pass applies each operation's derivative in reverse:
 *
 * <pre>
 *   linear     y = x Wᵀ + s·(x Aᵀ) Bᵀ  →  dx = dy W + s·(dy B) A;  dB += s·dyᵀ(x Aᵀ);  dA += s·(dy B)ᵀ x
 *   RMSNorm    y = w ⊙ x·inv           →  dx = inv·g − inv³·x·Σ(g⊙x)/n,  g = dy ⊙ w;  dw += Σ_rows dy ⊙ x·inv
 *   head       z = h Hᵀ                →  dh = dz H;  dH += dzᵀ h
 *   embedding  h = E[token]            →  dE[token] += dh
 *   SwiGLU     a = silu(g) ⊙ u         →  du = da ⊙ silu(g);  dg = da ⊙ u ⊙ σ(g)(1 + g(1 − σ(g)))
 *   RoPE       q' = R(θ) q             →  dq = R(−θ) dq'
 *   attention  O = softmax(QKᵀ·c) V    →  dV = Pᵀ dO;  dS = P ⊙ (dO Vᵀ − rowsum(P ⊙ dO Vᵀ));  dQ = c·dS K;  dK = c·dSᵀ Q
 * </pre>
 *
 * Not thread-safe; one instance per training run.
 */
public final class Backprop {
  /**
   * Packed sequences: rows of all sequences stacked; row t of a sequence predicts its token t + 1.
   */
  public record Batch(
      int[] tokens, int[] starts, int[] positions, boolean[] lossRow, int[] targets) {
    public int rows() {
      return tokens.length;
    }

    public int sequences() {
      return starts.length - 1;
    }

    /** The indices of the loss rows, in order. */
    public int[] lossRowIndices() {
      int[] rows = new int[lossRows()];
      int j = 0;
      for (int r = 0; r < lossRow.length; r++) {
        if (lossRow[r]) {
          rows[j++] = r;
        }
      }
      return rows;
    }

    public int lossRows() {
      int n = 0;
      for (boolean b : lossRow) {
        n += b ? 1 : 0;
      }
      return n;
    }
  }

  /**
   * Changes to the residual stream after a layer during training (steering, projections), with
   * their backward counterpart.
   */
  public interface Hooks {
    Hooks NONE = new Hooks() {};

    /** Changes {@code h[rows × dim]} after decoder layer {@code layer} in the forward pass. */
    default void forward(int layer, float[] h, int rows, int dim) {}

    /** Turns the gradient after the change into the gradient before it. */
    default void backward(int layer, float[] dh, int rows, int dim) {}
  }

  /**
   * What the loss is made of. Terms are sums over the batch divided by {@code normalizer} (the loss
   * tokens of the whole optimizer step, so accumulation matches one large batch).
   *
   * @param ceWeight weight of the cross-entropy on loss rows (0 for a batch used only for KL)
   * @param klLambda weight of KL(p_θ ‖ p_ref) per loss row; 0 for none
   * @param refLogprobs {@code [lossRows × vocab]} log-probabilities of the reference model
   * @param featureLambda weight of Σ‖φ_θ − φ_ref‖² (φ = h/‖h‖ per row) at {@code featureLayers}
   * @param refFeatures per feature layer, {@code [rows × hidden]} normalised reference features
   *     <p>When a term is on ({@code klLambda} or {@code featureLambda} above 0) and its reference
   *     is null, {@link #step} computes the reference itself: the frozen model's forward pass from
   *     the first trained layer on, starting from the training pass's own activations there (below
   *     that layer the two passes are the same computation).
   */
  public record Loss(
      double ceWeight,
      double klLambda,
      float[] refLogprobs,
      double featureLambda,
      int[] featureLayers,
      float[][] refFeatures,
      double normalizer,
      double featureNormalizer,
      Policy policy) {
    public Loss(
        double ceWeight,
        double klLambda,
        float[] refLogprobs,
        double featureLambda,
        int[] featureLayers,
        float[][] refFeatures,
        double normalizer,
        double featureNormalizer) {
      this(
          ceWeight,
          klLambda,
          refLogprobs,
          featureLambda,
          featureLayers,
          refFeatures,
          normalizer,
          featureNormalizer,
          null);
    }

    public static Loss crossEntropy(double normalizer) {
      return new Loss(1, 0, null, 0, new int[0], null, normalizer, 1);
    }

    /** This loss with GRPO's policy term on its loss rows. */
    public Loss withPolicy(Policy p) {
      return new Loss(
          ceWeight,
          klLambda,
          refLogprobs,
          featureLambda,
          featureLayers,
          refFeatures,
          normalizer,
          featureNormalizer,
          p);
    }

    boolean referenceInside() {
      return (klLambda > 0 && refLogprobs == null) || (featureLambda > 0 && refFeatures == null);
    }

    Loss withReference(float[] logprobs, float[][] features) {
      return new Loss(
          ceWeight,
          klLambda,
          logprobs,
          featureLambda,
          featureLayers,
          features,
          normalizer,
          featureNormalizer,
          policy);
    }
  }

  /**
   * GRPO's clipped policy-gradient term (PPO's surrogate), per loss row i, i.e. per sampled token:
   * {@code −min(ρᵢ Aᵢ, clip(ρᵢ, 1 − ε_low, 1 + ε_high) Aᵢ)} with {@code ρᵢ = exp(log π_θ(tᵢ) −
   * oldᵢ)}, π the policy at the sampling {@code temperature} (softmax of logits / T). Added to the
   * loss with weight 1 (a sum over rows divided by the normalizer, like the other terms).
   *
   * @param advantages {@code [lossRows]} the advantage of the sample each row belongs to (0 for
   *     rows of a sample without a reward)
   * @param oldLogprobs {@code [lossRows]} log π of the sampling policy; null when the batch is used
   *     for one update only, where the sampling policy is the current one: ρ = 1 and its gradient
   *     is that of log π (what libraries get by detaching the current log-probabilities)
   */
  public record Policy(
      float[] advantages,
      float[] oldLogprobs,
      double temperature,
      double clipLow,
      double clipHigh) {
    public Policy {
      if (!(temperature > 0) || !(clipLow >= 0 && clipLow < 1) || !(clipHigh >= 0)) {
        throw new IllegalArgumentException("temperature > 0, 0 <= clip_low < 1, clip_high >= 0");
      }
    }
  }

  /**
   * Sums of the loss terms over the batch (before dividing by the normalizer), for logging; {@code
   * policy} the policy term's sum and {@code clipped} the rows whose ratio was clipped (0 without a
   * policy term).
   */
  public record Sums(
      double crossEntropy, double kl, double feature, int lossRows, double policy, int clipped) {
    public Sums(double crossEntropy, double kl, double feature, int lossRows) {
      this(crossEntropy, kl, feature, lossRows, 0, 0);
    }
  }

  private final TransformerWeights w;
  private final ModelConfig cfg;
  private final TensorBackend backend;
  private final Parallel parallel;
  private final Rope rope;
  private final Map<String, TrainableLinear> params;

  /**
   * Full fine-tuning's updates of embeddings, norms and head, by tensor name ({@link FullParts}).
   */
  private final Map<String, TrainableLinear> parts;

  private final String headTensor;

  /** The lowest layer with a trained part: no layer below it needs a backward pass or a cache. */
  private final int firstTrained;

  /** In that layer, how far back the gradient must go (one of the {@code STAGE_} constants). */
  private final int firstStage;

  /**
   * Property, for measuring what skipping saves ({@code bench train --full-backward}): when true,
   * every layer gets a backward pass and a cache whatever is trained, as before the skip.
   */
  public static final String FULL_BACKWARD = "embench.train.fullBackward";

  // How far back a layer's backward pass goes, in the order the pass meets the modules.
  private static final int STAGE_INPUT = -1; // to the layer's input: a layer below is trained
  private static final int STAGE_QKV = 0;
  private static final int STAGE_O = 1;
  private static final int STAGE_GATE_UP = 2;
  private static final int STAGE_DOWN = 3;

  public Backprop(
      TransformerWeights weights,
      TensorBackend backend,
      Parallel parallel,
      Map<String, TrainableLinear> params) {
    this(weights, backend, parallel, params, Map.of());
  }

  public Backprop(
      TransformerWeights weights,
      TensorBackend backend,
      Parallel parallel,
      Map<String, TrainableLinear> params,
      Map<String, TrainableLinear> parts) {
    this(weights, backend, parallel, params, parts, Boolean.getBoolean(FULL_BACKWARD));
  }

  /**
   * With {@code fullBackward}, every layer gets a backward pass whatever is trained (for
   * comparisons).
   */
  Backprop(
      TransformerWeights weights,
      TensorBackend backend,
      Parallel parallel,
      Map<String, TrainableLinear> params,
      Map<String, TrainableLinear> parts,
      boolean fullBackward) {
    this.w = weights;
    this.cfg = weights.config();
    this.backend = backend;
    this.parallel = parallel;
    this.rope = new Rope(cfg);
    this.params = params;
    this.parts = parts;
    this.headTensor = FullParts.headTensor(weights);
    int first = cfg.numLayers();
    int stage = STAGE_DOWN;
    for (String key : params.keySet()) {
      int layer = Integer.parseInt(key.substring(0, key.indexOf('.')));
      int s = stageOf(key.substring(key.indexOf('.') + 1));
      if (layer < first) {
        first = layer;
        stage = s;
      } else if (layer == first) {
        stage = Math.min(stage, s);
      }
    }
    int partsFirst = lowestLayerOfParts();
    if (partsFirst <= first) {
      // A trained embedding or a layer's trained norms need the gradient at that layer's input.
      first = partsFirst;
      stage = STAGE_INPUT;
    }
    if (fullBackward) {
      first = 0;
      stage = STAGE_INPUT;
    }
    this.firstTrained = first;
    this.firstStage = stage;
  }

  private static int stageOf(String module) {
    return switch (module) {
      case "q_proj", "k_proj", "v_proj" -> STAGE_QKV;
      case "o_proj" -> STAGE_O;
      case "gate_proj", "up_proj" -> STAGE_GATE_UP;
      case "down_proj" -> STAGE_DOWN;
      default -> STAGE_INPUT;
    };
  }

  /** The lowest layer that gets a backward pass. */
  public int firstTrainedLayer() {
    return firstTrained;
  }

  /** What one layer's forward pass keeps for the backward pass. */
  private static final class LayerCache {
    float[] hIn;
    float[] n1;
    float[] inv1;
    float[] qRaw;
    float[] kRaw;
    float[] qInv;
    float[] kInv;
    float[] q;
    float[] k;
    float[] v;
    float[][] probs;
    float[] attn;
    float[] h2;
    float[] n2;
    float[] inv2;
    float[] gate;
    float[] up;
    float[] act;

    /** sigmoid(gate), kept so the backward pass does not recompute the exponentials. */
    float[] sig;

    /** The trained parts are off in this pass (nothing is kept for a backward pass). */
    boolean frozen;

    /** Per module: the adapter's (dropped-out) input and x·Aᵀ. */
    final Map<String, float[][]> lora = new java.util.HashMap<>();
  }

  /**
   * Forward and backward over {@code batch}: accumulates gradients into the trainable parts and
   * returns the loss sums. {@code dropout} draws LoRA dropout masks (unused when dropout is 0).
   */
  public Sums step(Batch batch, Loss loss, Hooks hooks, SplittableRandom dropout) {
    int rows = batch.rows();
    int hidden = cfg.hiddenSize();
    float[] h = embed(batch);
    int layers = cfg.numLayers();
    LayerCache[] caches = new LayerCache[layers];
    float[][] features = new float[layers][];
    boolean refInside = loss.referenceInside();
    if (refInside && (hooks != Hooks.NONE || !parts.isEmpty())) {
      // Hooks and trained embeddings, norms or head change activations the frozen model shares.
      throw new IllegalStateException(
          "the reference shares the training pass's activations only without hooks"
              + " and without trained embeddings, norms or head");
    }
    float[][] prefixFeatures = new float[loss.featureLayers().length][];
    // Below the first trained layer nothing has a gradient: a forward pass with no cache kept.
    for (int l = 0; l < firstTrained; l++) {
      h = layerForward(l, h, batch, null, dropout);
      hooks.forward(l, h, rows, hidden);
      int f = indexOf(loss.featureLayers(), l);
      if (refInside && f >= 0) {
        prefixFeatures[f] = normalisedRows(h, rows, hidden); // the reference's features equal these
      } else if (f >= 0) {
        features[l] = h.clone(); // hooks may move them from the reference's: the term is logged
      }
    }
    if (refInside) {
      loss = withReference(loss, h, batch, prefixFeatures);
    }
    for (int l = firstTrained; l < layers; l++) {
      caches[l] = new LayerCache();
      h = layerForward(l, h, batch, caches[l], dropout);
      hooks.forward(l, h, rows, hidden);
      if (contains(loss.featureLayers(), l)) {
        features[l] = h.clone();
      }
    }
    float[] dh = new float[rows * hidden];
    double[] head = headForwardBackward(h, batch, loss, dh);
    double featureSum = 0;
    for (int l = layers - 1; l >= firstTrained; l--) {
      if (features[l] != null) {
        featureSum +=
            featureGradient(
                features[l],
                loss.refFeatures()[indexOf(loss.featureLayers(), l)],
                rows,
                loss.featureLambda() / loss.featureNormalizer(),
                dh);
      }
      hooks.backward(l, dh, rows, hidden);
      dh = layerBackward(l, dh, batch, caches[l], l == firstTrained ? firstStage : STAGE_INPUT);
      caches[l] = null;
    }
    for (int l = 0; l < firstTrained; l++) {
      if (features[l] != null) {
        // No trained part acts below the first trained layer: the term's value only, no gradient.
        featureSum +=
            featureGradient(
                features[l],
                loss.refFeatures()[indexOf(loss.featureLayers(), l)],
                rows,
                0,
                new float[rows * hidden]);
      }
    }
    embeddingBackward(batch, dh);
    return new Sums(head[0], head[1], featureSum, batch.lossRows(), head[2], (int) head[3]);
  }

  /** Cross-entropy of a forward-only pass, for {@link #evaluate}. */
  public record Eval(double crossEntropy, int lossRows) {}

  /**
   * The current model (base plus the trained parts, no hooks, no dropout) on {@code batch}, forward
   * only: the sum of the cross-entropy over its loss rows and their count, the same sum that {@link
   * #step} reports for the batch with dropout 0 and no hooks. No gradient is touched; each layer's
   * cache is dropped as soon as the next layer has run.
   */
  public Eval evaluate(Batch batch) {
    float[] h = forwardOnly(batch, Hooks.NONE);
    int n = batch.lossRows();
    if (n == 0) {
      return new Eval(0, 0);
    }
    HeadForward fwd = headForward(h, batch, false);
    float[] logits = fwd.logits();
    int[] lossRows = fwd.rows();
    int vocab = cfg.vocabSize();
    double[] ce = new double[n];
    parallel.range(
        n,
        (from, to) -> {
          for (int i = from; i < to; i++) {
            int o = i * vocab;
            double max = Double.NEGATIVE_INFINITY;
            for (int v = 0; v < vocab; v++) {
              max = Math.max(max, logits[o + v]);
            }
            double sum = 0;
            for (int v = 0; v < vocab; v++) {
              sum += Math.exp(logits[o + v] - max);
            }
            ce[i] = max + Math.log(sum) - logits[o + batch.targets()[lossRows[i]]];
          }
        });
    double ceSum = 0;
    for (double c : ce) {
      ceSum += c;
    }
    return new Eval(ceSum, n);
  }

  /**
   * Log-probabilities of each loss row's target under the current policy (base plus the trained
   * parts, with {@code hooks}, no dropout) at {@code temperature}, forward only: GRPO's sampling
   * log-probabilities, kept for the later updates on the same samples.
   */
  public float[] targetLogprobs(Batch batch, Hooks hooks, double temperature) {
    float[] h = forwardOnly(batch, hooks);
    int n = batch.lossRows();
    float[] out = new float[n];
    if (n == 0) {
      return out;
    }
    HeadForward fwd = headForward(h, batch, false);
    float[] logits = fwd.logits();
    int[] lossRows = fwd.rows();
    int vocab = cfg.vocabSize();
    double invT = 1 / temperature;
    parallel.range(
        n,
        (from, to) -> {
          for (int i = from; i < to; i++) {
            int o = i * vocab;
            double max = Double.NEGATIVE_INFINITY;
            for (int v = 0; v < vocab; v++) {
              max = Math.max(max, logits[o + v] * invT);
            }
            double sum = 0;
            for (int v = 0; v < vocab; v++) {
              sum += Math.exp(logits[o + v] * invT - max);
            }
            out[i] =
                (float) (logits[o + batch.targets()[lossRows[i]]] * invT - max - Math.log(sum));
          }
        });
    return out;
  }

  /**
   * The current model's last hidden states on {@code batch} (base plus the trained parts, with
   * {@code hooks}, no dropout), forward only; each layer's cache is dropped once the next has run.
   */
  private float[] forwardOnly(Batch batch, Hooks hooks) {
    int rows = batch.rows();
    int hidden = cfg.hiddenSize();
    float[] h = embed(batch);
    for (int l = 0; l < cfg.numLayers(); l++) {
      // As in step: the layers below the first trained one have no trained part.
      h = layerForward(l, h, batch, l < firstTrained ? null : new LayerCache(), null);
      hooks.forward(l, h, rows, hidden);
    }
    return h;
  }

  /**
   * The loss with its reference computed here: the frozen model (no trained part, no hooks) from
   * the first trained layer on, given the activations {@code h} entering it, which the training
   * pass computed identically. Features of layers below come from the training pass.
   */
  private Loss withReference(Loss loss, float[] hFirst, Batch batch, float[][] prefixFeatures) {
    int rows = batch.rows();
    int hidden = cfg.hiddenSize();
    boolean wantFeatures = loss.featureLambda() > 0;
    float[][] refFeatures = wantFeatures ? prefixFeatures : null;
    float[] h = hFirst;
    for (int l = firstTrained; l < cfg.numLayers(); l++) {
      h = layerForward(l, h, batch, null, null);
      int f = indexOf(loss.featureLayers(), l);
      if (wantFeatures && f >= 0) {
        refFeatures[f] = normalisedRows(h, rows, hidden);
      }
    }
    float[] logprobs = loss.klLambda() > 0 ? headLogprobs(h, batch) : null;
    return loss.withReference(logprobs, refFeatures);
  }

  /** Each row of {@code h} divided by its L2 norm. */
  static float[] normalisedRows(float[] h, int rows, int dim) {
    float[] f = h.clone();
    for (int r = 0; r < rows; r++) {
      double norm = 0;
      for (int d = 0; d < dim; d++) {
        norm += (double) f[r * dim + d] * f[r * dim + d];
      }
      float inv = (float) (1 / Math.sqrt(norm));
      for (int d = 0; d < dim; d++) {
        f[r * dim + d] *= inv;
      }
    }
    return f;
  }

  // ---------------------------------------------------------------- forward

  /**
   * Decoder layer {@code l} on {@code h}. With a {@code cache} it keeps what the backward pass
   * needs and includes the trained parts; without one it is the frozen layer (trained parts off),
   * for the layers below the first trained one and for the reference. Arrays are flat and
   * row-major; {@code rows} is the batch's packed tokens (every sequence one after another), so the
   * shapes in the comments read [rows, …].
   */
  private float[] layerForward(
      int l, float[] h, Batch batch, LayerCache cache, SplittableRandom dropout) {
    LayerCache c = cache != null ? cache : new LayerCache();
    c.frozen = cache == null;
    LayerWeights lw = w.layer(l);
    int rows = batch.rows();
    int hidden = cfg.hiddenSize();
    int hd = cfg.headDim();
    int nh = cfg.numHeads();
    int nkv = cfg.numKvHeads();
    double eps = cfg.rmsNormEps();
    c.hIn = h; // [rows, hidden]
    // attention block: n1 = RMSNorm(h); q, k, v = n1 · W^T (+ adapters)
    c.inv1 = new float[rows]; // 1 / rms of each row
    c.n1 = new float[rows * hidden];
    for (int r = 0; r < rows; r++) {
      c.inv1[r] = Ops.rmsInverse(h, r * hidden, hidden, eps);
    }
    Ops.rmsNorm(h, rows, hidden, norm(l, "input_layernorm", lw.inputNorm()), eps, c.n1);
    float[] q = new float[rows * nh * hd]; // [rows, heads, head_dim]
    float[] k = new float[rows * nkv * hd]; // [rows, kv_heads, head_dim]
    c.v = new float[rows * nkv * hd]; // [rows, kv_heads, head_dim]
    linearForward(l, "q_proj", lw.q(), c.n1, rows, q, c, dropout);
    linearForward(l, "k_proj", lw.k(), c.n1, rows, k, c, dropout);
    linearForward(l, "v_proj", lw.v(), c.n1, rows, c.v, c, dropout);
    if (cfg.qkNorm()) {
      // Qwen3: RMSNorm over each head's head_dim, before RoPE
      c.qRaw = q.clone();
      c.kRaw = k.clone();
      c.qInv = groupInverse(q, rows * nh, hd, eps);
      c.kInv = groupInverse(k, rows * nkv, hd, eps);
      Ops.rmsNormGroups(q, rows * nh, hd, norm(l, "self_attn.q_norm", lw.qNorm()), eps);
      Ops.rmsNormGroups(k, rows * nkv, hd, norm(l, "self_attn.k_norm", lw.kNorm()), eps);
    }
    Ops.rope(q, rows, nh, hd, batch.positions(), rope);
    Ops.rope(k, rows, nkv, hd, batch.positions(), rope);
    c.q = q;
    c.k = k;
    c.attn =
        new float
            [rows * nh * hd]; // [rows, heads, head_dim]: softmax(q·k^T / √head_dim, causal) · v
    c.probs = attentionForward(batch, q, k, c.v, c.attn); // per (sequence, head): [len, len]
    float[] o = new float[rows * hidden]; // [rows, hidden]
    linearForward(l, "o_proj", lw.o(), c.attn, rows, o, c, dropout);
    float[] h2 = h.clone(); // residual: h2 = h + o, [rows, hidden]
    Ops.addInPlace(h2, o, rows * hidden);
    // MLP block: n2 = RMSNorm(h2); act = silu(n2 · gate^T) * (n2 · up^T); out = h2 + act · down^T
    c.h2 = h2;
    c.inv2 = new float[rows];
    c.n2 = new float[rows * hidden];
    for (int r = 0; r < rows; r++) {
      c.inv2[r] = Ops.rmsInverse(h2, r * hidden, hidden, eps);
    }
    Ops.rmsNorm(
        h2, rows, hidden, norm(l, "post_attention_layernorm", lw.postAttentionNorm()), eps, c.n2);
    int inter = cfg.intermediateSize();
    c.gate = new float[rows * inter]; // [rows, intermediate]
    c.up = new float[rows * inter]; // [rows, intermediate]
    linearForward(l, "gate_proj", lw.gate(), c.n2, rows, c.gate, c, dropout);
    linearForward(l, "up_proj", lw.up(), c.n2, rows, c.up, c, dropout);
    c.act = new float[rows * inter];
    c.sig = new float[rows * inter]; // sigmoid(gate), kept for the backward pass
    parallel.range(
        rows,
        (from, to) -> Ops.siluMul(c.gate, c.up, c.act, c.sig, from * inter, (to - from) * inter));
    float[] d = new float[rows * hidden];
    linearForward(l, "down_proj", lw.down(), c.act, rows, d, c, dropout);
    float[] out = h2.clone(); // [rows, hidden]
    Ops.addInPlace(out, d, rows * hidden);
    return out;
  }

  private static float[] groupInverse(float[] x, int groups, int dim, double eps) {
    float[] inv = new float[groups];
    for (int g = 0; g < groups; g++) {
      inv[g] = Ops.rmsInverse(x, g * dim, dim, eps);
    }
    return inv;
  }

  /** y = x Wᵀ + b, plus the trainable part's contribution; keeps what its gradients need. */
  private void linearForward(
      int l,
      String module,
      Linear lin,
      float[] x,
      int rows,
      float[] y,
      LayerCache c,
      SplittableRandom dropout) {
    backend.matmulTransposed(x, rows, lin.weight(), y);
    if (lin.bias() != null) {
      Ops.addBias(y, rows, lin.out(), lin.bias());
    }
    TrainableLinear p = c.frozen ? null : params.get(l + "." + module);
    if (p == null) {
      return;
    }
    if (!p.isLora()) {
      backend.gemm(false, true, rows, p.out, p.in, x, p.values[0], y, true);
      c.lora.put(module, new float[][] {x});
      return;
    }
    float[] xd = x;
    float[] mask = null;
    if (p.dropout > 0 && dropout != null) { // no random source: an evaluation pass, no dropout
      // Inverted dropout on the adapter's input, as PEFT applies it: kept values are scaled up.
      xd = new float[x.length];
      mask = new float[x.length];
      float keep = (float) (1 / (1 - p.dropout));
      for (int i = 0; i < x.length; i++) {
        mask[i] = dropout.nextDouble() < p.dropout ? 0f : keep;
        xd[i] = x[i] * mask[i];
      }
    }
    float[] xa = new float[rows * p.rank];
    backend.gemm(false, true, rows, p.rank, p.in, xd, p.values[0], xa, false);
    float[] delta = new float[rows * p.out];
    backend.gemm(false, true, rows, p.out, p.rank, xa, p.values[1], delta, false);
    for (int i = 0; i < delta.length; i++) {
      y[i] += p.scale * delta[i];
    }
    c.lora.put(module, new float[][] {xd, xa, mask});
  }

  /**
   * Causal attention within each sequence, grouped-query heads. Returns the softmax probabilities
   * per (sequence, head), each {@code [len × len]} with zeros above the diagonal. Scores and mixing
   * are GEMMs on each head's rows gathered into contiguous {@code [len × hd]} blocks.
   */
  private float[][] attentionForward(Batch batch, float[] q, float[] k, float[] v, float[] out) {
    int nh = cfg.numHeads();
    int nkv = cfg.numKvHeads();
    int hd = cfg.headDim();
    int group = nh / nkv;
    float scale = (float) (1.0 / Math.sqrt(hd));
    int seqs = batch.sequences();
    float[][] probs = new float[seqs * nh][];
    backend.concurrentProducts(
        () ->
            parallel.each(
                seqs * nh,
                item -> {
                  int s = item / nh;
                  int head = item % nh;
                  int kvHead = head / group;
                  int start = batch.starts()[s];
                  int len = batch.starts()[s + 1] - start;
                  float[] qh = gather(q, start, len, nh, head, hd); // [len, head_dim]
                  float[] kh =
                      gather(
                          k, start, len, nkv, kvHead, hd); // [len, head_dim]: the head's KV group
                  float[] vh = gather(v, start, len, nkv, kvHead, hd); // [len, head_dim]
                  float[] pr =
                      new float[len * len]; // [len, len]: scores, then causal softmax probabilities
                  backend.gemm(false, true, len, len, hd, qh, kh, pr, false);
                  for (int i = 0; i < len; i++) {
                    int so = i * len;
                    for (int p = 0; p <= i; p++) {
                      pr[so + p] *= scale;
                    }
                    java.util.Arrays.fill(pr, so + i + 1, so + len, 0f);
                    Ops.softmax(pr, so, so + i + 1);
                  }
                  float[] oh = new float[len * hd]; // [len, head_dim] = probabilities · v
                  backend.gemm(false, false, len, hd, len, pr, vh, oh, false);
                  scatter(oh, out, start, len, nh, head, hd, false);
                  probs[item] = pr;
                }));
    return probs;
  }

  /**
   * Rows {@code start..start+len} of one head of {@code x} ({@code [rows × heads × hd]}) as {@code
   * [len × hd]}.
   */
  private static float[] gather(float[] x, int start, int len, int heads, int head, int hd) {
    float[] out = new float[len * hd];
    for (int i = 0; i < len; i++) {
      System.arraycopy(x, ((start + i) * heads + head) * hd, out, i * hd, hd);
    }
    return out;
  }

  /**
   * The inverse of {@link #gather}: writes (or adds) {@code block} into the head's rows of {@code
   * x}.
   */
  private static void scatter(
      float[] block, float[] x, int start, int len, int heads, int head, int hd, boolean add) {
    for (int i = 0; i < len; i++) {
      int o = ((start + i) * heads + head) * hd;
      if (add) {
        for (int d = 0; d < hd; d++) {
          x[o + d] += block[i * hd + d];
        }
      } else {
        System.arraycopy(block, i * hd, x, o, hd);
      }
    }
  }

  // ---------------------------------------------------------------- loss

  /**
   * The head on the loss rows: their indices, hidden states, RMS inverses, final-norm weight,
   * normalised states and logits; {@code frozen} leaves out full fine-tuning's head and norm
   * updates.
   */
  private record HeadForward(
      int[] rows, float[] x, float[] inv, float[] finalNorm, float[] hf, float[] logits) {}

  private HeadForward headForward(float[] h, Batch batch, boolean frozen) {
    int hidden = cfg.hiddenSize();
    int[] rows = batch.lossRowIndices();
    int n = rows.length;
    float[] x = new float[n * hidden];
    float[] inv = new float[n];
    for (int i = 0; i < n; i++) {
      System.arraycopy(h, rows[i] * hidden, x, i * hidden, hidden);
      inv[i] = Ops.rmsInverse(x, i * hidden, hidden, cfg.rmsNormEps());
    }
    float[] hf = new float[n * hidden];
    float[] finalNorm = frozen ? w.finalNorm() : norm(FullParts.FINAL_NORM, w.finalNorm());
    Ops.rmsNorm(x, n, hidden, finalNorm, cfg.rmsNormEps(), hf);
    float[] logits = new float[n * cfg.vocabSize()];
    backend.matmulTransposed(hf, n, w.lmHead(), logits);
    TrainableLinear head = frozen ? null : parts.get(headTensor);
    if (head != null) {
      backend.gemm(false, true, n, cfg.vocabSize(), hidden, hf, head.values[0], logits, true);
    }
    return new HeadForward(rows, x, inv, finalNorm, hf, logits);
  }

  /** Log-probabilities {@code [lossRows × vocab]} of the frozen head on {@code h}. */
  private float[] headLogprobs(float[] h, Batch batch) {
    float[] logits = headForward(h, batch, true).logits();
    toLogprobs(logits, batch.lossRows(), cfg.vocabSize(), parallel);
    return logits;
  }

  /** Turns {@code rows} rows of logits ({@code [rows × vocab]}) into log-probabilities in place. */
  static void toLogprobs(float[] logits, int rows, int vocab, Parallel parallel) {
    parallel.range(
        rows,
        (from, to) -> {
          for (int i = from; i < to; i++) {
            int o = i * vocab;
            double max = Double.NEGATIVE_INFINITY;
            for (int v = 0; v < vocab; v++) {
              max = Math.max(max, logits[o + v]);
            }
            double sum = 0;
            for (int v = 0; v < vocab; v++) {
              sum += Math.exp(logits[o + v] - max);
            }
            float logZ = (float) (max + Math.log(sum));
            for (int v = 0; v < vocab; v++) {
              logits[o + v] -= logZ;
            }
          }
        });
  }

  /**
   * Final norm and output head on the loss rows, the loss terms there, and their gradient into
   * {@code dh}. Returns {cross-entropy sum, KL sum, policy-term sum, clipped rows}.
   */
  private double[] headForwardBackward(float[] h, Batch batch, Loss loss, float[] dh) {
    int hidden = cfg.hiddenSize();
    int vocab = cfg.vocabSize();
    int n = batch.lossRows();
    if (n == 0) {
      return new double[] {0, 0, 0, 0};
    }
    HeadForward fwd = headForward(h, batch, false);
    int[] rows = fwd.rows();
    float[] x = fwd.x();
    float[] inv = fwd.inv();
    float[] finalNorm = fwd.finalNorm();
    float[] hf = fwd.hf();
    float[] logits = fwd.logits();
    TrainableLinear head = parts.get(headTensor);
    double[] ce = new double[n];
    double[] kl = new double[n];
    double[] policyLoss = new double[n];
    boolean[] clipped = new boolean[n];
    Policy policy = loss.policy();
    double scale = 1.0 / loss.normalizer();
    parallel.range(
        n,
        (from, to) -> {
          for (int i = from; i < to; i++) {
            int o = i * vocab;
            double max = Double.NEGATIVE_INFINITY;
            for (int v = 0; v < vocab; v++) {
              max = Math.max(max, logits[o + v]);
            }
            int target = batch.targets()[rows[i]];
            boolean withKl = loss.klLambda() > 0;
            boolean keepLogits = withKl || policy != null;
            double sum = 0;
            float targetLogit = logits[o + target];
            for (int v = 0; v < vocab; v++) {
              double e = Math.exp(logits[o + v] - max);
              sum += e;
              if (!keepLogits) {
                logits[o + v] = (float) e; // reused below: one exponential per logit instead of two
              }
            }
            double logZ = max + Math.log(sum);
            ce[i] = logZ - targetLogit;
            if (!keepLogits) {
              double ceScale = loss.ceWeight() * scale;
              double inverseSum = 1 / sum;
              for (int v = 0; v < vocab; v++) {
                double g = ceScale * (logits[o + v] * inverseSum - (v == target ? 1 : 0));
                logits[o + v] = Ops.flushed(g);
              }
              continue;
            }
            // With KL or the policy term: the log-probabilities are needed, so the logits stay and
            // each exponential is taken again.
            double klRow = 0;
            if (withKl) {
              for (int v = 0; v < vocab; v++) {
                double lp = logits[o + v] - logZ;
                klRow += Math.exp(lp) * (lp - loss.refLogprobs()[o + v]);
              }
            }
            kl[i] = klRow;
            // The policy term: ∂(−ρA)/∂logit_v = (ρA / T)(π_v − [v = t]); 0 where the clipped side
            // is taken.
            double invT = policy == null ? 0 : 1 / policy.temperature();
            double logZT = 0;
            double policyCoef = 0;
            if (policy != null) {
              double maxT = max * invT;
              double sumT = 0;
              for (int v = 0; v < vocab; v++) {
                sumT += Math.exp(logits[o + v] * invT - maxT);
              }
              logZT = maxT + Math.log(sumT);
              double lp = targetLogit * invT - logZT;
              double ratio =
                  policy.oldLogprobs() == null ? 1 : Math.exp(lp - policy.oldLogprobs()[i]);
              double a = policy.advantages()[i];
              double bounded =
                  Math.min(Math.max(ratio, 1 - policy.clipLow()), 1 + policy.clipHigh());
              clipped[i] = bounded * a < ratio * a;
              policyLoss[i] = -Math.min(ratio * a, bounded * a);
              policyCoef = clipped[i] ? 0 : a * ratio * invT;
            }
            boolean withCe = loss.ceWeight() != 0;
            // Gradient w.r.t. the logits, written over them.
            for (int v = 0; v < vocab; v++) {
              double g = 0;
              if (withKl || withCe) {
                double lp = logits[o + v] - logZ;
                double p = Math.exp(lp);
                g = loss.ceWeight() * (p - (v == target ? 1 : 0));
                if (withKl) {
                  g += loss.klLambda() * p * (lp - loss.refLogprobs()[o + v] - klRow);
                }
              }
              if (policyCoef != 0) {
                g += policyCoef * (Math.exp(logits[o + v] * invT - logZT) - (v == target ? 1 : 0));
              }
              // Flushed like Ops.softmax's probabilities: subnormal gradients slow the head's GEMM
              // a hundredfold.
              logits[o + v] = Ops.flushed(g * scale);
            }
          }
        });
    float[] dhf = new float[n * hidden];
    backend.matmul(logits, n, w.lmHead(), dhf);
    if (head != null) {
      // dhf += dlogits ΔH;  dΔH += dlogitsᵀ hf
      backend.gemm(false, false, n, hidden, vocab, logits, head.values[0], dhf, true);
      backend.gemm(true, false, vocab, hidden, n, logits, hf, head.grads[0], true);
    }
    for (int i = 0; i < n; i++) {
      Ops.rmsNormBackwardRow(
          x, i * hidden, hidden, finalNorm, inv[i], dhf, i * hidden, dh, rows[i] * hidden);
    }
    normGradient(FullParts.FINAL_NORM, x, inv, dhf, n, hidden);
    double ceSum = 0;
    double klSum = 0;
    double policySum = 0;
    int clippedRows = 0;
    for (int i = 0; i < n; i++) {
      ceSum += ce[i];
      klSum += kl[i];
      policySum += policyLoss[i];
      clippedRows += clipped[i] ? 1 : 0;
    }
    return new double[] {ceSum, klSum, policySum, clippedRows};
  }

  /**
   * Adds the gradient of {@code lambda · Σ_rows ‖h/‖h‖ − ref‖²} to {@code dh}; returns the sum.
   * ∂/∂h ‖φ − r‖² = (2/‖h‖) ((φ − r) − φ (φ · (φ − r))), φ = h/‖h‖.
   */
  private double featureGradient(float[] h, float[] ref, int rows, double lambda, float[] dh) {
    int hidden = cfg.hiddenSize();
    double total = 0;
    for (int r = 0; r < rows; r++) {
      int o = r * hidden;
      double norm = 0;
      for (int i = 0; i < hidden; i++) {
        norm += (double) h[o + i] * h[o + i];
      }
      norm = Math.sqrt(norm);
      double dist = 0;
      double phiDotDiff = 0;
      for (int i = 0; i < hidden; i++) {
        double phi = h[o + i] / norm;
        double diff = phi - ref[o + i];
        dist += diff * diff;
        phiDotDiff += phi * diff;
      }
      total += dist;
      for (int i = 0; i < hidden; i++) {
        double phi = h[o + i] / norm;
        double diff = phi - ref[o + i];
        dh[o + i] += (float) (lambda * 2 / norm * (diff - phi * phiDotDiff));
      }
    }
    return total;
  }

  // ---------------------------------------------------------------- backward

  /**
   * The backward pass of layer {@code l}: the trained parts' gradients, and the gradient at the
   * layer's input when {@code stop} is {@link #STAGE_INPUT}. Otherwise the pass ends once the
   * modules from {@code stop} on have their gradients (returning null): in the lowest trained layer
   * a {@code down_proj} adapter needs only the gradient at the layer's output.
   */
  private float[] layerBackward(int l, float[] dOut, Batch batch, LayerCache c, int stop) {
    LayerWeights lw = w.layer(l);
    int rows = batch.rows();
    int hidden = cfg.hiddenSize();
    int inter = cfg.intermediateSize();
    int hd = cfg.headDim();
    int nh = cfg.numHeads();
    int nkv = cfg.numKvHeads();
    // MLP: out = h2 + down(silu(gate) ⊙ up)
    float[] dAct =
        linearBackward(
            l, "down_proj", lw.down(), dOut, rows, c, stop < STAGE_DOWN); // [rows, intermediate]
    if (stop == STAGE_DOWN) {
      return null;
    }
    // d/dg [silu(g) · u] = u · σ(g) · (1 + g · (1 − σ(g))), d/du = silu(g)
    float[] dGate = new float[rows * inter]; // [rows, intermediate]
    float[] dUp = new float[rows * inter]; // [rows, intermediate]
    parallel.range(
        rows,
        (from, to) -> {
          for (int i = from * inter; i < to * inter; i++) {
            double g = c.gate[i];
            double sig = c.sig[i];
            double silu = g * sig;
            dUp[i] = (float) (dAct[i] * silu);
            dGate[i] = (float) (dAct[i] * c.up[i] * sig * (1 + g * (1 - sig)));
          }
        });
    boolean below = stop < STAGE_GATE_UP;
    float[] dn2 = linearBackward(l, "gate_proj", lw.gate(), dGate, rows, c, below);
    float[] dn2Up = linearBackward(l, "up_proj", lw.up(), dUp, rows, c, below);
    if (!below) {
      return null;
    }
    Ops.addInPlace(dn2, dn2Up, rows * hidden); // [rows, hidden]
    // through post_attention_layernorm, plus the residual path: dh2 = dOut + RMSNorm'(h2)ᵀ · dn2
    float[] dh2 = dOut.clone(); // [rows, hidden]
    float[] postNorm = norm(l, "post_attention_layernorm", lw.postAttentionNorm());
    for (int r = 0; r < rows; r++) {
      Ops.rmsNormBackwardRow(
          c.h2, r * hidden, hidden, postNorm, c.inv2[r], dn2, r * hidden, dh2, r * hidden);
    }
    normGradient(
        FullParts.layerNorm(l, "post_attention_layernorm"), c.h2, c.inv2, dn2, rows, hidden);
    // Attention: h2 = hIn + o_proj(attention(...))
    float[] dAttn =
        linearBackward(
            l, "o_proj", lw.o(), dh2, rows, c, stop < STAGE_O); // [rows, heads, head_dim]
    if (stop == STAGE_O) {
      return null;
    }
    float[] dq = new float[rows * nh * hd]; // [rows, heads, head_dim]
    float[] dk =
        new float[rows * nkv * hd]; // [rows, kv_heads, head_dim]: summed over each KV group's heads
    float[] dv = new float[rows * nkv * hd]; // [rows, kv_heads, head_dim]
    attentionBackward(batch, c, dAttn, dq, dk, dv);
    // RoPE is a rotation: its backward is the rotation by the opposite angle
    Ops.ropeTranspose(dq, rows, nh, hd, batch.positions(), rope);
    Ops.ropeTranspose(dk, rows, nkv, hd, batch.positions(), rope);
    if (cfg.qkNorm()) {
      normGradient(FullParts.layerNorm(l, "self_attn.q_norm"), c.qRaw, c.qInv, dq, rows * nh, hd);
      normGradient(FullParts.layerNorm(l, "self_attn.k_norm"), c.kRaw, c.kInv, dk, rows * nkv, hd);
      dq =
          groupNormBackward(
              c.qRaw, c.qInv, norm(l, "self_attn.q_norm", lw.qNorm()), dq, rows * nh, hd);
      dk =
          groupNormBackward(
              c.kRaw, c.kInv, norm(l, "self_attn.k_norm", lw.kNorm()), dk, rows * nkv, hd);
    }
    boolean input = stop == STAGE_INPUT;
    float[] dn1 = linearBackward(l, "q_proj", lw.q(), dq, rows, c, input);
    float[] dn1k = linearBackward(l, "k_proj", lw.k(), dk, rows, c, input);
    float[] dn1v = linearBackward(l, "v_proj", lw.v(), dv, rows, c, input);
    if (!input) {
      return null;
    }
    Ops.addInPlace(dn1, dn1k, rows * hidden);
    Ops.addInPlace(dn1, dn1v, rows * hidden); // [rows, hidden]
    // through input_layernorm, plus the residual path
    float[] dIn = dh2.clone(); // [rows, hidden]
    float[] inputNorm = norm(l, "input_layernorm", lw.inputNorm());
    for (int r = 0; r < rows; r++) {
      Ops.rmsNormBackwardRow(
          c.hIn, r * hidden, hidden, inputNorm, c.inv1[r], dn1, r * hidden, dIn, r * hidden);
    }
    normGradient(FullParts.layerNorm(l, "input_layernorm"), c.hIn, c.inv1, dn1, rows, hidden);
    return dIn;
  }

  private static float[] groupNormBackward(
      float[] raw, float[] inv, float[] weight, float[] dy, int groups, int dim) {
    float[] dx = new float[dy.length];
    for (int g = 0; g < groups; g++) {
      Ops.rmsNormBackwardRow(raw, g * dim, dim, weight, inv[g], dy, g * dim, dx, g * dim);
    }
    return dx;
  }

  /**
   * dx = dy W (+ the trainable part's), accumulating the trainable part's gradients; dx only when
   * {@code needDx} (else null: nothing below needs it).
   */
  private float[] linearBackward(
      int l, String module, Linear lin, float[] dy, int rows, LayerCache c, boolean needDx) {
    float[] dx = needDx ? new float[rows * lin.in()] : null;
    if (needDx) {
      backend.matmul(dy, rows, lin.weight(), dx);
    }
    TrainableLinear p = params.get(l + "." + module);
    if (p == null) {
      return dx;
    }
    float[][] saved = c.lora.get(module);
    if (!p.isLora()) {
      if (needDx) {
        backend.gemm(false, false, rows, p.in, p.out, dy, p.values[0], dx, true);
      }
      backend.gemm(true, false, p.out, p.in, rows, dy, saved[0], p.grads[0], true);
      return dx;
    }
    float[] xd = saved[0];
    float[] xa = saved[1];
    float[] dyB = new float[rows * p.rank];
    backend.gemm(false, false, rows, p.rank, p.out, dy, p.values[1], dyB, false);
    for (int i = 0; i < dyB.length; i++) {
      dyB[i] *= p.scale;
    }
    // dB += s · dyᵀ (x Aᵀ);  dA += s · (dy B)ᵀ x
    float[] dyScaled = dy;
    if (p.scale != 1f) {
      dyScaled = new float[dy.length];
      for (int i = 0; i < dy.length; i++) {
        dyScaled[i] = dy[i] * p.scale;
      }
    }
    backend.gemm(true, false, p.out, p.rank, rows, dyScaled, xa, p.grads[1], true);
    backend.gemm(true, false, p.rank, p.in, rows, dyB, xd, p.grads[0], true);
    if (!needDx) {
      return null;
    }
    float[] dxd = new float[rows * p.in];
    backend.gemm(false, false, rows, p.in, p.rank, dyB, p.values[0], dxd, false);
    float[] mask = saved[2];
    if (mask != null) {
      // The input's gradient passes where dropout kept it, scaled like the kept values.
      for (int i = 0; i < dxd.length; i++) {
        dx[i] += dxd[i] * mask[i];
      }
    } else {
      Ops.addInPlace(dx, dxd, dx.length);
    }
    return dx;
  }

  /**
   * Gradients of causal attention: dP = dO·Vᵀ, dS = P ⊙ (dP − rowsum(P ⊙ dP)) · scale, then dQ =
   * dS·K, dK = dSᵀ·Q and dV = Pᵀ·dO, as GEMMs per head. Each (sequence, KV head) owns its rows of
   * dk and dv; the query heads of its group add into them in turn.
   */
  private void attentionBackward(
      Batch batch, LayerCache c, float[] dOut, float[] dq, float[] dk, float[] dv) {
    int nh = cfg.numHeads();
    int nkv = cfg.numKvHeads();
    int hd = cfg.headDim();
    int group = nh / nkv;
    float scale = (float) (1.0 / Math.sqrt(hd));
    int seqs = batch.sequences();
    backend.concurrentProducts(
        () ->
            parallel.each(
                seqs * nkv,
                item -> {
                  int s = item / nkv;
                  int kvHead = item % nkv;
                  int start = batch.starts()[s];
                  int len = batch.starts()[s + 1] - start;
                  float[] kh = gather(c.k, start, len, nkv, kvHead, hd);
                  float[] vh = gather(c.v, start, len, nkv, kvHead, hd);
                  float[] dkh = new float[len * hd];
                  float[] dvh = new float[len * hd];
                  float[] dS = new float[len * len];
                  float[] dqh = new float[len * hd];
                  for (int g = 0; g < group; g++) {
                    int head = kvHead * group + g;
                    float[] pr = c.probs[s * nh + head];
                    float[] doh = gather(dOut, start, len, nh, head, hd);
                    float[] qh = gather(c.q, start, len, nh, head, hd);
                    backend.gemm(false, true, len, len, hd, doh, vh, dS, false);
                    backend.gemm(true, false, len, hd, len, pr, doh, dvh, true);
                    for (int i = 0; i < len; i++) {
                      int so = i * len;
                      double dot = 0;
                      for (int p = 0; p <= i; p++) {
                        dot += (double) pr[so + p] * dS[so + p];
                      }
                      for (int p = 0; p <= i; p++) {
                        dS[so + p] = (float) (pr[so + p] * (dS[so + p] - dot)) * scale;
                      }
                      java.util.Arrays.fill(dS, so + i + 1, so + len, 0f);
                    }
                    backend.gemm(false, false, len, hd, len, dS, kh, dqh, false);
                    scatter(dqh, dq, start, len, nh, head, hd, true);
                    backend.gemm(true, false, len, hd, len, dS, qh, dkh, true);
                  }
                  scatter(dkh, dk, start, len, nkv, kvHead, hd, true);
                  scatter(dvh, dv, start, len, nkv, kvHead, hd, true);
                }));
  }

  // ---------------------------------------------------------------- full fine-tuning's other parts

  /**
   * A layer's norm weight as trained so far: the base's, plus its update when full_train trains
   * norms.
   */
  private float[] norm(int layer, String norm, float[] base) {
    return norm(FullParts.layerNorm(layer, norm), base);
  }

  private float[] norm(String tensor, float[] base) {
    TrainableLinear p = parts.get(tensor);
    if (p == null) {
      return base;
    }
    float[] weight = base.clone();
    Ops.addInPlace(weight, p.values[0], weight.length);
    return weight;
  }

  /** RMSNorm y = w ⊙ x·inv: dw += Σ_groups dy ⊙ x·inv, for a trained norm weight. */
  private void normGradient(
      String tensor, float[] x, float[] inv, float[] dy, int groups, int dim) {
    TrainableLinear p = parts.get(tensor);
    if (p == null) {
      return;
    }
    float[] g = p.grads[0];
    for (int r = 0; r < groups; r++) {
      int o = r * dim;
      for (int i = 0; i < dim; i++) {
        g[i] += dy[o + i] * x[o + i] * inv[r];
      }
    }
  }

  /**
   * Layer 0's input, [rows, hidden]: each token's embedding row, plus its trained update when
   * embeddings train.
   */
  private float[] embed(Batch batch) {
    int hidden = cfg.hiddenSize();
    float[] h = new float[batch.rows() * hidden];
    for (int r = 0; r < batch.rows(); r++) {
      w.embed().copyRow(batch.tokens()[r], h, r * hidden);
    }
    TrainableLinear p = parts.get(FullParts.EMBED);
    if (p == null) {
      return h;
    }
    float[] delta = p.values[0];
    for (int r = 0; r < batch.rows(); r++) {
      int o = r * hidden;
      int e = batch.tokens()[r] * hidden;
      for (int i = 0; i < hidden; i++) {
        h[o + i] += delta[e + i];
      }
    }
    return h;
  }

  /** dE[token] += dh at layer 0's input, for each row. */
  private void embeddingBackward(Batch batch, float[] dh) {
    TrainableLinear p = parts.get(FullParts.EMBED);
    if (p == null) {
      return;
    }
    int hidden = cfg.hiddenSize();
    float[] g = p.grads[0];
    for (int r = 0; r < batch.rows(); r++) {
      int o = r * hidden;
      int e = batch.tokens()[r] * hidden;
      for (int i = 0; i < hidden; i++) {
        g[e + i] += dh[o + i];
      }
    }
  }

  /**
   * The lowest layer whose input gradient the other parts need: 0 when the embeddings are trained,
   * else the lowest layer with a trained norm; {@code numLayers} when none (head and final norm
   * need no layer's backward pass).
   */
  int lowestLayerOfParts() {
    if (parts.containsKey(FullParts.EMBED)) {
      return 0;
    }
    for (int l = 0; l < cfg.numLayers(); l++) {
      if (parts.containsKey(FullParts.layerNorm(l, "input_layernorm"))) {
        return l;
      }
    }
    return cfg.numLayers();
  }

  private static boolean contains(int[] a, int x) {
    return indexOf(a, x) >= 0;
  }

  private static int indexOf(int[] a, int x) {
    for (int i = 0; i < a.length; i++) {
      if (a[i] == x) {
        return i;
      }
    }
    return -1;
  }

  /** The trainable parts by key, in a stable order (for the optimizer and checkpoints). */
  public static java.util.List<String> keys(Map<String, TrainableLinear> params) {
    return params.keySet().stream()
        .sorted(
            (a, b) -> {
              int la = Integer.parseInt(a.substring(0, a.indexOf('.')));
              int lb = Integer.parseInt(b.substring(0, b.indexOf('.')));
              return la != lb
                  ? Integer.compare(la, lb)
                  : Integer.compare(
                      LayerWeights.MODULES.indexOf(a.substring(a.indexOf('.') + 1)),
                      LayerWeights.MODULES.indexOf(b.substring(b.indexOf('.') + 1)));
            })
        .toList();
  }
}
