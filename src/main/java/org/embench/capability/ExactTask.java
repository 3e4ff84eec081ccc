package org.embench.capability;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.PatternSyntaxException;
import org.embench.UserException;
import org.embench.config.Params;
import org.embench.data.ChatMessage;
import org.embench.model.Generator;
import org.embench.model.SamplingParams;

/**
 * {@code exact}: greedy generation (temperature 0) of up to {@code max_new_tokens}, the answer
 * extracted ({@link AnswerExtractor}) and compared with the reference, which goes through the same
 * extractor (GSM8K's answer column ends in "#### 72"). Items come from {@code question}/{@code
 * answer} columns (the prompt is the {@code prompt} template over the row's fields), from synthetic
 * items, or from a chat data set, where the last assistant turn is the reference and the turns
 * before it the prompt. Score 1 when the extracted answer equals the reference, else 0 (also when
 * nothing was extracted).
 */
final class ExactTask extends BaseTask {
  private final AnswerExtractor extractor;

  ExactTask(String name, Params params) {
    super(name, "exact", params);
    String kind = oneOf("extract", AnswerExtractor.KINDS);
    if (kind.equals("regex") && params.string("pattern").isEmpty()) {
      throw new UserException(name + ".pattern: extract: regex needs a pattern");
    }
    try {
      this.extractor = new AnswerExtractor(kind, params.string("pattern"));
    } catch (PatternSyntaxException e) {
      throw new UserException(
          name + ".pattern: not a valid regular expression: " + e.getDescription());
    }
    positive("max_new_tokens");
    positive("batch");
  }

  static Map<String, Object> defaults() {
    return CapabilityTasks.ordered(
        "question",
        "question",
        "answer",
        "answer",
        "prompt",
        "{question}",
        "extract",
        "last_number",
        "pattern",
        "",
        "max_new_tokens",
        32,
        "batch",
        32);
  }

  @Override
  public TaskItem item(SourceRow row, String source) {
    JsonNode f = row.fields();
    if (f.has("messages")) {
      List<ChatMessage> chat = RowFields.messages(f);
      ChatMessage last = chat.get(chat.size() - 1);
      if (!last.role().equals("assistant")) {
        throw new ItemException(
            "messages", "the last message is not the assistant's reference answer");
      }
      List<ChatMessage> prompt = chat.subList(0, chat.size() - 1);
      return TaskItem.of(
          taskId(),
          source,
          row.line(),
          0,
          RowFields.lastUser(prompt),
          prompt,
          null,
          -1,
          extractor.reference(last.content()));
    }
    String reference = RowFields.text(f, params.string("answer"));
    if (reference.isBlank()) {
      throw new ItemException(params.string("answer"), "empty reference");
    }
    String question = RowFields.text(f, params.string("question"));
    String prompt = RowFields.fill(params.string("prompt"), f, Map.of("question", question));
    return TaskItem.of(
        taskId(),
        source,
        row.line(),
        0,
        prompt,
        List.of(ChatMessage.user(prompt)),
        null,
        -1,
        extractor.reference(reference));
  }

  @Override
  public List<ItemScore> score(List<TaskItem> items, ScoringModel model) {
    int maxNew = params.integer("max_new_tokens");
    SamplingParams greedy = new SamplingParams(0.0, 1.0, 0, maxNew);
    List<ItemScore> out = new ArrayList<>(items.size());
    List<Generator.Request> requests = new ArrayList<>();
    List<Integer> asked = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      out.add(null);
      TaskItem item = items.get(i);
      try {
        int[] prompt = model.tokenizer().encode(model.render(item, chat()));
        if (!model.fits(prompt.length + maxNew)) {
          out.set(i, ItemScore.failed(ItemScore.TOO_LONG, model.tooLong(prompt.length + maxNew)));
          continue;
        }
        requests.add(new Generator.Request(item.itemId(), prompt, 0, greedy));
        asked.add(i);
      } catch (RuntimeException e) {
        out.set(i, ItemScore.failed(ItemScore.ERROR, e.toString()));
      }
    }
    List<Generator.Result> results =
        model.model().generator(model.transformer(), batch(), 4 * 1024).generate(requests, null);
    for (int k = 0; k < results.size(); k++) {
      TaskItem item = items.get(asked.get(k));
      Generator.Result g = results.get(k);
      String answer = model.tokenizer().decode(g.tokens(), true);
      String extracted = extractor.find(answer);
      double score = AnswerExtractor.same(extracted, item.expected()) ? 1 : 0;
      out.set(
          asked.get(k),
          new ItemScore(
              answer, extracted, null, null, null, g.tokens().length, score, ItemScore.OK, null));
    }
    return out;
  }
}
