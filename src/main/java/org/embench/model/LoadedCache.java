package org.embench.model;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.util.function.Function;
import java.util.function.ToLongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a JVM has loaded for its tasks (models, adapters), kept for the next task that needs the
 * same one, up to a number of bytes: an executor that serves many runs over a long job evicts the
 * least useful instead of holding every model and adapter it ever loaded. A task that still uses an
 * evicted entry keeps it; the memory goes when the last task lets go.
 */
public final class LoadedCache<V> {
  private static final Logger LOG = LoggerFactory.getLogger(LoadedCache.class);

  private final Cache<String, V> cache;
  private final long maxBytes;

  /**
   * @param what what the entries are, for the log ("model", "adapter")
   * @param maxBytes the most bytes kept (weights are counted in KiB)
   * @param bytes the size of an entry
   */
  public LoadedCache(String what, long maxBytes, ToLongFunction<V> bytes) {
    this.maxBytes = maxBytes;
    this.cache =
        Caffeine.newBuilder()
            .maximumWeight(Math.max(1, maxBytes >> 10))
            .<String, V>weigher(
                (k, v) ->
                    (int) Math.min(Integer.MAX_VALUE, Math.max(1, bytes.applyAsLong(v) >> 10)))
            // Evict on the caller's thread, so the bound holds when get returns.
            .executor(Runnable::run)
            .removalListener(
                (k, v, cause) -> {
                  if (cause.wasEvicted()) {
                    LOG.info("{} cache: let go of {} to stay under {} MB", what, k, maxBytes >> 20);
                  }
                })
            .build();
  }

  /** A byte bound from a system property, or the default. */
  public static long limit(String property, long defaultBytes) {
    String v = System.getProperty(property);
    if (v == null || v.isBlank()) {
      return defaultBytes;
    }
    try {
      long n = Long.parseLong(v.trim());
      if (n > 0) {
        return n;
      }
    } catch (NumberFormatException e) {
      // the message below
    }
    throw new org.embench.UserException(
        "-D" + property + " must be a positive number of bytes, got '" + v + "'");
  }

  /**
   * The entry of {@code key}, loaded by {@code load} if it is not kept (once, however many tasks
   * ask at once).
   */
  public V get(String key, Function<String, V> load) {
    return cache.get(key, load);
  }

  /** Bytes (in KiB steps) of what is kept now. */
  public long keptBytes() {
    cache.cleanUp();
    return cache.policy().eviction().orElseThrow().weightedSize().orElse(0L) << 10;
  }

  public long maxBytes() {
    return maxBytes;
  }
}
