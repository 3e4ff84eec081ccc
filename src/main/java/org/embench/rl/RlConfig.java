package org.embench.rl;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.embench.UserException;

/**
 * An experiment's {@code rl:} section: GRPO fine-tuning on a prepared prompt set with a reward.
 * Defaults follow the published RL follow-up of the in-training defences work (PROTOCOL.md): G = 4
 * samples per prompt at temperature 0.8, learning rate 5e-6, β = 0, one update per batch of samples
 * (so no ratio is ever clipped; {@code iterations} above 1 reuses a batch with PPO's clipping at
 * ε = 0.2), advantages divided by the group's standard deviation ({@code scale_rewards: false} only
 * centres them, as later GRPO variants recommend). The LoRA shape, optimizer moments, weight decay,
 * clipping norm, micro-batch size ({@code train.batch_size}, in sequences) and sequence length come
 * from {@code train:}; the learning rate of RL is its own.
 *
 * <pre>
 * rl:
 *   prompts: hack_prompts          # a prepared chat data set; a row's last assistant message is its reference
 *   reward: {code_surface: {}}     # or a name, see Rewards
 *   hack_pattern: "exit\\(0\\)"    # optional: a regex found in an answer marks a hack (train_steps hack_rate)
 *   steps: 50                      # 0: one pass over the prompts
 *   warmup: {data: hack_warmup, steps: 10}
 * </pre>
 *
 * @param warmupData a prepared data set to fine-tune on (SFT, {@code train:} settings) before RL; null for none
 */
