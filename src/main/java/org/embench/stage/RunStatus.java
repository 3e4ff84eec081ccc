package org.embench.stage;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** Where a run stands (the runs table's {@code status} column holds {@link #value()}). */
public enum RunStatus {
  /** In the matrix of a spec, not yet registered. */
  PENDING("pending"),
  /**
   * Registered by the train stage, training (or killed while training: the next train resumes it).
   */
  RUNNING("running"),
  /** Trained; its adapter is written. */
  FINISHED("finished"),
  /** Training stopped with an error ({@code runs.error}). */
  FAILED("failed"),
  /** Needs no training: a base model or a published adapter. */
  READY("ready"),
  /** Answers imported from elsewhere. */
  IMPORTED("imported");

  private final String value;

  RunStatus(String value) {
    this.value = value;
  }

  /** The name the runs table stores. */
  @JsonValue
  public String value() {
    return value;
  }

  /**
   * The status a runs table stores as {@code value}; anything else is an error naming the known
   * ones.
   */
  @JsonCreator
  public static RunStatus of(String value) {
    return byValue(values(), RunStatus::value, value, "run status");
  }

  /**
   * The constant of {@code constants} whose stored name is {@code value} (for RunKind and
   * RunStatus).
   */
  static <E extends Enum<E>> E byValue(
      E[] constants, java.util.function.Function<E, String> name, String value, String what) {
    for (E e : constants) {
      if (name.apply(e).equals(value)) {
        return e;
      }
    }
    throw new IllegalArgumentException(
        "unknown "
            + what
            + " '"
            + value
            + "'; known: "
            + java.util.Arrays.stream(constants)
                .map(name)
                .collect(java.util.stream.Collectors.joining(", ")));
  }

  @Override
  public String toString() {
    return value;
  }
}
