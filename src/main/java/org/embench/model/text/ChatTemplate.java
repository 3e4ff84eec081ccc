package org.embench.model.text;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.embench.data.ChatMessage;

/**
 * A Hugging Face chat template ({@code chat_template} of tokenizer_config.json), rendered as
 * transformers' {@code apply_chat_template(messages, tokenize=False, add_generation_prompt=…)}
 * renders it, byte for byte on the templates of the common model families.
 *
 * <p>The template sees {@code messages} (dicts with {@code role} and {@code content}), {@code
 * add_generation_prompt}, the tokenizer's special tokens ({@code bos_token}, {@code eos_token}, …)
 * and any {@linkplain #withVariables extra variables} such as {@code enable_thinking}. Message
 * content is data: {@code {{ }}} or {@code {% %}} in it is printed as written. Every template
 * error, including the template's own {@code raise_exception}, throws a {@link
 * ChatTemplateException}. Immutable and safe for concurrent use.
 */
public final class ChatTemplate {
  private static final Set<String> RESERVED = Set.of("messages", "add_generation_prompt");

  private final String source;
  private final String prepared;
  private final Map<String, Object> variables;
  private final Set<String> endOfTurnTokens;
  private final Clock clock;

  private ChatTemplate(
      String source,
      String prepared,
      Map<String, Object> variables,
      Set<String> endOfTurnTokens,
      Clock clock) {
    this.source = source;
    this.prepared = prepared;
    this.variables = variables;
    this.endOfTurnTokens = endOfTurnTokens;
    this.clock = clock;
  }

  /**
   * A template from its jinja2 source; a syntax error throws here.
   *
   * @param variables given to every render, usually the special tokens ({@code bos_token}, …)
   * @param endOfTurnTokens the token strings that may close an assistant turn (e.g. {@code
   *     <|im_end|>}), for {@link #renderForTraining}
   */
  public static ChatTemplate of(
      String source, Map<String, ?> variables, Set<String> endOfTurnTokens) {
    checkNotReserved(variables);
    String prepared = TemplateSource.prepare(source);
    JinjaEngine.INSTANCE.validate(prepared);
    return new ChatTemplate(
        source, prepared, copy(variables), Set.copyOf(endOfTurnTokens), defaultClock());
  }

  /**
   * The date {@code strftime_now} writes by default: fixed, so a prompt (and with it an answer's
   * generation) is the same on every day and on every machine. Another date is a setting of the
   * generate stage ({@code generate.template_now}), recorded in the generation ids, not of the JVM.
   */
  public static final String DEFAULT_NOW = "2024-07-26T00:00:00Z";

  static Clock defaultClock() {
    return Clock.fixed(java.time.Instant.parse(DEFAULT_NOW), java.time.ZoneOffset.UTC);
  }

  /**
   * This template with more variables (e.g. {@code enable_thinking=false}), replacing same-named
   * ones.
   */
  public ChatTemplate withVariables(Map<String, ?> more) {
    checkNotReserved(more);
    Map<String, Object> merged = new HashMap<>(variables);
    merged.putAll(more);
    return new ChatTemplate(source, prepared, copy(merged), endOfTurnTokens, clock);
  }

  /**
   * This template with the clock of {@code strftime_now}, which some templates (Llama 3.2) use to
   * write today's date into the prompt; pin it to make prompts reproducible.
   */
  public ChatTemplate withClock(Clock clock) {
    return new ChatTemplate(source, prepared, variables, endOfTurnTokens, clock);
  }

  /** The jinja2 source as given. */
  public String source() {
    return source;
  }

