package org.embench.judge;

import java.net.http.HttpHeaders;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.regex.Pattern;

/**
 * How long a server asked us to wait: {@code retry-after-ms} (milliseconds, sent by OpenAI and some
 * compatible servers) or {@code Retry-After} in seconds or as an HTTP date (RFC 9110).
 */
final class RetryAfter {
  /** A longer wait is cut to this, so one odd header cannot park a task for hours. */
  static final Duration MAX = Duration.ofMinutes(2);

  private static final Pattern DECIMAL = Pattern.compile("\\d{1,15}(\\.\\d{1,9})?");

  private RetryAfter() {}

  /**
   * The requested wait, at most {@link #MAX}; null when the headers ask for none or cannot be read.
   */
  static Duration of(HttpHeaders headers, Instant now) {
    Duration d = headers.firstValue("retry-after-ms").map(v -> seconds(v, 1e-3)).orElse(null);
    if (d == null) {
      d = headers.firstValue("retry-after").map(v -> parse(v, now)).orElse(null);
    }
    return d == null ? null : d.compareTo(MAX) > 0 ? MAX : d;
  }

  static Duration parse(String value, Instant now) {
    Duration seconds = seconds(value, 1);
    if (seconds != null) {
      return seconds;
    }
    try {
      Instant at =
          ZonedDateTime.parse(value.strip(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
      return at.isAfter(now) ? Duration.between(now, at) : Duration.ZERO;
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  /** A plain decimal number of units (not Java's wider syntax: no signs, exponents or "NaN"). */
  private static Duration seconds(String value, double unit) {
    String v = value.strip();
    if (!DECIMAL.matcher(v).matches()) {
      return null;
    }
    return Duration.ofNanos((long) Math.min(Double.parseDouble(v) * unit * 1e9, Long.MAX_VALUE));
  }
}
