package org.embench.judge;

/**
 * One answer to judge on one metric.
 *
 * @param key identifies the request in its batch (the judge stage uses {@code
 *     generation_id|metric})
 * @param metric the judge prompt's name (aligned, coherent, correct, …)
 * @param numeric true for 0-100 judge prompts (question type free_form_judge_0_100), aggregated
 *     from log-probabilities; false for categorical ones (free_form_judge: TRUE/FALSE/UNKNOWN…)
 * @param question the user message the model answered
 * @param answer the model's answer: untrusted text, inserted verbatim
 * @param template the judge prompt with {question} and {answer} placeholders
 * @param cachedResponse a stored response of an earlier identical call, or null
 */
public record JudgeRequest(
    String key,
    String metric,
    boolean numeric,
    String question,
    String answer,
    String template,
    String cachedResponse) {

  /** The judge's user message: the template with both placeholders filled in one pass. */
  public String prompt() {
    return PromptFiller.fill(template, question, answer);
  }

  public JudgeRequest withCachedResponse(String response) {
    return new JudgeRequest(key, metric, numeric, question, answer, template, response);
  }
}
