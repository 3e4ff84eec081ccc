package org.embench.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Log-likelihoods of given tokens under a model, batched like generation: many sequences share a
 * forward pass as a ragged batch, and only the rows whose next token is scored get logits (a row of
 * logits is a whole vocabulary). Used by the capability tasks.
 *
 * <p>Continuations of one prompt (the choices of a multiple-choice item) share it: the prompts of a
 * batch are prefilled once, each prompt's cache is copied to a slot per continuation, and every
 * continuation of the batch then goes through one more forward pass. A continuation token's
 * log-probability is read from the logits of the row before it; log-probabilities are natural logs
 * of the softmax over the model's whole vocabulary, in double.
 */
public final class LoglikScorer {
  /** Rows of logits per forward pass (each is a vocabulary of floats: 0.6 MB for Qwen2.5). */
  public static final int DEFAULT_MAX_ROWS = 512;

  /** A prompt and the continuations to score after it. */
  public record Continuations(int[] prompt, List<int[]> continuations) {
    public Continuations {
      if (prompt.length == 0) {
        throw new IllegalArgumentException(
            "an empty prompt: the first continuation token has no context");
      }
      for (int[] c : continuations) {
        if (c.length == 0) {
          throw new IllegalArgumentException("an empty continuation");
        }
      }
    }
  }

  /**
   * A sequence and which of its tokens are scored ({@code scored[t]}: token t, predicted by row t −
   * 1).
   */
  public record Sequence(int[] ids, boolean[] scored) {}

  private final Transformer model;
  private final int batch;
  private final int maxRows;

  /**
   * @param batch prompts (or sequences) per forward pass
   * @param maxRows rows of logits per forward pass, at most (a single larger item is taken alone)
   */
  public LoglikScorer(Transformer model, int batch, int maxRows) {
    if (batch < 1 || maxRows < 1) {
      throw new IllegalArgumentException("batch and maxRows must be positive");
    }
    this.model = model;
    this.batch = batch;
    this.maxRows = maxRows;
  }

  /** For each query, the summed log-probability of each of its continuations after its prompt. */
  public List<double[]> continuations(List<Continuations> queries) {
    List<double[]> out = new ArrayList<>(queries.size());
    int from = 0;
    while (from < queries.size()) {
      int to = from;
      int rows = 0;
      while (to < queries.size() && to - from < batch) {
        int r = logitRows(queries.get(to));
        if (to > from && rows + r > maxRows) {
          break;
        }
        rows += r;
        to++;
      }
      out.addAll(continuationBatch(queries.subList(from, to)));
      from = to;
    }
    return out;
  }

  /**
   * Rows of logits a query needs: the prompt's last row, then every continuation token but the
   * last.
   */
  private static int logitRows(Continuations q) {
    int rows = 1;
    for (int[] c : q.continuations()) {
      rows += c.length - 1;
    }
    return rows;
  }

