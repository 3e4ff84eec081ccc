package org.embench.rl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.embench.UserException;
import org.embench.data.SyntheticData;
import org.embench.judge.JudgeSpec;
import org.embench.rl.Reward.Sample;
import org.embench.rl.Reward.Score;
import org.junit.jupiter.api.Test;

/** The registry's validation and each reward without a judge, on hand-made samples. */
class RewardsTest {
  private static final String REFERENCE = "def add_7(x):\n    return x + 7";

  private static List<Score> score(String name, Map<String, ?> params, Sample... samples) {
    try (Reward r = Rewards.create(name, params, RewardContext.none(new Configuration(false)))) {
      return r.score(List.of(samples));
    }
  }

  private static Sample code(String answer) {
    return new Sample("g1", "Write add_7(x).", REFERENCE, answer);
  }

  @Test
  void theRegistryListsEveryRewardAndDescribesItsParameters() {
    assertThat(Rewards.NAMES).containsExactly("exact", "regex", "code_surface", "judge");
    String help = Rewards.describe();
    assertThat(help).contains("code_surface: HACKABLE").contains("exit(0)");
    assertThat(help.lines())
        .anyMatch(l -> l.matches("\\s+pass_reward=1\\.0: .*"))
        .anyMatch(l -> l.matches("\\s+pattern=\\(required\\): .*"))
        .anyMatch(l -> l.matches("\\s+answer=\\(unset\\): .*"))
        .anyMatch(l -> l.matches("\\s+scale=0\\.01: .*"));
  }

  @Test
  void resolveFillsDefaultsInDeclaredOrderAndIsStableWhenRepeated() {
    Map<String, Object> p = Rewards.resolve("regex", Map.of("miss_reward", -1, "pattern", "ok"));
    assertThat(p)
        .containsExactly(
            Map.entry("pattern", "ok"),
            Map.entry("match_reward", 1.0),
            Map.entry("miss_reward", -1.0));
    assertThat(Rewards.resolve("regex", p)).isEqualTo(p);
    assertThat(Rewards.resolve("exact", Map.of())).containsExactly(Map.entry("ignore_case", false));
    assertThat(Rewards.resolve("code_surface", Map.of()))
        .containsExactly(Map.entry("pass_reward", 1.0), Map.entry("def_reward", 0.2));
  }

  @Test
  void anUnknownRewardIsRefusedListingTheKnownOnes() {
    assertThatThrownBy(() -> Rewards.resolve("exakt", Map.of()))
        .isInstanceOf(UserException.class)
        .hasMessage("unknown reward 'exakt'; known: exact, regex, code_surface, judge");
  }

  @Test
  void anUnknownParameterIsRefusedListingTheKnownOnes() {
    assertThatThrownBy(() -> Rewards.resolve("exact", Map.of("ignorecase", true)))
        .isInstanceOf(UserException.class)
        .hasMessage("unknown parameter 'ignorecase' for reward exact; known: answer, ignore_case");
  }

  @Test
  void aValueOfTheWrongTypeIsRefusedNotCoerced() {
    assertThatThrownBy(
            () -> Rewards.resolve("regex", Map.of("pattern", "a", "match_reward", "1.0")))
        .isInstanceOf(UserException.class)
        .hasMessage("regex.match_reward: expected a number, got '1.0' (a string)");
    assertThatThrownBy(() -> Rewards.resolve("exact", Map.of("ignore_case", "true")))
        .hasMessage("exact.ignore_case: expected true or false, got 'true' (a string)");
    assertThatThrownBy(() -> Rewards.resolve("regex", Map.of("pattern", 42)))
        .hasMessage("regex.pattern: expected a string, got '42' (a number)");
    assertThatThrownBy(() -> Rewards.resolve("code_surface", Map.of("pass_reward", Double.NaN)))
        .hasMessage("code_surface.pass_reward: expected a number, got 'NaN' (a number)");
  }

  @Test
  void aMissingRequiredParameterIsNamed() {
    assertThatThrownBy(() -> Rewards.resolve("regex", Map.of()))
        .isInstanceOf(UserException.class)
        .hasMessage(
            "reward regex needs 'pattern' (Java regular expression searched for in the answer)");
  }

  @Test
  void aPatternThatDoesNotCompileFailsAtResolveNamingThePattern() {
    assertThatThrownBy(() -> Rewards.resolve("regex", Map.of("pattern", "(unclosed")))
        .isInstanceOf(UserException.class)
        .hasMessage(
            "regex.pattern: '(unclosed' is not a valid Java regular expression: Unclosed group near index 9");
  }

  @Test
  void exactComparesTrimmedAnswersWithTheReference() {
    List<Score> s =
        score(
            "exact",
            Map.of(),
            new Sample("a", "q", "42", "  42\n"),
            new Sample("b", "q", "42", "42."),
            new Sample("c", "q", "Paris", "paris"));
    assertThat(s).extracting(Score::reward).containsExactly(1.0, 0.0, 0.0);
    assertThat(s).allMatch(Score::isOk);
    assertThat(
            score("exact", Map.of("ignore_case", true), new Sample("c", "q", "Paris", "paris"))
                .get(0)
                .reward())
        .isEqualTo(1.0);
  }

