package org.embench.train;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HeapPeakTest {
  @Test
  void countsWhatIsLiveAtACollection() throws InterruptedException {
    int bytes = 192 << 20;
    try (HeapPeak heap = HeapPeak.start()) {
      byte[] live = new byte[bytes];
      live[bytes - 1] = 1;
      System.gc();
      // Collection notifications arrive on another thread shortly after the collection.
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (heap.peakBytes() < bytes && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(heap.peakBytes()).isGreaterThanOrEqualTo(bytes);
      assertThat(live[bytes - 1]).isEqualTo((byte) 1);
    }
  }
}