  private List<double[]> continuationBatch(List<Continuations> queries) {
    int vocab = model.config().vocabSize();
    int[] firstSlot = new int[queries.size()];
    int slots = 0;
    for (int q = 0; q < queries.size(); q++) {
      firstSlot[q] = slots;
      slots += queries.get(q).continuations().size();
    }
    KvCache cache = new KvCache(model.config(), slots);
    // 1. Prefill each prompt in its first slot; the last row's logits score every first token.
    List<Transformer.Chunk> prompts = new ArrayList<>(queries.size());
    for (int q = 0; q < queries.size(); q++) {
      prompts.add(new Transformer.Chunk(firstSlot[q], queries.get(q).prompt()));
    }
    float[] logits = model.forward(prompts, cache, null); // [queries, vocab]
    List<double[]> out = new ArrayList<>(queries.size());
    for (int q = 0; q < queries.size(); q++) {
      List<int[]> conts = queries.get(q).continuations();
      double logZ = CompletionScorer.logSumExp(logits, q * vocab, vocab);
      double[] ll = new double[conts.size()];
      for (int c = 0; c < conts.size(); c++) {
        ll[c] = logits[q * vocab + conts.get(c)[0]] - logZ;
      }
      out.add(ll);
    }
    // 2. Every other continuation of a prompt starts from a copy of its cache.
    for (int q = 0; q < queries.size(); q++) {
      for (int c = 1; c < queries.get(q).continuations().size(); c++) {
        cache.copySlot(firstSlot[q], firstSlot[q] + c);
      }
    }
    // 3. Feed each continuation but its last token; row k predicts token k + 1.
    List<Transformer.Chunk> chunks = new ArrayList<>();
    List<int[]> owner = new ArrayList<>(); // {query, continuation} of each chunk
    int rows = 0;
    for (int q = 0; q < queries.size(); q++) {
      List<int[]> conts = queries.get(q).continuations();
      for (int c = 0; c < conts.size(); c++) {
        if (conts.get(c).length > 1) {
          chunks.add(
              new Transformer.Chunk(
                  firstSlot[q] + c, Arrays.copyOf(conts.get(c), conts.get(c).length - 1)));
          owner.add(new int[] {q, c});
          rows += conts.get(c).length - 1;
        }
      }
    }
    if (chunks.isEmpty()) {
      return out;
    }
    int[] all = new int[rows];
    for (int i = 0; i < rows; i++) {
      all[i] = i;
    }
    logits = model.forward(chunks, cache, all); // [rows, vocab]
    int row = 0;
    for (int k = 0; k < chunks.size(); k++) {
      int[] cont = queries.get(owner.get(k)[0]).continuations().get(owner.get(k)[1]);
      for (int j = 1; j < cont.length; j++, row++) {
        out.get(owner.get(k)[0])[owner.get(k)[1]] +=
            CompletionScorer.logSoftmaxAt(logits, row * vocab, vocab, cont[j]);
      }
    }
    return out;
  }

  /**
   * For each sequence, {sum of the scored tokens' log-probabilities, how many were scored}.
   * Sequences are fed in blocks, so a long one never needs more than {@code maxRows} rows of logits
   * at once.
   */
  public List<double[]> sequences(List<Sequence> sequences) {
    List<double[]> out = new ArrayList<>(sequences.size());
    for (int from = 0; from < sequences.size(); from += batch) {
      out.addAll(sequenceBatch(sequences.subList(from, Math.min(sequences.size(), from + batch))));
    }
    return out;
  }

  private List<double[]> sequenceBatch(List<Sequence> seqs) {
    int vocab = model.config().vocabSize();
    int block = Math.max(1, maxRows / seqs.size());
    KvCache cache = new KvCache(model.config(), seqs.size());
    double[][] sums = new double[seqs.size()][2];
    int[] fed = new int[seqs.size()];
    while (true) {
      List<Transformer.Chunk> chunks = new ArrayList<>();
      List<Integer> rows = new ArrayList<>();
      List<int[]> targets = new ArrayList<>(); // {sequence, token index} each logit row scores
      int base = 0;
      for (int s = 0; s < seqs.size(); s++) {
        int[] ids = seqs.get(s).ids();
        if (fed[s] >= ids.length) {
          continue;
        }
        int end = Math.min(ids.length, fed[s] + block);
        chunks.add(new Transformer.Chunk(s, Arrays.copyOfRange(ids, fed[s], end)));
        for (int t = fed[s]; t < end; t++) {
          if (t + 1 < ids.length && seqs.get(s).scored()[t + 1]) {
            rows.add(base + t - fed[s]);
            targets.add(new int[] {s, t + 1});
          }
        }
        base += end - fed[s];
        fed[s] = end;
      }
      if (chunks.isEmpty()) {
        break;
      }
      float[] logits =
          model.forward(chunks, cache, rows.stream().mapToInt(Integer::intValue).toArray());
      for (int i = 0; i < targets.size(); i++) {
        int s = targets.get(i)[0];
        int token = seqs.get(s).ids()[targets.get(i)[1]];
        sums[s][0] += CompletionScorer.logSoftmaxAt(logits, i * vocab, vocab, token);
        sums[s][1]++;
      }
    }
    return Arrays.asList(sums);
  }
}
