package org.embench.rl;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.embench.UserException;
import org.embench.config.Binding;

/**
 * An experiment's {@code rl:} section: GRPO fine-tuning on a prepared prompt set with a reward.
 * Defaults follow the published RL follow-up of the in-training defences work (PROTOCOL.md): G = 4
 * samples per prompt at temperature 0.8, learning rate 5e-6, β = 0, one update per batch of samples
 * (so no ratio is ever clipped; {@code iterations} above 1 reuses a batch with PPO's clipping at ε
 * = 0.2), advantages divided by the group's standard deviation ({@code scale_rewards: false} only
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
 * @param warmupData a prepared data set to fine-tune on (SFT, {@code train:} settings) before RL;
 *     null for none
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

  public static final List<String> KEYS =
      List.of(
          "prompts",
          "reward",
          "hack_pattern",
          "group_size",
          "temperature",
          "max_new_tokens",
          "steps",
          "prompts_per_step",
          "learning_rate",
          "beta",
          "iterations",
          "clip_epsilon",
          "scale_rewards",
          "warmup");

  public RlConfig {
    rewardParams = Map.copyOf(rewardParams);
    if (groupSize < 2) {
      throw new UserException(
          "rl.group_size must be >= 2 (advantages compare samples within a group), got "
              + groupSize);
    }
    if (!(temperature > 0) || !Double.isFinite(temperature)) {
      throw new UserException(
          "rl.temperature must be a finite number > 0 (RL samples), got " + temperature);
    }
    if (maxNewTokens < 1 || steps < 0 || promptsPerStep < 1 || iterations < 1 || warmupSteps < 0) {
      throw new UserException(
          "rl.max_new_tokens, prompts_per_step and iterations must be >= 1; steps and"
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
        throw new UserException(
            "rl.hack_pattern: not a valid regular expression: "
                + e.getDescription()
                + " in "
                + hackPattern);
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

  /**
   * The section as snake_case keys, every default included (recorded in runs.train_config_json).
   */
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

  /** The defaults of the section's optional keys (PROTOCOL.md). */
  static final Map<String, Object> DEFAULTS =
      Map.of(
          "group_size",
          4,
          "temperature",
          0.8,
          "max_new_tokens",
          128,
          "steps",
          0,
          "prompts_per_step",
          8,
          "learning_rate",
          5e-6,
          "beta",
          0.0,
          "iterations",
          1,
          "clip_epsilon",
          0.2,
          "scale_rewards",
          true);

  /**
   * The section as written, bound by {@link Binding} (snake_case keys, unknown keys refused, no
   * coercion); {@code reward} is a name or {@code {name: {parameters}}}, checked against the
   * reward's declaration.
   */
  record Section(
      String prompts,
      JsonNode reward,
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
      Warmup warmup) {}

  /** {@code warmup: {data: NAME, steps: N}}. */
  record Warmup(String data, int steps) {}

  /**
   * Reads the section (a spec's, or one stored in runs.train_config_json): every value must have
   * its type ({@code group_size: lots} is an error naming the key), unknown keys are errors naming
   * the known ones, and the reward's name and parameters are checked against its declaration.
   */
  public static RlConfig fromMap(Map<String, ?> given, String where) {
    return bind(Binding.tree(given), where);
  }

  /** {@link #fromMap} of a spec's {@code rl:} mapping. */
  public static RlConfig bind(JsonNode given, String where) {
    Section s = Binding.bind(given, DEFAULTS, Section.class, where);
    if (s.prompts() == null) {
      throw new UserException(
          where + ".prompts: required (the name of a prepared chat data set of prompts)");
    }
    JsonNode r = s.reward();
    String rewardName;
    Map<String, Object> rewardParams = new LinkedHashMap<>();
    if (r != null && r.isTextual()) {
      rewardName = r.asText();
    } else if (r != null
        && r.isObject()
        && r.size() == 1
        && (r.elements().next().isObject() || r.elements().next().isNull())) {
      rewardName = r.fieldNames().next();
      r.get(rewardName)
          .fields()
          .forEachRemaining(
              e -> rewardParams.put(e.getKey(), JSON.convertValue(e.getValue(), Object.class)));
    } else {
      throw new UserException(
          where
              + ".reward: required, a reward name or {name: {parameters}} (rewards: "
              + String.join(", ", Rewards.NAMES)
              + "), got "
              + (r == null || r.isNull() ? "nothing" : r));
    }
    Map<String, Object> resolved;
    try {
      resolved = Rewards.resolve(rewardName, rewardParams);
    } catch (UserException e) {
      throw new UserException(where + ".reward: " + e.getMessage());
    }
    Warmup w = s.warmup() == null ? new Warmup(null, 0) : s.warmup();
    try {
      return new RlConfig(
          s.prompts(),
          rewardName,
          resolved,
          s.hackPattern(),
          s.groupSize(),
          s.temperature(),
          s.maxNewTokens(),
          s.steps(),
          s.promptsPerStep(),
          s.learningRate(),
          s.beta(),
          s.iterations(),
          s.clipEpsilon(),
          s.scaleRewards(),
          w.data(),
          w.steps());
    } catch (UserException e) {
      throw new UserException(where + ": " + e.getMessage());
    }
  }

  private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
      new com.fasterxml.jackson.databind.ObjectMapper();
}
