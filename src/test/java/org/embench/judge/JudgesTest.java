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
}
