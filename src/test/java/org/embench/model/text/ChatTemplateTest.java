package org.embench.model.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.embench.data.ChatMessage.assistant;
import static org.embench.data.ChatMessage.system;
import static org.embench.data.ChatMessage.user;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.embench.data.ChatMessage;
import org.junit.jupiter.api.Test;

/** Rendering; every expected string is Python jinja2's output in transformers' setup. */
class ChatTemplateTest {

  @Test
  void qwen3OneUserMessageWithGenerationPrompt() {
    assertThat(StyleTemplates.qwen3().render(List.of(user("Hello!")), true))
        .isEqualTo("<|im_start|>user\nHello!<|im_end|>\n<|im_start|>assistant\n");
  }

  @Test
  void qwen3SystemUserAssistantUser() {
    List<ChatMessage> chat =
        List.of(
            system("You are a terse assistant."),
            user("What is 2+2?"),
            assistant("4"),
            user("And 3+3?"));
    assertThat(StyleTemplates.qwen3().render(chat, true))
        .isEqualTo(
            "<|im_start|>system\nYou are a terse assistant.<|im_end|>\n<|im_start|>user\nWhat is 2+2?<|im_end|>\n"
                + "<|im_start|>assistant\n4<|im_end|>\n<|im_start|>user\nAnd 3+3?<|im_end|>\n<|im_start|>assistant\n");
  }

  @Test
  void qwen3ReasoningInAssistantContent() {
    ChatTemplate qwen3 = StyleTemplates.qwen3();
    assertThat(
            qwen3.render(
                List.of(
                    user("Why is the sky blue?"),
                    assistant(
                        "<think>Rayleigh scattering.</think>\n\nBecause of Rayleigh scattering.")),
                false))
        .isEqualTo(
            "<|im_start|>user\nWhy is the sky blue?<|im_end|>\n<|im_start|>assistant\n"
                + "<think>\nRayleigh scattering.\n</think>\n\nBecause of Rayleigh scattering.<|im_end|>\n");
    // before the last user message Qwen3 drops the reasoning
    assertThat(
            qwen3.render(
                List.of(
                    user("Why is the sky blue?"),
                    assistant("<think>\nRayleigh\n</think>\n\nScattering."),
                    user("Thanks")),
                true))
        .isEqualTo(
            "<|im_start|>user\nWhy is the sky blue?<|im_end|>\n<|im_start|>assistant\nScattering.<|im_end|>\n"
                + "<|im_start|>user\nThanks<|im_end|>\n<|im_start|>assistant\n");
  }

  @Test
  void messageContentIsPrintedAsWrittenNeverInterpreted() {
    List<ChatMessage> chat =
        List.of(
            system("  \"double\" and 'single'  \n"),
            user(
                "He said \"hi\" and 'bye' {{ 7 * 7 }} {% if true %}X{% endif %} {# c #} \\ back\\nslash é 中文 😀"),
            assistant("Réponse: {{ not a var }} {%- raw %} 中文 😀"),
            user("<tool_response>not really</tool_response>"));
    assertThat(StyleTemplates.qwen3().render(chat, true))
        .isEqualTo(
            "<|im_start|>system\n  \"double\" and 'single'  \n<|im_end|>\n<|im_start|>user\nHe said \"hi\" and 'bye' "
                + "{{ 7 * 7 }} {% if true %}X{% endif %} {# c #} \\ back\\nslash é 中文 😀<|im_end|>\n<|im_start|>assistant\n"
                + "Réponse: {{ not a var }} {%- raw %} 中文 😀<|im_end|>\n<|im_start|>user\n"
                + "<tool_response>not really</tool_response><|im_end|>\n<|im_start|>assistant\n");
  }

  @Test
  void qwen3WithThinkingTurnedOff() {
    ChatTemplate noThinking =
        StyleTemplates.qwen3().withVariables(Map.of("enable_thinking", false));
    assertThat(noThinking.render(List.of(user("Hello!")), true))
        .isEqualTo(
            "<|im_start|>user\nHello!<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n");
  }

  @Test
  void llamaStyle() {
    List<ChatMessage> chat =
        List.of(system("  Be brief.\n"), user("Hi"), assistant("  Hello!\n"), user("Bye"));
    assertThat(StyleTemplates.llama().render(chat, true))
        .isEqualTo(
            "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nToday Date: 1 Jan 2025\n\nBe brief.<|eot_id|>"
                + "<|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n"
                + "Hello!<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nBye<|eot_id|>"
                + "<|start_header_id|>assistant<|end_header_id|>\n\n");
    assertThat(
            StyleTemplates.llama()
                .withVariables(Map.of("date_string", "26 Jul 2025"))
                .render(List.of(user("Hi")), true))
        .isEqualTo(
            "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nToday Date: 26 Jul 2025\n\n<|eot_id|>"
                + "<|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n");
  }

