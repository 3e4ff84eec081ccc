package org.embench.judge;

import dev.failsafe.RateLimiter;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Semaphore;

/**
 * The limits an HTTP judge keeps. Requests in flight are capped per JVM (one Spark executor): the
 * tasks of an executor judging with the same judge share one semaphore. Request and token rates are
 * cluster-wide figures, so each task takes its share, the rate divided by the number of tasks
 * running at once; the limiters are smooth (evenly spaced permits, no burst at the start of a
 * minute) and a request reserves its permits rather than blocking, so retries scheduled on other
 * threads obey the same limits.
 */
final class CallLimits {
  private static final ConcurrentMap<String, Semaphore> IN_FLIGHT = new ConcurrentHashMap<>();
  private static final long NANOS_PER_MINUTE = Duration.ofMinutes(1).toNanos();

  private final Semaphore inFlight;
  private final RateLimiter<Object> requests;
  private final RateLimiter<Object> tokens;

  /**
   * @param judgeId the judge's id; judges with the same id and concurrency share the in-flight cap
   * @param requestsPerMinute cluster-wide request rate; 0 for none
   * @param tokensPerMinute cluster-wide token rate; 0 for none
   * @param concurrentTasks tasks sharing the cluster-wide rates at once
   */
  CallLimits(
      String judgeId,
      int concurrency,
      int requestsPerMinute,
      int tokensPerMinute,
      int concurrentTasks) {
    this.inFlight =
        IN_FLIGHT.computeIfAbsent(
            judgeId + "/" + concurrency, k -> new Semaphore(concurrency, true));
    this.requests = smooth(requestsPerMinute, concurrentTasks);
    this.tokens = smooth(tokensPerMinute, concurrentTasks);
  }

  private static RateLimiter<Object> smooth(int perMinute, int concurrentTasks) {
    if (perMinute <= 0) {
      return null;
    }
    long interval = Math.max(1, NANOS_PER_MINUTE * concurrentTasks / perMinute);
    return RateLimiter.smoothBuilder(Duration.ofNanos(interval)).build();
  }

  /** Waits for a free in-flight slot. */
  void acquireSlot() throws InterruptedException {
    inFlight.acquire();
  }

  void releaseSlot() {
    inFlight.release();
  }

  /**
   * Reserves one request carrying about {@code tokenEstimate} tokens; returns how long to wait
   * before sending it.
   */
  Duration reserve(int tokenEstimate) {
    Duration wait = requests == null ? Duration.ZERO : requests.reservePermit();
    if (tokens != null) {
      Duration tokenWait = tokens.reservePermits(Math.max(1, tokenEstimate));
      wait = tokenWait.compareTo(wait) > 0 ? tokenWait : wait;
    }
    return wait;
  }
}
