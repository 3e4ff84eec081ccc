package org.embench.judge;

import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a judge concluded about one request, with the raw evidence (the judgments table's columns).
 *
 * @param score aggregated 0-100 score; null when not numeric, below the numeric-mass minimum, or
 *     failed
 * @param scoreSource 'logprobs', 'text' (a number parsed from the reply) or 'none'
 * @param status ok, low_numeric_mass, or a failure (http_error, timeout, rate_limited,
 *     malformed_response, no_logprobs, invalid_logprobs, unparseable, too_long): {@link
 *     VerdictStatus}
 * @param error detail of a failure; never contains credentials
 * @param call the external call made for this verdict (to store in the call cache), or null when
 *     none was made (a cached response, a judge that calls nothing) or no well-formed response came
 *     back; a verdict with a call may still be a failure such as no_logprobs
 */
public record Verdict(
    String key,
    Double score,
    String scoreSource,
    Double numericMass,
    List<TokenLogprob> topLogprobs,
    String rawText,
    String label,
    VerdictStatus status,
    String error,
    Integer promptTokens,
    Integer completionTokens,
    Double costUsd,
    JudgeCall call) {

  /** Rounding a server may leave on a log-probability of a certain token, or on a mass of 1. */
  static final double LOGPROB_TOLERANCE = 1e-6;

  private static final Pattern FIRST_NUMBER = Pattern.compile("-?\\d+(\\.\\d+)?");

  /** Statuses after which the judgment is final (a re-run does not try again by default). */
  public boolean scoredOrFinal() {
    return status.isFinal();
  }

  /** A failure: no score, the status and why. */
  public static Verdict failure(String key, VerdictStatus status, String error) {
    return new Verdict(
        key, null, "none", null, null, null, null, status, error, null, null, null, null);
  }

  /** A numeric verdict aggregated from top log-probabilities by {@link NumericScore}. */
  public static Verdict fromLogprobs(
      String key, List<TokenLogprob> top, double minNumericMass, String rawText) {
    // A gateway that returns probabilities, percentages or garbage must not become a score: exp()
    // of such values makes the mass infinite and the score NaN, which SQL orders above every
    // number.
    double total = 0;
    for (TokenLogprob t : top) {
      if (!Double.isFinite(t.logprob()) || t.logprob() > LOGPROB_TOLERANCE) {
        return invalid(
            key,
            top,
            rawText,
            "top log-probability of token '"
                + t.token()
                + "' is "
                + t.logprob()
                + "; log-probabilities are finite and at most 0");
      }
      total += Math.exp(t.logprob());
    }
    if (total > 1 + LOGPROB_TOLERANCE * Math.max(1, top.size())) {
      return invalid(
          key,
          top,
          rawText,
          "the top log-probabilities sum to a probability of " + total + " (above 1)");
    }
    NumericScore s = NumericScore.aggregate(top, minNumericMass);
    return new Verdict(
        key,
        s.score(),
        "logprobs",
        s.numericMass(),
        List.copyOf(top),
        rawText,
        null,
        s.status(),
        null,
        null,
        null,
        null,
        null);
  }

  private static Verdict invalid(String key, List<TokenLogprob> top, String rawText, String why) {
    return new Verdict(
        key,
        null,
        "none",
        null,
        List.copyOf(top),
        rawText,
        null,
        VerdictStatus.INVALID_LOGPROBS,
        why,
        null,
        null,
        null,
        null);
  }

  /**
   * A numeric verdict from a judge that gave no log-probabilities: the first number in the reply
   * when it lies in 0..100 (score source 'text'), otherwise {@link VerdictStatus#UNPARSEABLE}.
   */
  public static Verdict fromText(String key, String rawText) {
    Matcher m = FIRST_NUMBER.matcher(rawText == null ? "" : rawText);
    if (m.find()) {
      double value = Double.parseDouble(m.group());
      if (value >= 0 && value <= 100) {
        return new Verdict(
            key,
            value,
            "text",
            null,
            null,
            rawText,
            null,
            VerdictStatus.OK,
            null,
            null,
            null,
            null,
            null);
      }
    }
    return new Verdict(
        key,
        null,
        "none",
        null,
        null,
        rawText,
        null,
        VerdictStatus.UNPARSEABLE,
        "no number from 0 to 100 in the reply",
        null,
        null,
        null,
        null);
  }

  /**
   * A categorical verdict: the label is the reply stripped and upper-cased; an empty reply is
   * {@link VerdictStatus#UNPARSEABLE}. Top log-probabilities, when there are any, are kept as
   * evidence.
   */
  public static Verdict labelled(String key, String rawText, List<TokenLogprob> top) {
    String label = rawText == null ? "" : rawText.strip().toUpperCase(Locale.ROOT);
    List<TokenLogprob> evidence = top == null ? null : List.copyOf(top);
    if (label.isEmpty()) {
      return new Verdict(
          key,
          null,
          "none",
          null,
          evidence,
          rawText,
          null,
          VerdictStatus.UNPARSEABLE,
          "the judge replied with no label",
          null,
          null,
          null,
          null);
    }
    return new Verdict(
        key,
        null,
        "none",
        null,
        evidence,
        rawText,
        label,
        VerdictStatus.OK,
        null,
        null,
        null,
        null,
        null);
  }

  /** This verdict with the token usage, cost and call that produced it. */
  public Verdict withUsage(
      Integer promptTokens, Integer completionTokens, Double costUsd, JudgeCall call) {
    return new Verdict(
        key,
        score,
        scoreSource,
        numericMass,
        topLogprobs,
        rawText,
        label,
        status,
        error,
        promptTokens,
        completionTokens,
        costUsd,
        call);
  }
}