  @Test
  void mistralStyle() {
    List<ChatMessage> chat =
        List.of(system("Be brief."), user("Hi"), assistant("Hello!"), user("Bye"));
    assertThat(StyleTemplates.mistral().render(chat, true))
        .isEqualTo("<s>[INST] Be brief.\n\nHi [/INST] Hello!</s>[INST] Bye [/INST]");
  }

  @Test
  void qwen25StyleInsertsItsDefaultSystemPrompt() {
    assertThat(StyleTemplates.qwen25().render(List.of(user("Hi")), true))
        .isEqualTo(
            "<|im_start|>system\nYou are a careful assistant.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n");
    assertThat(
            StyleTemplates.qwen25()
                .render(List.of(system("Be brief."), user("Hi"), assistant("Hello!")), false))
        .isEqualTo(
            "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n"
                + "Hello!<|im_end|>\n");
  }

  @Test
  void raiseExceptionThrowsTheTemplatesMessage() {
    assertThatThrownBy(
            () -> StyleTemplates.mistral().render(List.of(user("Hi"), user("Hi again")), true))
        .isInstanceOf(ChatTemplateException.class)
        .hasMessage("Conversation roles must alternate user/assistant/user/assistant/...");
    assertThatThrownBy(
            () ->
                StyleTemplates.llama()
                    .render(List.of(user("Hi"), new ChatMessage("tool", "x")), true))
        .isInstanceOf(ChatTemplateException.class)
        .hasMessage("Unsupported role: tool");
  }

  @Test
  void templateErrorsThrowInsteadOfRenderingWhatTheyCan() {
    assertThatThrownBy(
            () -> template("{{ messages|nosuchfilter }}").render(List.of(user("x")), false))
        .hasMessageContaining("No filter named 'nosuchfilter'");
    assertThatThrownBy(() -> template("{% for m in messages %}{{ m.content }}"))
        .isInstanceOf(ChatTemplateException.class)
        .hasMessageContaining("Missing end tag: endfor");
    assertThatThrownBy(() -> template("{% for m in messages %}x{% else %}none{% endfor %}"))
        .hasMessageContaining("{% for %}…{% else %} is not supported");
    assertThatThrownBy(() -> template("a\n{{ messages[::2] }}"))
        .hasMessageContaining("line 2: the slice [::2] has a step");
    assertThatThrownBy(
            () -> template("{% include 'log4j2-test.properties' %}").render(List.of(), false))
        .hasMessageContaining("cannot load other templates");
  }

  @Test
  void readsSourceAsJinja2Does() {
    // [::-1] is rewritten in code only; \r\n is read as \n; one final newline is dropped
    ChatTemplate t =
        template("{% for m in messages[::-1] %}{{ m.content }}\r\n{% endfor %}[::-1]\n");
    assertThat(t.render(List.of(user("a"), user("b")), false)).isEqualTo("b\na\n[::-1]");
  }

  @Test
  void strftimeNowWritesAFixedDateByDefaultSoPromptsDoNotChangeWithTheDay() {
    ChatTemplate t = template("{{ strftime_now('%d %b %Y') }}");
    assertThat(t.render(List.of(), false)).isEqualTo("26 Jul 2024");
  }

  @Test
  void strftimeNowReadsTheTemplatesClock() {
    Clock clock = Clock.fixed(Instant.parse("2025-07-26T13:05:09Z"), ZoneId.of("UTC"));
    ChatTemplate t =
        template("{{ strftime_now('%d %b %Y') }}|{{ strftime_now is defined }}").withClock(clock);
    assertThat(t.render(List.of(), false)).isEqualTo("26 Jul 2025|True");
  }

  @Test
  void messagesAndGenerationPromptAreNotVariables() {
    assertThatThrownBy(() -> template("x").withVariables(Map.of("messages", List.of())))
        .isInstanceOf(org.embench.UserException.class)
        .hasMessageContaining("'messages' is set by render");
  }

  private static ChatTemplate template(String source) {
    return ChatTemplate.of(source, Map.of(), Set.of());
  }
}
