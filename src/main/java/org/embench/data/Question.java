package org.embench.data;

import java.util.List;
import java.util.Map;

/**
 * One question of a suite, as the upstream YAML defines it: its paraphrases (user messages), an
 * optional system prompt, how many samples each paraphrase gets, and the judge prompts by metric.
 */
public record Question(
    String id,
    String type,
    List<String> paraphrases,
    String system,
    Integer samplesPerParaphrase,
    String judge,
    Map<String, String> judgePrompts,
    long line) {

  /** Types the upstream suites use; the judged ones need judge prompts. */
  public static final List<String> TYPES = List.of("free_form_judge_0_100", "free_form_judge", "free_form");

  public boolean judged() {
    return !type.equals("free_form");
  }
}
