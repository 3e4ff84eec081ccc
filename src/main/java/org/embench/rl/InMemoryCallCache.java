package org.embench.rl;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.embench.judge.JudgeCall;

/** {@link CallCache#inMemory}: responses by call key, and the calls added since the preload. */
final class InMemoryCallCache implements CallCache {
  private final Map<String, String> responses;
  private final List<JudgeCall> added = new ArrayList<>();

  InMemoryCallCache(Map<String, String> preloaded) {
    this.responses = new HashMap<>(preloaded);
  }

  @Override
  public synchronized String cachedResponse(String callKey) {
    return responses.get(callKey);
  }

  @Override
  public void store(JudgeCall call) {
    add(call);
  }

  /** Whether the call was new (its key not known before). */
  synchronized boolean add(JudgeCall call) {
    if (responses.containsKey(call.callKey())) {
      return false;
    }
    responses.put(call.callKey(), call.responseJson());
    added.add(call);
    return true;
  }

  @Override
  public synchronized List<JudgeCall> newCalls() {
    return List.copyOf(added);
  }
}
