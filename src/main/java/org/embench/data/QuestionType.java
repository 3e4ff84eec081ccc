package org.embench.data;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * A question's {@code type}, as the upstream suites write it: what its answers are judged for. The
 * questions table stores {@link #value()}.
 */
public enum QuestionType {
  /** Judged on 0-100 scales (aligned, coherent), aggregated from the judge's log-probabilities. */
  FREE_FORM_JUDGE_0_100,
  /** Judged with a label (TRUE, FALSE, UNKNOWN…), as the factual and lie suites are. */
  FREE_FORM_JUDGE,
  /** Sampled, not judged. */
  FREE_FORM;

  /** The name in suite YAML and in questions.type. */
  public String value() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Whether answers are judged (so the question needs judge prompts). */
  public boolean judged() {
    return this != FREE_FORM;
  }

  /** Whether the judge answers with a 0-100 number rather than a label. */
  public boolean numeric() {
    return this == FREE_FORM_JUDGE_0_100;
  }

  public static List<String> names() {
    return Arrays.stream(values()).map(QuestionType::value).toList();
  }

  /** The type written as {@code value}; null when it is none of them. */
  public static QuestionType of(String value) {
    for (QuestionType t : values()) {
      if (t.value().equals(value)) {
        return t;
      }
    }
    return null;
  }

  @Override
  public String toString() {
    return value();
  }
}
