package org.embench.judge;

import java.util.List;

/**
 * What a judge concluded about one request, with the raw evidence (the judgments table's columns).
 *
 * @param score aggregated 0-100 score; null when not numeric, below the numeric-mass minimum, or failed
 * @param scoreSource 'logprobs', 'text' (a number parsed from the reply) or 'none'
 * @param status 'ok', 'low_numeric_mass', or a failure ('http_error', 'timeout', 'rate_limited',
 *     'malformed_response', 'no_logprobs', 'unparseable')
 * @param error detail of a failure; never contains credentials
 * @param call the external call made for this verdict (to store in the call cache), or null when
 *     none was made or it failed
 */
public record Verdict(
    String key,
    Double score,
    String scoreSource,
    Double numericMass,
    List<TokenLogprob> topLogprobs,
    String rawText,
    String label,
    String status,
    String error,
    Integer promptTokens,
    Integer completionTokens,
    Double costUsd,
    JudgeCall call) {

  public static final String OK = "ok";
  public static final String LOW_NUMERIC_MASS = NumericScore.LOW_NUMERIC_MASS;
  public static final String HTTP_ERROR = "http_error";
  public static final String TIMEOUT = "timeout";
  public static final String RATE_LIMITED = "rate_limited";
  public static final String MALFORMED_RESPONSE = "malformed_response";
  public static final String NO_LOGPROBS = "no_logprobs";
  public static final String UNPARSEABLE = "unparseable";

  /** Statuses after which the judgment is final (a re-run does not try again by default). */
  public boolean scoredOrFinal() {
    return status.equals(OK) || status.equals(LOW_NUMERIC_MASS);
  }

  /** A failure: no score, the status and why. */
  public static Verdict failure(String key, String status, String error) {
    return new Verdict(key, null, "none", null, null, null, null, status, error, null, null, null, null);
  }
}
