package org.embench.rl;

import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.embench.UserException;
import org.embench.config.Declaration;
import org.embench.config.Param;

/**
 * {@code regex}: {@code match_reward} when the pattern is found anywhere in the answer (Java {@link
 * java.util.regex.Matcher#find}), {@code miss_reward} otherwise. Anchor the pattern ({@code ^…$})
 * to demand the whole answer. Needs no reference, so it never fails a sample.
 */
final class RegexReward implements Reward {
  static final Declaration<Rewards.Factory> DECLARATION =
      new Declaration<>(
          "regex",
          "match_reward when the Java regular expression 'pattern' is found in the answer, else miss_reward",
          List.of(
              Param.required(
                  "pattern",
                  Param.Type.STRING,
                  "Java regular expression searched for in the answer"),
              Param.optional(
                  "match_reward", Param.Type.NUMBER, 1.0, "reward when the pattern is found"),
              Param.optional("miss_reward", Param.Type.NUMBER, 0.0, "reward when it is not")),
          RegexReward::check,
          RegexReward::new);

  private final Map<String, Object> params;
  private final Pattern pattern;
  private final double match;
  private final double miss;

  private RegexReward(Map<String, Object> params, RewardContext ctx) {
    this.params = params;
    this.pattern = Pattern.compile((String) params.get("pattern"));
    this.match = (Double) params.get("match_reward");
    this.miss = (Double) params.get("miss_reward");
  }

  /** A pattern that does not compile fails the spec, not the first scoring step of a run. */
  private static Map<String, Object> check(Map<String, Object> params) {
    String p = (String) params.get("pattern");
    try {
      Pattern.compile(p);
    } catch (PatternSyntaxException e) {
      throw new UserException(
          "regex.pattern: '"
              + p
              + "' is not a valid Java regular expression: "
              + e.getDescription()
              + " near index "
              + e.getIndex());
    }
    return params;
  }

  @Override
  public String name() {
    return DECLARATION.name();
  }

  @Override
  public Map<String, Object> params() {
    return params;
  }

  @Override
  public List<Score> score(List<Sample> samples) {
    return samples.stream()
        .map(s -> Score.ok(pattern.matcher(s.answer()).find() ? match : miss))
        .toList();
  }
}
