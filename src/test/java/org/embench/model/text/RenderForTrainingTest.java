package org.embench.model.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.embench.data.ChatMessage.assistant;
import static org.embench.data.ChatMessage.system;
import static org.embench.data.ChatMessage.user;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.embench.data.ChatMessage;
import org.junit.jupiter.api.Test;

class RenderForTrainingTest {

  private static List<String> lossText(TrainingText t) {
    return t.lossSpans().stream().map(s -> t.text().substring(s.start(), s.end())).toList();
  }

  @Test
  void chatMlSpansAreEachAnswerAndItsEndOfTurn() {
    ChatTemplate chatMl =
        ChatTemplate.of(ByteLevelBpeBuilder.CHAT_TEMPLATE, Map.of(), Set.of("<|im_end|>"));
    // the answer "4" also appears in the user messages before it; those must not be taken for it
    List<ChatMessage> chat =
        List.of(user("Say 4"), assistant("4"), user("4 again"), assistant("4"));
    TrainingText t = chatMl.renderForTraining(chat);
    assertThat(t.text()).isEqualTo(chatMl.render(chat, false));
    assertThat(lossText(t)).containsExactly("4<|im_end|>", "4<|im_end|>");
    String firstAnswer = "<|im_start|>assistant\n4";
    assertThat(t.lossSpans().get(0).start())
        .isEqualTo(t.text().indexOf(firstAnswer) + firstAnswer.length() - 1);
    assertThat(t.lossSpans().get(1).end()).isEqualTo(t.text().length() - 1);
  }

  @Test
  void qwen25StyleWithItsDefaultSystemPrompt() {
    List<ChatMessage> chat = List.of(user("Who are you?"), assistant("A careful assistant."));
    TrainingText t = StyleTemplates.qwen25().renderForTraining(chat);
    assertThat(lossText(t)).containsExactly("A careful assistant.<|im_end|>");
    assertThat(t.text().substring(0, t.lossSpans().get(0).start()))
        .endsWith("Who are you?<|im_end|>\n<|im_start|>assistant\n");
  }

  @Test
  void llamaStyleTrimsTheAnswer() {
    List<ChatMessage> chat =
        List.of(
            system("Be brief."),
            user("Hi"),
            assistant("  Hello!\n"),
            user("Bye"),
            assistant("Bye."));
    assertThat(lossText(StyleTemplates.llama().renderForTraining(chat)))
        .containsExactly("Hello!<|eot_id|>", "Bye.<|eot_id|>");
  }

  @Test
  void mistralStyle() {
    List<ChatMessage> chat =
        List.of(
            system("Be brief."), user("Hi"), assistant("Hello!"), user("Bye"), assistant("Bye."));
    assertThat(lossText(StyleTemplates.mistral().renderForTraining(chat)))
        .containsExactly("Hello!</s>", "Bye.</s>");
  }

  @Test
  void qwen3ReasoningIsFoundWhenTheTemplateKeepsIt() {
    String answer = "<think>\nRayleigh scattering.\n</think>\n\nBecause of Rayleigh scattering.";
    TrainingText t =
        StyleTemplates.qwen3()
            .renderForTraining(List.of(user("Why is the sky blue?"), assistant(answer)));
    assertThat(lossText(t)).containsExactly(answer + "<|im_end|>");
  }

  @Test
  void failsWhenTheTemplateRewritesAnAnswer() {
    // Qwen3 drops the reasoning of turns before the last user message
    List<ChatMessage> chat =
        List.of(
            user("Why?"),
            assistant("<think>\nhm\n</think>\n\nBecause."),
            user("Thanks"),
            assistant("You're welcome."));
    ChatTemplate qwen3 =
        StyleTemplates.qwen3(); // outside the lambda: it skips the test without ../shared
    assertThatThrownBy(() -> qwen3.renderForTraining(chat))
        .isInstanceOf(ChatTemplateException.class)
        .hasMessageContaining(
            "the assistant message at index 1 does not appear as written in the rendered chat");
    ChatTemplate shouting =
        ChatTemplate.of(
            "{% for m in messages %}{{ m.content | upper }}<|im_end|>{% endfor %}",
            Map.of(), Set.of("<|im_end|>"));
    assertThatThrownBy(() -> shouting.renderForTraining(List.of(user("hi"), assistant("hello"))))
        .hasMessageContaining("the chat template rewrites it");
  }

  @Test
  void failsWhenNoEndOfTurnFollowsAnAnswer() {
    ChatTemplate plain =
        ChatTemplate.of(
            "{% for m in messages %}{{ m.role }}: {{ m.content }}\n{% endfor %}",
            Map.of(), Set.of("<|im_end|>"));
    assertThatThrownBy(() -> plain.renderForTraining(List.of(user("hi"), assistant("hello"))))
        .isInstanceOf(ChatTemplateException.class)
        .hasMessageContaining("is followed by '\\n' instead of an end-of-turn token [<|im_end|>]");
  }
}
