package org.embench.model;

import java.util.LinkedHashMap;
import java.util.Map;
import org.embench.UserException;

/**
 * How to pick each next token. The defaults are PROTOCOL.md's: temperature 1, top_p 1, no top-k, at
 * most 600 new tokens.
 *
 * @param temperature divides the logits; 0 means greedy
 * @param topP nucleus sampling: keep the most probable tokens whose probability adds up to top_p
 * @param topK keep the k most probable tokens; 0 keeps all
 * @param maxNewTokens stop after this many tokens (finish reason "length")
 */
public record SamplingParams(double temperature, double topP, int topK, int maxNewTokens)
    implements java.io.Serializable {
  public static final SamplingParams PROTOCOL = new SamplingParams(1.0, 1.0, 0, 600);

  public SamplingParams {
    if (!(temperature >= 0) || Double.isInfinite(temperature)) {
      throw new UserException("temperature must be >= 0, got " + temperature);
    }
    if (!(topP > 0 && topP <= 1)) {
      throw new UserException("top_p must be in (0, 1], got " + topP);
    }
    if (topK < 0) {
      throw new UserException("top_k must be >= 0 (0 = off), got " + topK);
    }
    if (maxNewTokens < 1) {
      throw new UserException("max_new_tokens must be >= 1, got " + maxNewTokens);
    }
  }

  public boolean greedy() {
    return temperature == 0;
  }

  /** The parameters as a map, for sampling_json columns. */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("temperature", temperature);
    m.put("top_p", topP);
    m.put("top_k", topK);
    m.put("max_new_tokens", maxNewTokens);
    return m;
  }
}
