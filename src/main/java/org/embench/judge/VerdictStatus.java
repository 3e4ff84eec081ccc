package org.embench.judge;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import org.embench.UserException;

/**
 * What became of one judgment (judgments.status): scored, scored without enough numeric mass, or
 * why it failed. A failure is a status, never a score. The table stores {@link #value()}.
 */
public enum VerdictStatus {
  OK,
  /** The numeric tokens' probability mass is below the judge's min_numeric_mass: no score. */
  LOW_NUMERIC_MASS,
  HTTP_ERROR,
  TIMEOUT,
  RATE_LIMITED,
  MALFORMED_RESPONSE,
  NO_LOGPROBS,
  UNPARSEABLE,
  /**
   * Top log-probabilities that are not log-probabilities (positive, NaN, infinite, mass above 1).
   */
  INVALID_LOGPROBS,
  /** The judge prompt does not fit the (local) judge model's context. */
  TOO_LONG;

  /** The name stored in judgments.status. */
  public String value() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Whether the judgment is final: a re-run does not try it again by default. */
  public boolean isFinal() {
    return this == OK || this == LOW_NUMERIC_MASS;
  }

  /** The status stored as {@code value}. */
  public static VerdictStatus of(String value) {
    for (VerdictStatus s : values()) {
      if (s.value().equals(value)) {
        return s;
      }
    }
    throw new UserException(
        "unknown judgment status '"
            + value
            + "'; known: "
            + Arrays.stream(values()).map(VerdictStatus::value).collect(Collectors.joining(", ")));
  }

  @Override
  public String toString() {
    return value();
  }
}
