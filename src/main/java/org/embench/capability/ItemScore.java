package org.embench.capability;

import java.util.List;

/**
 * What scoring one item produced: the score with its raw evidence, or a status saying why there is
 * no score. Columns of the capability table of the same names.
 */
public record ItemScore(
    String answer,
    String extracted,
    List<Double> choiceLogliks,
    List<Integer> choiceTokens,
    Double loglik,
    Integer nTokens,
    Double score,
    String status,
    String error) {
  public static final String OK = "ok";

  /** The prompt (with the tokens the task needs after it) does not fit the model's context. */
  public static final String TOO_LONG = "too_long";

  /** Nothing to score: no reference token survived truncation. */
  public static final String NO_TOKENS = "no_tokens";

  /** Scoring the item failed; the error says how. */
  public static final String ERROR = "error";

  /** An item without a score. */
  public static ItemScore failed(String status, String error) {
    return new ItemScore(null, null, null, null, null, null, null, status, error);
  }
}
