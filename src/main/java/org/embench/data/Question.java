package org.embench.data;

import java.util.List;
import java.util.Map;

/**
 * One question of a suite, as the upstream YAML defines it: its paraphrases (user messages), an
 * optional system prompt, how many samples each paraphrase gets, and the judge prompts by metric.
 */
public record Question(
    String id,
    QuestionType type,
    List<String> paraphrases,
    String system,
    Integer samplesPerParaphrase,
    String judge,
    Map<String, String> judgePrompts,
    long line) {

  public boolean judged() {
    return type.judged();
  }
}