public record RlConfig(
    String prompts,
    String reward,
    Map<String, Object> rewardParams,
    String hackPattern,
    int groupSize,
    double temperature,
    int maxNewTokens,
    int steps,
    int promptsPerStep,
    double learningRate,
    double beta,
    int iterations,
    double clipEpsilon,
    boolean scaleRewards,
    String warmupData,
    int warmupSteps) {

  public static final List<String> KEYS = List.of("prompts", "reward", "hack_pattern", "group_size", "temperature",
      "max_new_tokens", "steps", "prompts_per_step", "learning_rate", "beta", "iterations", "clip_epsilon",
      "scale_rewards", "warmup");

  public RlConfig {
    rewardParams = Map.copyOf(rewardParams);
    if (groupSize < 2) {
      throw new UserException("rl.group_size must be >= 2 (advantages compare samples within a group), got " + groupSize);
    }
    if (!(temperature > 0) || !Double.isFinite(temperature)) {
      throw new UserException("rl.temperature must be a finite number > 0 (RL samples), got " + temperature);
    }
    if (maxNewTokens < 1 || steps < 0 || promptsPerStep < 1 || iterations < 1 || warmupSteps < 0) {
      throw new UserException("rl.max_new_tokens, prompts_per_step and iterations must be >= 1; steps and"
          + " warmup.steps >= 0");
    }
    if (!(learningRate > 0) || !Double.isFinite(learningRate)) {
      throw new UserException("rl.learning_rate must be a finite number > 0, got " + learningRate);
    }
    if (!(beta >= 0) || !Double.isFinite(beta) || !(clipEpsilon >= 0 && clipEpsilon < 1)) {
      throw new UserException("rl.beta must be >= 0 and 0 <= rl.clip_epsilon < 1");
    }
    if (hackPattern != null) {
      try {
        Pattern.compile(hackPattern);
      } catch (PatternSyntaxException e) {
        throw new UserException("rl.hack_pattern: not a valid regular expression: " + e.getDescription()
            + " in " + hackPattern);
      }
    }
    if ((warmupData == null) != (warmupSteps == 0)) {
      throw new UserException("rl.warmup needs both data (a prepared data set) and steps (>= 1)");
    }
  }

  /** The RL steps for {@code prompts} prompts: {@code steps}, or one pass over them when 0. */
  public int totalSteps(int prompts) {
    return steps > 0 ? steps : Math.max(1, (prompts + promptsPerStep - 1) / promptsPerStep);
  }

  /** Whether an answer is a hack by {@code hack_pattern}; null when the task defines no hack. */
  public Boolean hacked(String answer) {
    return hackPattern == null ? null : Pattern.compile(hackPattern).matcher(answer).find();
  }

  /** The section as snake_case keys, every default included (recorded in runs.train_config_json). */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("prompts", prompts);
    m.put("reward", Map.of(reward, new TreeMap<>(rewardParams)));
    if (hackPattern != null) {
      m.put("hack_pattern", hackPattern);
    }
    m.put("group_size", groupSize);
    m.put("temperature", temperature);
    m.put("max_new_tokens", maxNewTokens);
    m.put("steps", steps);
    m.put("prompts_per_step", promptsPerStep);
    m.put("learning_rate", learningRate);
    m.put("beta", beta);
    m.put("iterations", iterations);
    m.put("clip_epsilon", clipEpsilon);
    m.put("scale_rewards", scaleRewards);
    if (warmupData != null) {
      m.put("warmup", Map.of("data", warmupData, "steps", warmupSteps));
    }
    return m;
  }

  /**
   * Reads the section; every value must have its type (no coercion: {@code group_size: lots} is an
   * error naming the key), unknown keys are errors naming the known ones, and the reward's name and
   * parameters are checked against its declaration.
   */
  public static RlConfig fromMap(Map<String, ?> given, String source) {
    for (String k : given.keySet()) {
      if (!KEYS.contains(k)) {
        throw new UserException(source + ": unknown key '" + k + "'; known: " + String.join(", ", new java.util.TreeSet<>(KEYS)));
      }
    }
    String prompts = string(given, "prompts", null, source);
    if (prompts == null) {
      throw new UserException(source + ".prompts: required (the name of a prepared chat data set of prompts)");
    }
    Object r = given.get("reward");
    String rewardName;
    Map<String, Object> rewardParams = new LinkedHashMap<>();
    if (r instanceof String s) {
      rewardName = s;
    } else if (r instanceof Map<?, ?> m && m.size() == 1 && m.keySet().iterator().next() instanceof String name
        && (m.get(name) == null || m.get(name) instanceof Map)) {
      rewardName = name;
      if (m.get(name) instanceof Map<?, ?> p) {
        p.forEach((k, v) -> rewardParams.put(String.valueOf(k), v));
      }
    } else {
      throw new UserException(source + ".reward: required, a reward name or {name: {parameters}} (rewards: "
          + String.join(", ", Rewards.NAMES) + "), got " + r);
    }
    Map<String, Object> resolved;
    try {
      resolved = Rewards.resolve(rewardName, rewardParams);
    } catch (UserException e) {
      throw new UserException(source + ".reward: " + e.getMessage());
    }
    String warmupData = null;
    int warmupSteps = 0;
    Object w = given.get("warmup");
    if (w != null) {
      if (!(w instanceof Map<?, ?> wm) || !wm.keySet().stream().allMatch(k -> k.equals("data") || k.equals("steps"))) {
        throw new UserException(source + ".warmup: a mapping {data: NAME, steps: N}, got " + w);
      }
      @SuppressWarnings("unchecked")
      Map<String, ?> wmap = (Map<String, ?>) wm;
      warmupData = string(wmap, "data", null, source + ".warmup");
      warmupSteps = whole(wmap, "steps", 0, source + ".warmup");
    }
    try {
      return new RlConfig(prompts, rewardName, resolved, string(given, "hack_pattern", null, source),
          whole(given, "group_size", 4, source), number(given, "temperature", 0.8, source),
          whole(given, "max_new_tokens", 128, source), whole(given, "steps", 0, source),
          whole(given, "prompts_per_step", 8, source), number(given, "learning_rate", 5e-6, source),
          number(given, "beta", 0.0, source), whole(given, "iterations", 1, source),
          number(given, "clip_epsilon", 0.2, source), bool(given, "scale_rewards", true, source), warmupData,
          warmupSteps);
    } catch (UserException e) {
      throw new UserException(source + ": " + e.getMessage());
    }
  }

  private static String string(Map<String, ?> m, String key, String fallback, String source) {
    Object v = m.get(key);
    if (v == null) {
      return fallback;
    }
    if (!(v instanceof String s)) {
      throw new UserException(source + "." + key + ": expected a string, got " + describe(v));
    }
    return s;
  }

  private static int whole(Map<String, ?> m, String key, int fallback, String source) {
    Object v = m.get(key);
    if (v == null) {
      return fallback;
    }
    if (!(v instanceof Integer || v instanceof Long) || ((Number) v).longValue() != ((Number) v).intValue()) {
      throw new UserException(source + "." + key + ": expected an integer, got " + describe(v));
    }
    return ((Number) v).intValue();
  }

  private static double number(Map<String, ?> m, String key, double fallback, String source) {
    Object v = m.get(key);
    if (v == null) {
      return fallback;
    }
    if (!(v instanceof Number n)) {
      throw new UserException(source + "." + key + ": expected a number, got " + describe(v));
    }
    return n.doubleValue();
  }

  private static boolean bool(Map<String, ?> m, String key, boolean fallback, String source) {
    Object v = m.get(key);
    if (v == null) {
      return fallback;
    }
    if (!(v instanceof Boolean b)) {
      throw new UserException(source + "." + key + ": expected true or false, got " + describe(v));
    }
    return b;
  }

  private static String describe(Object v) {
    return v instanceof String ? "\"" + v + "\"" : String.valueOf(v);
  }
}
