package org.embench.capability;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.embench.config.Params;
import org.embench.data.ChatMessage;
import org.embench.model.LoglikScorer;

/**
 * {@code choice}: multiple choice scored by log-likelihood, as MMLU, ARC and HellaSwag are. The
 * prompt (the {@code question} column through the {@code prompt} template; {@code {choices}} lists
 * them as "A. …") is followed by each choice, and the choice whose continuation the model finds
 * most likely is its answer. Variants ({@code normalize}): {@code sum} of the continuation's token
 * log-probabilities; {@code per_token}, that sum over its tokens; {@code per_byte}, over its UTF-8
 * bytes (lm-evaluation-harness's acc_norm). The continuation is the choice's text, or its letter
 * with {@code continuation: letter}. The answer column holds the correct choice's 0-based index, a
 * letter, or, with {@code labels} naming the labels column (ARC's {@code choices.label}), one of
 * those labels. Score 1 when the model's choice is the correct one, else 0.
 */
final class ChoiceTask extends BaseTask {
  static final List<String> NORMALIZE = List.of("sum", "per_token", "per_byte");
  static final List<String> CONTINUATION = List.of("text", "letter");

  private final String normalize;
  private final String continuation;

  ChoiceTask(String name, Params params) {
    super(name, "choice", params);
    this.normalize = oneOf("normalize", NORMALIZE);
    this.continuation = oneOf("continuation", CONTINUATION);
    positive("batch");
  }

  static Map<String, Object> defaults() {
    return CapabilityTasks.ordered(
        "question",
        "question",
        "choices",
        "choices",
        "answer",
        "answer",
        "labels",
        "",
        "prompt",
        "{question}",
        "continuation",
        "text",
        "normalize",
        "sum",
        "batch",
        16);
  }

  @Override
  public TaskItem item(SourceRow row, String source) {
    JsonNode f = row.fields();
    List<String> choices = RowFields.texts(f, params.string("choices"));
    for (int i = 0; i < choices.size(); i++) {
      if (choices.get(i).isEmpty()) {
        throw new ItemException(params.string("choices") + "[" + i + "]", "empty choice");
      }
    }
    int answer = answerIndex(f, choices.size());
    String question = RowFields.text(f, params.string("question"));
    Map<String, String> given = new LinkedHashMap<>();
    given.put(params.string("question"), question);
    given.put("question", question);
    given.put("choices", lettered(choices));
    String prompt = RowFields.fill(params.string("prompt"), f, given);
    return TaskItem.of(
        taskId(),
        source,
        row.line(),
        0,
        prompt,
        List.of(ChatMessage.user(prompt)),
        choices,
        answer,
        choices.get(answer));
  }

  private int answerIndex(JsonNode f, int n) {
    String column = params.string("answer");
    JsonNode a = RowFields.at(f, column);
    if (a == null || a.isNull()) {
      throw new ItemException(column, "missing");
    }
    int index;
    if (!params.string("labels").isEmpty()) {
      List<String> labels = RowFields.texts(f, params.string("labels"));
      index = labels.indexOf(a.asText());
      if (index < 0) {
        throw new ItemException(column, "'" + a.asText() + "' is none of the labels " + labels);
      }
    } else if (a.isIntegralNumber() || (a.isTextual() && a.asText().matches("\\d+"))) {
      // ten or more digits would not fit an int: such an index is out of range like any other
      String digits = a.asText();
      index = digits.length() <= 9 ? Integer.parseInt(digits) : -1;
    } else if (a.isTextual() && a.asText().matches("[A-Za-z]")) {
      index = Character.toUpperCase(a.asText().charAt(0)) - 'A';
    } else {
      throw new ItemException(
          column, "expected a choice index or letter, found '" + a.asText() + "'");
    }
    if (index < 0 || index >= n) {
      throw new ItemException(
          column, "answer " + a.asText() + " is out of range for " + n + " choices");
    }
    return index;
  }

  static String lettered(List<String> choices) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < choices.size(); i++) {
      sb.append(i == 0 ? "" : "\n").append(letter(i)).append(". ").append(choices.get(i));
    }
    return sb.toString();
  }

  private static String letter(int i) {
    return String.valueOf((char) ('A' + i));
  }

  @Override
  public List<ItemScore> score(List<TaskItem> items, ScoringModel model) {
    List<ItemScore> out = new ArrayList<>(items.size());
    List<LoglikScorer.Continuations> queries = new ArrayList<>();
    List<Integer> scored = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      out.add(null);
      TaskItem item = items.get(i);
      try {
        String context = model.render(item, chat());
        List<int[]> conts = new ArrayList<>();
        int longest = 0;
        for (int c = 0; c < item.choices().size(); c++) {
          String text = continuation.equals("letter") ? letter(c) : item.choices().get(c);
          int[] ids = model.continuationIds(context, chat() ? text : " " + text);
          conts.add(ids);
          longest = Math.max(longest, ids.length);
        }
        int[] prompt = model.tokenizer().encode(context);
        if (!model.fits(prompt.length + longest)) {
          out.set(i, ItemScore.failed(ItemScore.TOO_LONG, model.tooLong(prompt.length + longest)));
          continue;
        }
        queries.add(new LoglikScorer.Continuations(prompt, conts));
        scored.add(i);
      } catch (RuntimeException e) {
        out.set(i, ItemScore.failed(ItemScore.ERROR, e.toString()));
      }
    }
    List<double[]> logliks = model.scorer(batch()).continuations(queries);
    for (int q = 0; q < queries.size(); q++) {
      TaskItem item = items.get(scored.get(q));
      out.set(scored.get(q), decide(item, queries.get(q), logliks.get(q)));
    }
    return out;
  }

  private ItemScore decide(TaskItem item, LoglikScorer.Continuations q, double[] loglik) {
    List<Double> ll = new ArrayList<>();
    List<Integer> tokens = new ArrayList<>();
    int best = -1;
    double bestValue = Double.NEGATIVE_INFINITY;
    for (int c = 0; c < loglik.length; c++) {
      int n = q.continuations().get(c).length;
      ll.add(loglik[c]);
      tokens.add(n);
      String text = continuation.equals("letter") ? letter(c) : item.choices().get(c);
      double value =
          switch (normalize) {
            case "per_token" -> loglik[c] / n;
            case "per_byte" ->
                loglik[c] / Math.max(1, text.getBytes(StandardCharsets.UTF_8).length);
            default -> loglik[c];
          };
      if (value > bestValue) {
        bestValue = value;
        best = c;
      }
    }
    return new ItemScore(
        item.choices().get(best),
        null,
        ll,
        tokens,
        null,
        null,
        best == item.answerIndex() ? 1.0 : 0.0,
        ItemScore.OK,
        null);
  }
}
