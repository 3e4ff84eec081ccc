package org.embench.stage;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** What a row of the runs table is (its {@code kind} column holds {@link #value()}). */
public enum RunKind {
  /** An untouched base model, sampled and scored as the reference of everything trained on it. */
  BASE("base"),
  /** Supervised fine-tuning on a data set of the spec. */
  TRAIN("train"),
  /** GRPO on the spec's rl prompt set and reward. */
  RL("rl"),
  /** Judged answers imported from elsewhere (no model here). */
  IMPORTED("imported"),
  /** A training run's adapter at an earlier step ({@code train.eval_at} / {@code eval_every}). */
  CHECKPOINT("checkpoint"),
  /**
   * A published adapter (PEFT layout) on a base model: sampled and scored like a finished trained
   * run.
   */
  IMPORTED_ADAPTER("imported_adapter");

  private final String value;

  RunKind(String value) {
    this.value = value;
  }

  /** The name the runs table stores. */
  @JsonValue
  public String value() {
    return value;
  }

  /**
   * The kind a runs table stores as {@code value}; anything else is an error naming the known ones.
   */
  @JsonCreator
  public static RunKind of(String value) {
    return RunStatus.byValue(values(), RunKind::value, value, "run kind");
  }

  /** Whether runs of this kind are trained by the train stage (and so have a status that moves). */
  public boolean trained() {
    return this == TRAIN || this == RL;
  }

  @Override
  public String toString() {
    return value;
  }
}