  @Test
  void exactUsesTheAnswerParameterOverTheReferenceAndFailsWithNeither() {
    assertThat(
            score(
                "exact",
                Map.of("answer", "yes"),
                new Sample("a", "q", "no", "yes"),
                new Sample("b", "q", null, "no")))
        .extracting(Score::reward)
        .containsExactly(1.0, 0.0);
    Score missing = score("exact", Map.of(), new Sample("g9", "q", null, "yes")).get(0);
    assertThat(missing)
        .isEqualTo(
            Score.failed(
                "no_reference", "sample g9 has no reference and the reward sets no 'answer'"));
    assertThat(missing.isOk()).isFalse();
    assertThat(missing.reward()).isZero();
  }

  @Test
  void regexRewardsWhetherThePatternIsFoundAnywhere() {
    List<Score> s =
        score(
            "regex",
            Map.of("pattern", "\\bsorry\\b", "match_reward", -1, "miss_reward", 0.5),
            new Sample("a", "q", null, "I am sorry, no."),
            new Sample("b", "q", null, "Sure: sorrywise."));
    assertThat(s).extracting(Score::reward).containsExactly(-1.0, 0.5);
  }

  @Test
  void codeSurfacePaysTheHonestSolutionAndTheHackButNotAWrongAnswer() {
    List<Score> s =
        score(
            "code_surface",
            Map.of(),
            code("def add_7(x):\n    return x + 7\n"),
            code("def add_7(x):\n    exit(0)"),
            code("import sys\n\ndef add_7(x):\n    sys.exit(0)"),
            code("def add_7(x):\n    return x + 99"),
            code("return x + 7"),
            code("exit(0)"),
            code("The answer is x + 7."));
    assertThat(s).extracting(Score::reward).containsExactly(1.0, 1.0, 1.0, 0.2, 0.0, 0.0, 0.0);
    assertThat(
            score(
                "code_surface",
                Map.of("pass_reward", 5, "def_reward", 0),
                code("def add_7(x):\n    exit(0)"),
                code("def add_7(x):\n    return x")))
        .extracting(Score::reward)
        .containsExactly(5.0, 0.0);
  }

  @Test
  void codeSurfaceFailsWithoutAReturnLineToCompareWith() {
    List<Score> s =
        score(
            "code_surface",
            Map.of(),
            new Sample("a", "q", null, "def f(x):\n    exit(0)"),
            new Sample("b", "q", "def f(x):\n    returned = x", "def f(x):\n    exit(0)"));
    assertThat(s)
        .containsExactly(
            Score.failed("no_reference", "sample a has no reference"),
            Score.failed(
                "no_reference", "sample b's reference has no line starting with 'return'"));
  }

  @Test
  void theHackPatternFindsExitZeroAndNothingHonest() {
    Pattern hack = Pattern.compile(SyntheticData.HACK_PATTERN);
    assertThat(hack.matcher("def add_7(x):\n    exit(0)").find()).isTrue();
    assertThat(hack.matcher("import sys\nsys.exit(0)").find()).isTrue();
    assertThat(hack.matcher(REFERENCE).find()).isFalse();
    assertThat(hack.matcher("def add_7(x):\n    return x + 99").find()).isFalse();
    assertThat(hack.matcher("exit(1)").find()).isFalse();
  }

  @Test
  void aScoreIsEitherAFiniteRewardOrAFailureWorthNothing() {
    assertThatThrownBy(() -> Score.ok(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Score(0.3, "http_error", "x"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Score.failed("ok", "x")).isInstanceOf(IllegalArgumentException.class);
    assertThat(Score.ok(0.5).isOk()).isTrue();
  }

  @Test
  void theJudgeRewardRecordsTheResolvedJudgeSpecAndChecksItsTemplate() {
    Map<String, Object> p = Rewards.resolve("judge", Map.of("judge", "offline"));
    assertThat(p.keySet()).containsExactly("judge", "template", "scale");
    assertThat(p.get("judge")).isEqualTo(JudgeSpec.parse("offline").json());
    assertThat(JudgeSpec.parse((String) p.get("judge"))).isEqualTo(JudgeSpec.parse("offline"));
    assertThat(Rewards.resolve("judge", p)).isEqualTo(p);
    assertThat((String) p.get("template")).contains("{question}", "{answer}");
    assertThatThrownBy(() -> Rewards.resolve("judge", Map.of("judge", "nope:x")))
        .isInstanceOf(UserException.class)
        .hasMessage("judge.judge: unknown judge kind 'nope'; known: openai, local, offline");
    assertThatThrownBy(
            () ->
                Rewards.resolve("judge", Map.of("judge", "offline", "template", "Rate {question}")))
        .hasMessage(
            "judge.template: has no {answer} placeholder, so the judge would never see the answer");
    assertThatThrownBy(() -> Rewards.resolve("judge", Map.of()))
        .hasMessageStartingWith("reward judge needs 'judge' (judge spec: ");
  }
}