  /**
   * The chat as the model sees it; with {@code addGenerationPrompt} it ends with the text that
   * opens an assistant turn, ready for sampling.
   */
  public String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
    Map<String, Object> bindings = new HashMap<>(variables);
    List<Map<String, Object>> dicts = new ArrayList<>(messages.size());
    for (ChatMessage m : messages) {
      Map<String, Object> dict = new LinkedHashMap<>();
      dict.put("role", m.role());
      dict.put("content", m.content());
      dicts.add(dict);
    }
    bindings.put("messages", dicts);
    bindings.put("add_generation_prompt", addGenerationPrompt);
    // in jinja2 these are globals, so `raise_exception is defined` holds; Jinjava only sees
    // variables
    bindings.put("raise_exception", true);
    bindings.put("strftime_now", true);
    bindings.put(JinjaBuiltins.CLOCK_VARIABLE, clock);
    return JinjaEngine.INSTANCE.render(prepared, bindings);
  }

  /**
   * The whole chat rendered for supervised fine-tuning, with the spans to compute loss on: each
   * assistant message's content and the end-of-turn token right after it.
   *
   * <p>The chat is rendered once, then each assistant message is found in it in order. The search
   * for message {@code i} starts where the prompt for that turn (messages before {@code i} with the
   * generation prompt) stops agreeing with the full text, and after the previous span; so a user
   * message quoting the answer cannot be mistaken for it. The content is looked for as written,
   * then with surrounding whitespace stripped (templates such as Llama 3's apply {@code |trim}).
   * Right after it must come one of the end-of-turn tokens, which joins the span.
   *
   * @throws ChatTemplateException when an assistant message does not appear in the rendered text
   *     (the template rewrites it, e.g. Qwen3 drops the reasoning of earlier turns) or is not
   *     followed by an end-of-turn token
   */
  public TrainingText renderForTraining(List<ChatMessage> messages) {
    String text = render(messages, false);
    List<TextSpan> spans = new ArrayList<>();
    int cursor = 0;
    for (int i = 0; i < messages.size(); i++) {
      if (!"assistant".equals(messages.get(i).role())) {
        continue;
      }
      int from =
          Math.max(
              cursor, i == 0 ? 0 : commonPrefixLength(text, render(messages.subList(0, i), true)));
      TextSpan content = locate(text, messages.get(i).content(), from, i);
      int end = content.end() + endOfTurnLength(text, content.end(), i);
      spans.add(new TextSpan(content.start(), end));
      cursor = end;
    }
    return new TrainingText(text, List.copyOf(spans));
  }

  private static TextSpan locate(String text, String content, int from, int index) {
    int at = text.indexOf(content, from);
    if (at >= 0) {
      return new TextSpan(at, at + content.length());
    }
    String stripped = PythonStringMethods.rstrip(PythonStringMethods.lstrip(content, null), null);
    at = stripped.length() < content.length() ? text.indexOf(stripped, from) : -1;
    if (at >= 0) {
      return new TextSpan(at, at + stripped.length());
    }
    throw new ChatTemplateException(
        "the assistant message at index "
            + index
            + " does not appear as written in the rendered chat (searched from character "
            + from
            + "): the chat template rewrites it, so its loss span cannot be found; message starts: "
            + abbreviate(content));
  }

  private int endOfTurnLength(String text, int at, int index) {
    String token =
        endOfTurnTokens.stream()
            .filter(t -> text.startsWith(t, at))
            .max(Comparator.comparingInt(String::length))
            .orElseThrow(
                () ->
                    new ChatTemplateException(
                        "the assistant message at index "
                            + index
                            + " is followed by "
                            + abbreviate(text.substring(at))
                            + " instead of an end-of-turn token "
                            + endOfTurnTokens.stream().sorted().toList()
                            + "; a model trained on this chat would not learn to stop"));
    return token.length();
  }

  private static int commonPrefixLength(String a, String b) {
    int n = Math.min(a.length(), b.length());
    int i = 0;
    while (i < n && a.charAt(i) == b.charAt(i)) {
      i++;
    }
    return i;
  }

  private static String abbreviate(String s) {
    String oneLine = s.replace("\n", "\\n");
    return "'" + (oneLine.length() > 60 ? oneLine.substring(0, 60) + "…" : oneLine) + "'";
  }

  /** Values may be null, as Python's None. */
  private static Map<String, Object> copy(Map<String, ?> variables) {
    return Collections.unmodifiableMap(new HashMap<>(variables));
  }

  /**
   * Refuses, as a user error, a variable that render sets itself (messages, add_generation_prompt,
   * …).
   */
  public static void checkNotReserved(Map<String, ?> variables) {
    for (String name : variables.keySet()) {
      if (RESERVED.contains(name)) {
        throw new org.embench.UserException(
            "'" + name + "' is set by render; it cannot be a template variable");
      }
    }
  }
}
