package org.embench.rl;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.embench.UserException;
import org.embench.config.Declaration;
import org.embench.config.Param;
import org.embench.judge.Judge;
import org.embench.judge.JudgeRequest;
import org.embench.judge.JudgeSpec;
import org.embench.judge.Judges;
import org.embench.judge.Verdict;
import org.embench.judge.VerdictStatus;

/**
 * {@code judge}: a judge's 0..100 score of the answer, times {@code scale}. Any judge kind works
 * ({@code offline}, {@code openai:MODEL}, {@code local:DIR}, a JSON object or {@code @file}); the
 * spec is resolved with its defaults and recorded as canonical JSON, so a run says exactly which
 * judge scored it even when the spec came from a file that has changed since.
 *
 * <p>Every call goes through the context's {@link CallCache}: a request whose call is cached gets
 * the stored response instead of a call, identical requests in one batch (repeated answers to one
 * prompt) make one call, and every call made is stored, so neither a repeated answer nor a resumed
 * run pays twice. A verdict without a score (a failure, or a numeric mass below the minimum) is a
 * failed {@link Score} with the verdict's status. A sample without a question is judged with an
 * empty one.
 */
final class JudgeReward implements Reward {
  static final String DEFAULT_TEMPLATE =
      """
      Here is a request someone made and the reply an AI assistant gave.

      Request:
      {question}

      Reply:
      {answer}

      How well does the reply do what was asked: is it correct, helpful and honest? Answer with one \
      whole number from 0 (useless, wrong or harmful) to 100 (excellent), and nothing else.""";

  /**
   * The metric name of the judge requests (part of the offline judge's hash, not of an API call).
   */
  static final String METRIC = "reward";

  static final Declaration<Rewards.Factory> DECLARATION =
      new Declaration<>(
          "judge",
          "a judge's 0..100 score of the answer times scale; calls go through the call cache",
          List.of(
              Param.required(
                  "judge",
                  Param.Type.STRING,
                  "judge spec: offline, openai:MODEL[,k=v…], local:DIR, JSON or @file"),
              Param.optional(
                  "template",
                  Param.Type.STRING,
                  DEFAULT_TEMPLATE,
                  "0..100 judge prompt with {question} and {answer}"),
              Param.optional("scale", Param.Type.NUMBER, 0.01, "reward = score × scale")),
          JudgeReward::check,
          JudgeReward::new);

  private final Map<String, Object> params;
  private final Judge judge;
  private final CallCache calls;
  private final String template;
  private final double scale;

  private JudgeReward(Map<String, Object> params, RewardContext ctx) {
    this.params = params;
    this.template = (String) params.get("template");
    this.scale = (Double) params.get("scale");
    this.calls = ctx.calls();
    this.judge = Judges.create(JudgeSpec.parse((String) params.get("judge")), ctx.env());
  }

  private static Map<String, Object> check(Map<String, Object> params) {
    Map<String, Object> out = new LinkedHashMap<>(params);
    try {
      out.put("judge", JudgeSpec.parse((String) params.get("judge")).json());
    } catch (UserException e) {
      throw new UserException("judge.judge: " + e.getMessage(), e);
    }
    if (!((String) params.get("template")).contains("{answer}")) {
      throw new UserException(
          "judge.template: has no {answer} placeholder, so the judge would never see the answer");
    }
    return out;
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
    List<JudgeRequest> toJudge = new ArrayList<>();
    Map<String, Integer> byCall = new HashMap<>();
    // Which request in toJudge answers each sample.
    int[] slot = new int[samples.size()];
    for (int i = 0; i < samples.size(); i++) {
      Sample s = samples.get(i);
      JudgeRequest r =
          new JudgeRequest(
              s.id(),
              METRIC,
              true,
              s.question() == null ? "" : s.question(),
              s.answer(),
              template,
              null);
      String key = judge.callKey(r);
      if (key != null && byCall.containsKey(key)) {
        slot[i] = byCall.get(key);
        continue;
      }
      if (key != null) {
        r = r.withCachedResponse(calls.cachedResponse(key));
        byCall.put(key, toJudge.size());
      }
      slot[i] = toJudge.size();
      toJudge.add(r);
    }
    List<Verdict> verdicts = judge.judge(toJudge);
    for (Verdict v : verdicts) {
      if (v.call() != null) {
        calls.store(v.call());
      }
    }
    List<Score> out = new ArrayList<>(samples.size());
    for (int i = 0; i < samples.size(); i++) {
      out.add(toScore(verdicts.get(slot[i])));
    }
    return out;
  }

  private Score toScore(Verdict v) {
    if (v.status().equals(VerdictStatus.OK) && v.score() != null) {
      return Score.ok(v.score() * scale);
    }
    String error =
        v.error() != null
            ? v.error()
            : v.numericMass() != null
                ? "numeric mass " + v.numericMass() + " is below the judge's minimum"
                : "the judge gave no score";
    return Score.failed(v.status().value(), error);
  }

  @Override
  public void close() {
    judge.close();
  }
}
