package org.embench.capability;

import java.util.List;
import org.embench.data.ChatMessage;
import org.embench.table.Ids;

/**
 * One item of a capability task, as read from its source.
 *
 * @param itemId content-addressed id: sha256 of [item, task id, prompt, choices, expected, sample]
 * @param source where it came from (file URI, data set NAME/SPLIT, synthetic:NAME)
 * @param line its 1-based line or row there
 * @param sampleIdx the sample of the item (judged tasks sample several answers per item); 0
 *     otherwise
 * @param prompt the prompt as text: the user message, or the raw prompt
 * @param messages the conversation the model is given: the prompt's messages, or for nll the whole
 *     reference conversation
 * @param choices candidate continuations (choice), else null
 * @param answerIndex the correct choice (choice), else -1
 * @param expected the reference answer, when the task has one
 */
public record TaskItem(
    String itemId,
    String source,
    long line,
    int sampleIdx,
    String prompt,
    List<ChatMessage> messages,
    List<String> choices,
    int answerIndex,
    String expected)
    implements java.io.Serializable {

  public TaskItem {
    messages = List.copyOf(messages);
    choices = choices == null ? null : List.copyOf(choices);
  }

  /** An item with its content-addressed id. */
  static TaskItem of(
      String taskId,
      String source,
      long line,
      int sampleIdx,
      String prompt,
      List<ChatMessage> messages,
      List<String> choices,
      int answerIndex,
      String expected) {
    return new TaskItem(
        Ids.of("item", taskId, prompt, choices, expected, sampleIdx),
        source,
        line,
        sampleIdx,
        prompt,
        messages,
        choices,
        answerIndex,
        expected);
  }

  /** This item as its sample {@code sample} (judged tasks sample several answers per item). */
  public TaskItem sample(String taskId, int sample) {
    return of(taskId, source, line, sample, prompt, messages, choices, answerIndex, expected);
  }
}
