package org.embench.judge;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpHeaders;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RetryAfterTest {
  private static final Instant NOW = Instant.parse("2025-03-01T12:00:00Z");

  private static Duration of(Map<String, String> headers) {
    Map<String, List<String>> multi = new HashMap<>();
    headers.forEach((k, v) -> multi.put(k, List.of(v)));
    return RetryAfter.of(HttpHeaders.of(multi, (k, v) -> true), NOW);
  }

  @Test
  void secondsDatesAndMilliseconds() {
    assertThat(of(Map.of("Retry-After", "7"))).isEqualTo(Duration.ofSeconds(7));
    assertThat(of(Map.of("retry-after", " 1.5 "))).isEqualTo(Duration.ofMillis(1500));
    assertThat(of(Map.of("Retry-After", "Sat, 01 Mar 2025 12:00:30 GMT")))
        .isEqualTo(Duration.ofSeconds(30));
    assertThat(of(Map.of("Retry-After", "Sat, 01 Mar 2025 11:59:00 GMT")))
        .as("a date in the past")
        .isZero();
    assertThat(of(Map.of("retry-after-ms", "250", "Retry-After", "9")))
        .as("milliseconds win")
        .isEqualTo(Duration.ofMillis(250));
  }

  @Test
  void unreadableOrAbsentMeansNoneAndHugeWaitsAreCut() {
    assertThat(of(Map.of())).isNull();
    for (String bad : List.of("soon", "-3", "NaN", "1e3", "0x10", "Infinity", "")) {
      assertThat(of(Map.of("Retry-After", bad))).as(bad).isNull();
    }
    assertThat(of(Map.of("Retry-After", "86400"))).isEqualTo(RetryAfter.MAX);
  }
}
