package org.embench.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.embench.UserException;
import org.junit.jupiter.api.Test;

class LoadedCacheTest {
  /** A loaded thing of a given size. */
  record Blob(String name, long bytes) {}

  @Test
  void keepsWhatFitsAndLetsGoOfTheRest() {
    List<String> loads = new ArrayList<>();
    LoadedCache<Blob> cache = new LoadedCache<>("blob", 5 << 10, Blob::bytes);
    Blob first =
        cache.get(
            "a",
            k -> {
              loads.add(k);
              return new Blob(k, 2 << 10);
            });
    // Kept: the second task asking for it gets the same one without loading it again.
    assertThat(
            cache.get(
                "a",
                k -> {
                  loads.add(k);
                  return new Blob(k, 2 << 10);
                }))
        .isSameAs(first);
    for (String k : List.of("b", "c", "d", "e")) {
      cache.get(
          k,
          key -> {
            loads.add(key);
            return new Blob(key, 2 << 10);
          });
      assertThat(cache.keptBytes()).isLessThanOrEqualTo(5 << 10);
    }
    assertThat(loads).containsExactly("a", "b", "c", "d", "e");
    // Two of 2 KiB fit under 5 KiB; the others were let go.
    assertThat(cache.keptBytes()).isEqualTo(4 << 10);
  }

  @Test
  void theBoundComesFromAPropertyThatMustBeAPositiveNumber() {
    String property = "embench.test.cacheBytes";
    assertThat(LoadedCache.limit(property, 7)).isEqualTo(7);
    System.setProperty(property, "123");
    try {
      assertThat(LoadedCache.limit(property, 7)).isEqualTo(123);
      System.setProperty(property, "lots");
      assertThatThrownBy(() -> LoadedCache.limit(property, 7))
          .isInstanceOf(UserException.class)
          .hasMessageContaining(
              "-Dembench.test.cacheBytes must be a positive number of bytes, got 'lots'");
    } finally {
      System.clearProperty(property);
    }
  }
}
