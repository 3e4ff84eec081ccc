package org.embench.rl;

import java.util.List;
import java.util.Map;
import org.embench.judge.Judge;
import org.embench.judge.JudgeCall;

/**
 * The judge calls a reward has already paid for, by {@link Judge#callKey}: an answer sampled again
 * (GRPO samples many per prompt, and short answers repeat) or scored again after a resume is looked
 * up instead of sent. Safe to use from several threads.
 */
public interface CallCache {
  /** The stored response of an identical earlier call, or null. */
  String cachedResponse(String callKey);

  /** Keeps a call made now; a call whose key is already known is ignored. */
  void store(JudgeCall call);

  /**
   * The calls stored through this cache (and, for a file cache, earlier openings), not the
   * preloaded ones: to append to judge_calls.
   */
  List<JudgeCall> newCalls();

  /**
   * A cache in memory only, starting from {@code preloaded} responses by call key (the judge_calls
   * table).
   */
  static CallCache inMemory(Map<String, String> preloaded) {
    return new InMemoryCallCache(preloaded);
  }
}
