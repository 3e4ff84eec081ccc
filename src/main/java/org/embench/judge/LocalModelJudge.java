package org.embench.judge;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import org.embench.UserException;
import org.embench.data.ChatMessage;
import org.embench.model.CompletionScorer;
import org.embench.model.Generator;
import org.embench.model.KvCache;
import org.embench.model.LanguageModel;
import org.embench.model.SamplingParams;
import org.embench.model.Transformer;
import org.embench.model.text.Tokenizer;

/**
 * A judge run on a local checkpoint (any model directory the engine loads). The filled template is
 * the user message of a chat rendered with the model's template and its generation prompt; the
 * judge reads the distribution of the next token, as an API judge answering with max_tokens 1 and
 * top_logprobs would. The {@code top_logprobs} most probable tokens (log-softmax in double over the
 * whole vocabulary, ties to the lower id), each decoded on its own with special tokens kept, go
 * through {@link NumericScore} exactly like an API judge's. Categorical requests decode greedily up
 * to {@value #LABEL_TOKENS} tokens and take the text as the label.
 *
 * <p>{@code batch} prompts share one forward pass, each in its own KV-cache slot; the logits of
 * each prompt's last position are read. A judge belongs to one thread (one Spark task); the weights
 * are loaded once per JVM and shared.
 *
 * <p>Resolution: a tokenizer that splits numbers into single digits (Qwen's does) can only offer
 * 0-9 as the next token, so such a judge scores on a 0-9 scale inside 0-100 and cannot say 85.
 * Prefer a judge model whose tokenizer has whole tokens for 0-100 (Llama 3's has up to 999).
 */
public final class LocalModelJudge implements Judge {
  static final int LABEL_TOKENS = 8;

  private final JudgeSpec spec;
  private final LanguageModel model;
  private final Transformer transformer;
  private final int batch;
  private final int top;

  public LocalModelJudge(JudgeSpec spec, JudgeEnvironment env) {
    this.spec = spec;
    this.batch = spec.integer("batch");
    this.top = spec.integer("top_logprobs");
    if (batch < 1 || top < 1) {
      throw new UserException(
          "local judge parameters batch and top_logprobs must be at least 1, got "
              + batch
              + " and "
              + top);
    }
    this.model = LanguageModel.cached(spec.model(), env.conf());
    this.transformer = model.transformer(Map.of());
  }

  @Override
  public JudgeSpec spec() {
    return spec;
  }

  @Override
  public String callKey(JudgeRequest request) {
    return null;
  }

  @Override
  public List<Verdict> judge(List<JudgeRequest> requests) {
    Verdict[] out = new Verdict[requests.size()];
    List<Integer> numeric = new ArrayList<>();
    List<Integer> categorical = new ArrayList<>();
    List<int[]> prompts = new ArrayList<>(requests.size());
    for (int i = 0; i < requests.size(); i++) {
      int[] ids = model.chatPrompt(List.of(ChatMessage.user(requests.get(i).prompt())));
      prompts.add(ids);
      int limit = model.config().maxPositionEmbeddings();
      if (ids.length + LABEL_TOKENS > limit) {
        // One answer too long for the judge is that judgment's status, not the stage's failure.
        out[i] =
            Verdict.failure(
                requests.get(i).key(),
                VerdictStatus.TOO_LONG,
                "the judge prompt has "
                    + ids.length
                    + " tokens; the judge model "
                    + spec.model()
                    + " reads at most "
                    + limit);
        continue;
      }
      (requests.get(i).numeric() ? numeric : categorical).add(i);
    }
    KvCache cache = new KvCache(model.config(), Math.min(batch, Math.max(1, numeric.size())));
    for (int from = 0; from < numeric.size(); from += batch) {
      List<Integer> group = numeric.subList(from, Math.min(numeric.size(), from + batch));
      scoreNextToken(group, requests, prompts, cache, out);
    }
    label(categorical, requests, prompts, out);
    return List.of(out);
  }

  /**
   * One forward pass over a group of prompts, one KV-cache slot each; the last position's logits of
   * each.
   */
  private void scoreNextToken(
      List<Integer> group,
      List<JudgeRequest> requests,
      List<int[]> prompts,
      KvCache cache,
      Verdict[] out) {
    List<Transformer.Chunk> chunks = new ArrayList<>(group.size());
    for (int slot = 0; slot < group.size(); slot++) {
      cache.reset(slot);
      chunks.add(new Transformer.Chunk(slot, prompts.get(group.get(slot))));
    }
    float[] logits = transformer.forward(chunks, cache, null); // [group, vocab]
    int vocab = model.config().vocabSize();
    for (int row = 0; row < group.size(); row++) {
      int i = group.get(row);
      List<TokenLogprob> topTokens = topTokens(logits, row * vocab, vocab);
      out[i] =
          Verdict.fromLogprobs(
                  requests.get(i).key(),
                  topTokens,
                  spec.number("min_numeric_mass"),
                  topTokens.get(0).token())
              .withUsage(prompts.get(i).length, 1, null, null);
    }
  }

  /**
   * The most probable tokens of one row of logits, most probable first, with log-softmax
   * log-probabilities. Ids beyond the tokenizer's (padding rows of the embedding) are not offered.
   */
  private List<TokenLogprob> topTokens(float[] logits, int offset, int vocab) {
    double logZ = CompletionScorer.logSumExp(logits, offset, vocab);
    // A min-heap of the best ids so far: its head is the weakest (lower logit, or higher id on a
    // tie).
    PriorityQueue<Integer> best =
        new PriorityQueue<>(
            top + 1,
            (a, b) ->
                logits[offset + a] != logits[offset + b]
                    ? Float.compare(logits[offset + a], logits[offset + b])
                    : Integer.compare(b, a));
    Tokenizer tokenizer = model.tokenizer();
    int known = Math.min(vocab, tokenizer.vocabSize());
    for (int id = 0; id < known; id++) {
      best.add(id);
      if (best.size() > top) {
        best.poll();
      }
    }
    List<TokenLogprob> out = new ArrayList<>(best.size());
    while (!best.isEmpty()) {
      int id = best.poll();
      out.add(
          0, new TokenLogprob(tokenizer.decode(new int[] {id}, false), logits[offset + id] - logZ));
    }
    return out;
  }

  /** Greedy labels of the categorical requests, {@code batch} sequences decoding together. */
  private void label(
      List<Integer> categorical, List<JudgeRequest> requests, List<int[]> prompts, Verdict[] out) {
    if (categorical.isEmpty()) {
      return;
    }
    SamplingParams greedy = new SamplingParams(0, 1, 0, LABEL_TOKENS);
    List<Generator.Request> todo = new ArrayList<>(categorical.size());
    for (int i : categorical) {
      todo.add(new Generator.Request(requests.get(i).key(), prompts.get(i), 0, greedy));
    }
    List<Generator.Result> results =
        model.generator(transformer, batch, Integer.MAX_VALUE).generate(todo, null);
    for (int j = 0; j < categorical.size(); j++) {
      int i = categorical.get(j);
      Generator.Result r = results.get(j);
      out[i] =
          Verdict.labelled(requests.get(i).key(), model.tokenizer().decode(r.tokens(), true), null)
              .withUsage(r.promptTokens(), r.tokens().length, null, null);
    }
  }

  @Override
  public void close() {
    // The model stays loaded for the JVM's other tasks (LanguageModel.cached).
  }
}
