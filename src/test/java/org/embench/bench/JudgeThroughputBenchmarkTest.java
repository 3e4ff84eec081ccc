package org.embench.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/**
 * The benchmark runs and reports consistent figures; how fast is for `bench judge`, not for a test.
 */
class JudgeThroughputBenchmarkTest {
  @Test
  void judgesEveryRequestAndReportsItsFractionOfTheBound() {
    var r = JudgeThroughputBenchmark.run(120, 10, 8);
    assertThat(r.failures()).isZero();
    assertThat(r.boundPerSecond()).isEqualTo(800.0);
    assertThat(r.judgmentsPerSecond()).isCloseTo(120 / r.seconds(), within(1e-9));
    assertThat(r.fractionOfBound()).isPositive().isLessThan(1.05);
    assertThat(r.describe())
        .startsWith("120 judgments in ")
        .contains("% of the 800/s bound (0 failed)");
  }
}
