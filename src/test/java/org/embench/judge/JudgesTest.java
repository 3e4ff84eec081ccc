package org.embench.judge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Every judge kind the spec declares has a factory and the facts the judge stage asks of it. */
class JudgesTest {
  @Test
  void everyDeclaredKindIsRegisteredAndOnlyPaidKindsHaveStoredCalls() {
    assertThat(JudgeSpec.reference().keySet()).containsExactly("openai", "local", "offline");
    for (String kind : JudgeSpec.reference().keySet()) {
      JudgeSpec spec = JudgeSpec.parse(kind + ":some-model");
      Judges.Kind k = Judges.kind(spec);
      assertThat(k.name()).isEqualTo(kind);
      assertThat(k.paidCalls()).as(kind).isEqualTo(kind.equals("openai"));
      // a local judge loads its model: the stage does not make one on the driver
      assertThat(k.checkedOnDriver()).as(kind).isEqualTo(!kind.equals("local"));
    }
    JudgeSpec openai = JudgeSpec.parse("openai:m");
    assertThat(Judges.callKey(openai, "p", true))
        .isEqualTo(OpenAiCompatibleJudge.callKey(openai, "p", true));
    assertThatThrownBy(() -> Judges.callKey(JudgeSpec.parse("offline"), "p", true))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("offline judges make no stored calls");
  }

  @Test
  void aMappingSpecIsTypedWhileTheCommandLineFormIsReadAsText() {
    assertThat(JudgeSpec.parse("openai:m,top_logprobs=5,text_fallback=true").params())
        .containsEntry("top_logprobs", 5)
        .containsEntry("text_fallback", true);
    assertThat(JudgeSpec.parse("openai:m,temperature=0.5").params())
        .containsEntry("temperature", 0.5);
    // The text is read by the parameter's declared type, the one the mapping form is checked by.
    assertThatThrownBy(() -> JudgeSpec.parse("openai:m,top_logprobs=2.5"))
        .isInstanceOf(org.embench.UserException.class)
        .hasMessage("openai.top_logprobs: expected a whole number, got '2.5' (a number)");
    assertThatThrownBy(() -> JudgeSpec.parse("openai:m,text_fallback=yes"))
        .isInstanceOf(org.embench.UserException.class)
        .hasMessage("openai.text_fallback: expected true or false, got 'yes' (a string)");
    assertThatThrownBy(() -> JudgeSpec.parse("openai:m,temperature=hot"))
        .isInstanceOf(org.embench.UserException.class)
        .hasMessage("openai.temperature: expected a number, got 'hot' (a string)");
    JudgeSpec typed =
        JudgeSpec.parse("{\"kind\": \"openai\", \"model\": \"m\", \"top_logprobs\": 5}");
    assertThat(typed.params()).containsEntry("top_logprobs", 5);
    // the stored form reads back to the same judge
    assertThat(JudgeSpec.fromJson(typed.json()).id()).isEqualTo(typed.id());
    assertThatThrownBy(
            () ->
                JudgeSpec.parse(
                    "{\"kind\": \"openai\", \"model\": \"m\", \"top_logprobs\": \"5\"}"))
        .isInstanceOf(org.embench.UserException.class)
        .hasMessage("openai.top_logprobs: expected a whole number, got '5' (a string)");
    assertThatThrownBy(
            () ->
                JudgeSpec.parse(
                    "{\"kind\": \"openai\", \"model\": \"m\", \"temperature\": \"hot\"}"))
        .isInstanceOf(org.embench.UserException.class)
        .hasMessage("openai.temperature: expected a number, got 'hot' (a string)");
  }
}
