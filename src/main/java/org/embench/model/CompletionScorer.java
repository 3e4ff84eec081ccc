package org.embench.model;

import java.util.ArrayList;
import java.util.List;

/**
 * Log-probabilities of given completions under the model (for local judges, RL objectives and
 * in-domain checks): the prompt is prefilled, then the completion is fed in blocks, and each
 * completion token's log-softmax probability is read from the logits of the position before it.
 */
public final class CompletionScorer {
  /** Per-token natural-log probabilities of a completion and their sum. */
  public record Scored(double[] tokenLogprobs, double total) {}

  private static final int BLOCK = 128;

  private final Transformer model;

  public CompletionScorer(Transformer model) {
    this.model = model;
  }

  /** Scores {@code completion} as the continuation of {@code prompt}. */
  public Scored score(int[] prompt, int[] completion) {
    if (prompt.length == 0) {
      throw new IllegalArgumentException(
          "the prompt is empty: the first completion token has no context");
    }
    int vocab = model.config().vocabSize();
    KvCache cache = new KvCache(model.config(), 1);
    double[] lp = new double[completion.length];
    if (completion.length == 0) {
      return new Scored(lp, 0);
    }
    // Logits after the prompt predict completion[0].
    float[] logits = model.forward(List.of(new Transformer.Chunk(0, prompt)), cache, null);
    lp[0] = logSoftmaxAt(logits, 0, vocab, completion[0]);
    // Feed completion[0..n-2] block by block; row j's logits predict completion[j + 1].
    for (int start = 0; start < completion.length - 1; start += BLOCK) {
      int end = Math.min(completion.length - 1, start + BLOCK);
      int[] block = java.util.Arrays.copyOfRange(completion, start, end);
      int[] rows = new int[block.length];
      for (int j = 0; j < rows.length; j++) {
        rows[j] = j;
      }
      logits = model.forward(List.of(new Transformer.Chunk(0, block)), cache, rows);
      for (int j = 0; j < block.length; j++) {
        lp[start + j + 1] = logSoftmaxAt(logits, j * vocab, vocab, completion[start + j + 1]);
      }
    }
    double total = 0;
    for (double v : lp) {
      total += v;
    }
    return new Scored(lp, total);
  }

  /** Scores several prompt/completion pairs. */
  public List<Scored> scoreAll(List<int[]> prompts, List<int[]> completions) {
    List<Scored> out = new ArrayList<>(prompts.size());
    for (int i = 0; i < prompts.size(); i++) {
      out.add(score(prompts.get(i), completions.get(i)));
    }
    return out;
  }

  /** log softmax(logits[offset, offset + vocab))[token], in double. */
  public static double logSoftmaxAt(float[] logits, int offset, int vocab, int token) {
    return logits[offset + token] - logSumExp(logits, offset, vocab);
  }

  /** log Σ exp over one row of logits, in double (the row's maximum taken out first). */
  public static double logSumExp(float[] logits, int offset, int vocab) {
    double max = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < vocab; i++) {
      max = Math.max(max, logits[offset + i]);
    }
    double sum = 0;
    for (int i = 0; i < vocab; i++) {
      sum += Math.exp(logits[offset + i] - max);
    }
    return max + Math.log(sum);
  }
}
