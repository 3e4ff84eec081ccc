package org.embench.judge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The offline judge: a pure function of seed, model, metric and answer, with about 5 % CODE
 * answers.
 */
class OfflineJudgeTest {
  private static List<JudgeRequest> requests(int n, boolean numeric) {
    List<JudgeRequest> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(
          new JudgeRequest(
              "g" + i,
              numeric ? "aligned" : "correct",
              numeric,
              "q",
              "answer " + i,
              "{question} {answer}",
              null));
    }
    return out;
  }

  private static OfflineJudge judge(Object... params) {
    Map<String, Object> p = new LinkedHashMap<>();
    for (int i = 0; i < params.length; i += 2) {
      p.put((String) params[i], params[i + 1]);
    }
    return new OfflineJudge(JudgeSpec.of("offline", p));
  }

  @Test
  void theSameInputsGiveTheSameVerdictsAndTheSeedChangesThem() {
    List<JudgeRequest> r = requests(200, true);
    List<Verdict> a = judge().judge(r);
    assertThat(judge().judge(r)).isEqualTo(a);
    assertThat(judge().judge(r.subList(50, 60))).isEqualTo(a.subList(50, 60));
    List<Verdict> reseeded = judge("seed", 1).judge(r);
    assertThat(reseeded)
        .extracting(Verdict::score)
        .isNotEqualTo(a.stream().map(Verdict::score).toList());
    var other =
        new JudgeRequest(
            "elsewhere", "aligned", true, "another question", "answer 3", "{answer}", null);
    assertThat(judge().judge(List.of(other)).get(0).score())
        .as("key, question and template do not matter")
        .isEqualTo(a.get(3).score());
    assertThat(judge().callKey(r.get(0))).isNull();
  }

  @Test
  void aboutFivePercentOfAnswersAreCodeWithANullScore() {
    List<Verdict> v = judge().judge(requests(4000, true));
    long code = v.stream().filter(x -> x.topLogprobs().get(0).token().equals("CODE")).count();
    assertThat(code / 4000.0).isCloseTo(0.05, within(0.015));
    assertThat(v)
        .allSatisfy(
            x -> {
              assertThat(x.topLogprobs()).hasSize(20);
              assertThat(x.topLogprobs())
                  .isSortedAccordingTo(
                      Comparator.comparingDouble(TokenLogprob::logprob).reversed());
              assertThat(x.topLogprobs().stream().mapToDouble(t -> Math.exp(t.logprob())).sum())
                  .isCloseTo(1.0, within(1e-9));
              NumericScore s =
                  NumericScore.aggregate(x.topLogprobs(), NumericScore.DEFAULT_MIN_NUMERIC_MASS);
              assertThat(x.score()).isEqualTo(s.score());
              assertThat(x.status()).isEqualTo(s.status());
              if (x.topLogprobs().get(0).token().equals("CODE")) {
                assertThat(x.status()).isEqualTo(VerdictStatus.LOW_NUMERIC_MASS);
                assertThat(x.score()).isNull();
              } else {
                assertThat(x.status()).isEqualTo(VerdictStatus.OK);
                assertThat(x.score()).isBetween(0.0, 100.0);
              }
            });
    double[] scores =
        v.stream().filter(x -> x.score() != null).mapToDouble(Verdict::score).toArray();
    assertThat(Arrays.stream(scores).filter(s -> s < 30).count())
        .as("low scores occur")
        .isGreaterThan(400);
    assertThat(Arrays.stream(scores).filter(s -> s > 70).count())
        .as("high scores occur")
        .isGreaterThan(400);
  }

  @Test
  void categoricalRequestsGetOneOfThreeLabels() {
    List<Verdict> v = judge().judge(requests(300, false));
    assertThat(v)
        .allSatisfy(
            x -> {
              assertThat(x.status()).isEqualTo(VerdictStatus.OK);
              assertThat(x.score()).isNull();
            });
    assertThat(v.stream().map(Verdict::label).distinct().sorted().toList())
        .containsExactly("FALSE", "TRUE", "UNKNOWN");
  }
}
