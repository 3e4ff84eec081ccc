package org.embench.model;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.embench.UserException;

/**
 * Batched generation with continuous batching: up to {@code maxBatch} sequences decode together;
 * when one stops, the next prompt takes its cache slot and is prefilled in the same forward pass as
 * the others' next tokens. Each sequence samples with its own generator seeded from its request.
 */
public final class Generator {
  /** One prompt to continue. */
  public record Request(String id, int[] promptIds, long seed, SamplingParams params) {}

  /**
   * What a request produced; {@code tokens} excludes the stop token, which {@code stopToken} names
   * (-1 when the answer did not end on a stop token).
   */
  public record Result(
      String id, int[] tokens, String finishReason, int promptTokens, int stopToken) {
    public static final String STOP = "stop";
    public static final String LENGTH = "length";

    public Result(String id, int[] tokens, String finishReason, int promptTokens) {
      this(id, tokens, finishReason, promptTokens, -1);
    }
  }

  /** Told after every forward pass. */
  @FunctionalInterface
  public interface Progress {
    void step(int finished, int total, long tokensGenerated);
  }

  private final Transformer model;
  private final Set<Integer> stopIds;
  private final int maxBatch;
  private final int maxPrefillTokens;
  private int sampleable;
  private java.util.function.Predicate<int[]> stopsAfter;

  /**
   * @param stopIds tokens that end a sequence (the chat template's end-of-turn tokens)
   * @param maxBatch sequences decoded together
   * @param maxPrefillTokens new prompt tokens admitted per forward pass (bounds its memory)
   */
  public Generator(Transformer model, Set<Integer> stopIds, int maxBatch, int maxPrefillTokens) {
    if (maxBatch < 1 || maxPrefillTokens < 1) {
      throw new IllegalArgumentException("maxBatch and maxPrefillTokens must be positive");
    }
    this.model = model;
    this.stopIds = Set.copyOf(stopIds);
    this.maxBatch = maxBatch;
    this.maxPrefillTokens = maxPrefillTokens;
    this.sampleable = model.config().vocabSize();
  }

  /**
   * Samples only ids below {@code n}: the tokenizer's id space, where the model's embedding has
   * padding rows beyond it (Qwen2.5: 151936 rows, 151665 tokens). Those rows are no tokens, cannot
   * be decoded, and a trained model gives them next to no probability; a random one does not.
   */
  public Generator sampleBelow(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("sampleable ids must be positive, got " + n);
    }
    this.sampleable = Math.min(n, model.config().vocabSize());
    return this;
  }

  /**
   * Also ends a sequence (reason "stop") once {@code stops} holds for its tokens so far, such as
   * when their text contains a stop string; the token that completed it is kept in the result, for
   * the caller to cut the text.
   */
  public Generator stopWhen(java.util.function.Predicate<int[]> stops) {
    this.stopsAfter = stops;
    return this;
  }

  private static final class Sequence {
    final int index;
    final Request request;
    final SplittableRandom rng;
    final int slot;
    final int[] out;
    int generated;
    boolean prefilled;

    Sequence(int index, Request request, int slot) {
      this.index = index;
      this.request = request;
      this.rng = new SplittableRandom(request.seed());
      this.slot = slot;
      this.out = new int[request.params().maxNewTokens()];
    }
  }

  /** Generates for every request; results come back in request order. */
  public List<Result> generate(List<Request> requests, Progress progress) {
    for (Request r : requests) {
      // e.g. sample --raw with an empty --prompt: nothing to condition the first token on
      if (r.promptIds().length == 0) {
        throw new UserException("request " + r.id() + " has an empty prompt");
      }
    }
    int vocab = model.config().vocabSize();
    KvCache cache = new KvCache(model.config(), Math.min(maxBatch, Math.max(1, requests.size())));
    Result[] results = new Result[requests.size()];
    Deque<Integer> pending = new ArrayDeque<>();
    for (int i = 0; i < requests.size(); i++) {
      pending.add(i);
    }
    Deque<Integer> freeSlots = new ArrayDeque<>();
    for (int s = 0; s < cache.slots(); s++) {
      freeSlots.add(s);
    }
    List<Sequence> active = new ArrayList<>();
    int finished = 0;
    long tokens = 0;
    while (finished < requests.size()) {
      // Admit waiting prompts into free slots, within the prefill budget (always at least one).
      int prefill = 0;
      while (!pending.isEmpty() && !freeSlots.isEmpty()) {
        Request next = requests.get(pending.peek());
        if (prefill > 0 && prefill + next.promptIds().length > maxPrefillTokens) {
          break;
        }
        prefill += next.promptIds().length;
        active.add(new Sequence(pending.poll(), next, freeSlots.poll()));
      }
      List<Transformer.Chunk> chunks = new ArrayList<>(active.size());
      for (Sequence s : active) {
        chunks.add(
            new Transformer.Chunk(
                s.slot, s.prefilled ? new int[] {s.out[s.generated - 1]} : s.request.promptIds()));
      }
      float[] logits = model.forward(chunks, cache, null);
      List<Sequence> still = new ArrayList<>(active.size());
      for (int i = 0; i < active.size(); i++) {
        Sequence s = active.get(i);
        s.prefilled = true;
        int token = Sampler.sample(logits, i * vocab, sampleable, s.request.params(), s.rng);
        tokens++;
        String reason = null;
        if (stopIds.contains(token)) {
          reason = Result.STOP;
        } else {
          s.out[s.generated++] = token;
          if (stopsAfter != null && stopsAfter.test(java.util.Arrays.copyOf(s.out, s.generated))) {
            reason = Result.STOP;
          } else if (s.generated == s.out.length) {
            reason = Result.LENGTH;
          }
        }
        if (reason == null) {
          still.add(s);
          continue;
        }
        results[s.index] =
            new Result(
                s.request.id(),
                java.util.Arrays.copyOf(s.out, s.generated),
                reason,
                s.request.promptIds().length,
                stopIds.contains(token) ? token : -1);
        cache.reset(s.slot);
        freeSlots.add(s.slot);
        finished++;
      }
      active = still;
      if (progress != null) {
        progress.step(finished, requests.size(), tokens);
      }
    }
    return List.of(results);
  }
}
