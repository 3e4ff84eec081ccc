package org.embench.judge;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.embench.table.Ids;

/**
 * A deterministic stand-in judge for smoke tests and the quickstart. <b>Its numbers mean
 * nothing</b>: they come from a hash of the answer, not from reading it. It exists so that every
 * stage and metric runs end to end without an API key or a model.
 *
 * <p>For a numeric request it makes up the top-20 log-probabilities an API judge would return, from
 * sha256(seed, model, metric, answer): a peak at a pseudo-score with a few neighbouring scores,
 * padded with word tokens. About 5 % of answers instead get a distribution dominated by the token
 * {@code CODE}, so that the null-score path (numeric mass below the minimum) is exercised. The
 * result goes through {@link NumericScore} exactly like a real judge's. A categorical request gets
 * TRUE, FALSE or UNKNOWN from the same hash. A pure function of its inputs; it calls nothing.
 */
public final class OfflineJudge implements Judge {
  static final List<String> LABELS = List.of("TRUE", "FALSE", "UNKNOWN");

  /** Word tokens that fill the top 20 after the numbers, as a real judge's tail looks. */
  private static final List<String> FILLER =
      List.of(
          "The", "I", "**", "Answer", " ", "A", "Score", "It", "This", "\n", "As", "My", "REFUSAL",
          "Based", "There", "None", "Sure", "In", "We", "CODE");

  private static final int TOP = 20;

  private final JudgeSpec spec;

  public OfflineJudge(JudgeSpec spec) {
    this.spec = spec;
  }

  @Override
  public JudgeSpec spec() {
    return spec;
  }

  @Override
  public String callKey(JudgeRequest request) {
    return null;
  }

  @Override
  public List<Verdict> judge(List<JudgeRequest> requests) {
    return requests.stream().map(this::judgeOne).toList();
  }

  private Verdict judgeOne(JudgeRequest r) {
    byte[] h =
        Ids.sha256(
            Ids.canonicalJson(
                    List.of(
                        "offline_judge",
                        spec.integer("seed"),
                        spec.model(),
                        r.metric(),
                        r.answer()))
                .getBytes(StandardCharsets.UTF_8));
    if (!r.numeric()) {
      return Verdict.labelled(r.key(), LABELS.get(unsigned(h, 0) % LABELS.size()), null);
    }
    List<TokenLogprob> top = unsigned(h, 0) % 1000 < 50 ? codeDominated(h) : peaked(h);
    return Verdict.fromLogprobs(r.key(), top, spec.number("min_numeric_mass"), top.get(0).token());
  }

  /** Most mass on a pseudo-score, less on scores 5, 10 and 15 away, the rest on word tokens. */
  private static List<TokenLogprob> peaked(byte[] h) {
    int peak = unsigned(h, 2) % 101;
    double decay = 0.1 + 0.3 * unsigned(h, 4) / 65535.0;
    List<Integer> scores = new ArrayList<>(List.of(peak));
    List<Double> weights = new ArrayList<>(List.of(1.0));
    double up = (h[6] & 1) == 0 ? 1.0 : 0.8; // which side of the peak leans heavier
    for (int step = 1; step <= 3; step++) {
      for (int sign : new int[] {1, -1}) {
        int s = peak + sign * 5 * step;
        if (s >= 0 && s <= 100) {
          scores.add(s);
          weights.add(Math.pow(decay, step) * (sign > 0 ? up : 1.8 - up));
        }
      }
    }
    double numericMass = 0.9 + 0.09 * (h[7] & 0xff) / 255.0;
    double total = weights.stream().mapToDouble(Double::doubleValue).sum();
    List<TokenLogprob> top = new ArrayList<>(TOP);
    for (int i = 0; i < scores.size(); i++) {
      top.add(
          new TokenLogprob(
              Integer.toString(scores.get(i)), Math.log(numericMass * weights.get(i) / total)));
    }
    fill(top, 1 - numericMass, h[8]);
    return byProbability(top);
  }

  /**
   * An answer the judge calls code: CODE takes most of the mass, numbers well under the minimum.
   */
  private static List<TokenLogprob> codeDominated(byte[] h) {
    double code = 0.85 + 0.1 * (h[9] & 0xff) / 255.0;
    int score = unsigned(h, 2) % 101;
    List<TokenLogprob> top = new ArrayList<>(TOP);
    top.add(new TokenLogprob("CODE", Math.log(code)));
    top.add(new TokenLogprob(Integer.toString(score), Math.log((1 - code) * 0.5)));
    fill(top, (1 - code) * 0.5, h[8]);
    return byProbability(top);
  }

  /** Pads to 20 tokens with word tokens sharing {@code mass}, each half the one before. */
  private static void fill(List<TokenLogprob> top, double mass, byte offset) {
    int n = TOP - top.size();
    double share = mass / (2 - Math.pow(0.5, n - 1));
    int start = offset & 0xff;
    for (int i = 0, added = 0; added < n; i++) {
      String token = FILLER.get((start + i) % FILLER.size());
      if (top.stream().noneMatch(t -> t.token().equals(token))) {
        top.add(new TokenLogprob(token, Math.log(share)));
        share /= 2;
        added++;
      }
    }
  }

  /** Most probable first, as the API lists them. */
  private static List<TokenLogprob> byProbability(List<TokenLogprob> top) {
    top.sort(Comparator.comparingDouble(TokenLogprob::logprob).reversed());
    return top;
  }

  private static int unsigned(byte[] h, int at) {
    return ((h[at] & 0xff) << 8) | (h[at + 1] & 0xff);
  }

  @Override
  public void close() {}
}
