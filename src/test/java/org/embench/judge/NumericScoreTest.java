package org.embench.judge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NumericScoreTest {
  private static TokenLogprob t(String token, double p) {
    return new TokenLogprob(token, Math.log(p));
  }

  @Test
  void expectedValueOverIntegerTokens() {
    var s =
        NumericScore.aggregate(
            List.of(t("80", 0.5), t("90", 0.3), t("The", 0.1), t("100", 0.05)), 0.25);
    assertThat(s.numericMass()).isCloseTo(0.85, within(1e-12));
    assertThat(s.score()).isCloseTo((80 * 0.5 + 90 * 0.3 + 100 * 0.05) / 0.85, within(1e-12));
    assertThat(s.status()).isEqualTo(VerdictStatus.OK);
  }

  @Test
  void lowNumericMassIsNullNeverZero() {
    var s = NumericScore.aggregate(List.of(t("CODE", 0.8), t("0", 0.1), t("5", 0.1)), 0.25);
    assertThat(s.score()).isNull();
    assertThat(s.numericMass()).isCloseTo(0.2, within(1e-12));
    assertThat(s.status()).isEqualTo(VerdictStatus.LOW_NUMERIC_MASS);
    assertThat(NumericScore.aggregate(List.of(), 0.25).score()).isNull();
  }

  @Test
  void exactlyTheThresholdCounts() {
    var s = NumericScore.aggregate(List.of(t("40", 0.25), t("REFUSAL", 0.75)), 0.25);
    assertThat(s.score()).isCloseTo(40, within(1e-9));
  }

  @Test
  void tokensOutsideZeroToHundredAreIgnored() {
    var s = NumericScore.aggregate(List.of(t("101", 0.4), t("-1", 0.2), t("50", 0.4)), 0.25);
    assertThat(s.score()).isCloseTo(50, within(1e-12));
    assertThat(s.numericMass()).isCloseTo(0.4, within(1e-12));
  }

  /** What Python's int(token) accepts, since upstream keeps exactly those tokens. */
  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      nullValues = "NONE",
      value = {
        "5|5",
        "' 5'|5",
        "'5\t'|5",
        "05|5",
        "+7|7",
        "-0|0",
        "1_0|10",
        "100|100",
        "'٣'|3",
        "'５'|5",
        "5.0|NONE",
        "1e2|NONE",
        "_1|NONE",
        "1_|NONE",
        "1__0|NONE",
        "''|NONE",
        "' '|NONE",
        "I|NONE",
        "+|NONE",
        "0x10|NONE"
      })
  void parsesTokensLikePythonInt(String token, Long expected) {
    assertThat(PythonInt.parse(token)).isEqualTo(expected);
  }
}
