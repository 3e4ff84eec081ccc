package org.embench.rl;

import java.util.List;
import java.util.Map;
import org.embench.config.Declaration;
import org.embench.config.Param;

/**
 * {@code exact}: 1 when the answer, trimmed, equals the expected answer, trimmed, else 0. The
 * expected answer is the {@code answer} parameter when given (one right answer for every prompt),
 * otherwise the sample's reference; a sample with neither fails as {@code no_reference}.
 */
final class ExactReward implements Reward {
  static final Declaration<Rewards.Factory> DECLARATION =
      new Declaration<>(
          "exact",
          "1 when the trimmed answer equals the reference (or 'answer'), else 0",
          List.of(
              Param.optional(
                  "answer",
                  Param.Type.STRING,
                  null,
                  "the expected answer for every sample; the data row's reference when unset"),
              Param.optional(
                  "ignore_case",
                  Param.Type.BOOLEAN,
                  false,
                  "compare without regard to letter case")),
          ExactReward::new);

  private final Map<String, Object> params;
  private final String answer;
  private final boolean ignoreCase;

  private ExactReward(Map<String, Object> params, RewardContext ctx) {
    this.params = params;
    this.answer = (String) params.get("answer");
    this.ignoreCase = (Boolean) params.get("ignore_case");
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
    return samples.stream().map(this::scoreOne).toList();
  }

  private Score scoreOne(Sample s) {
    String expected = answer != null ? answer : s.reference();
    if (expected == null) {
      return Score.failed(
          Score.NO_REFERENCE,
          "sample " + s.id() + " has no reference and the reward sets no 'answer'");
    }
    String a = s.answer().strip();
    String e = expected.strip();
    return Score.ok((ignoreCase ? a.equalsIgnoreCase(e) : a.equals(e)) ? 1 : 0);
  }
}
