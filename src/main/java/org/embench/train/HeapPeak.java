package org.embench.train;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import javax.management.ListenerNotFoundException;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * The JVM heap a run needs: the most heap in use right after any garbage collection while it is
 * open, that is, live data (plus what the collection left, such as old-generation garbage after a
 * young collection). Heap in use at an arbitrary moment mostly measures how long ago the collector
 * last ran; measured on bench train, it moved between 1.9 and 3.4 GB across identical runs. When no
 * collection runs while it is open, {@link #peakBytes} falls back to the most heap in use at the
 * moments given to {@link #sample}. The heap is the JVM's: other work in the same JVM counts too.
 */
final class HeapPeak implements AutoCloseable {
  private final AtomicLong afterGc = new AtomicLong(-1);
  private final AtomicLong sampled = new AtomicLong();
  private final List<NotificationEmitter> emitters = new ArrayList<>();
  private final NotificationListener listener;

  private HeapPeak() {
    Set<String> heapPools =
        ManagementFactory.getMemoryPoolMXBeans().stream()
            .filter(p -> p.getType() == MemoryType.HEAP)
            .map(MemoryPoolMXBean::getName)
            .collect(Collectors.toSet());
    listener =
        (Notification n, Object handback) -> {
          if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(
              n.getType())) {
            return;
          }
          GarbageCollectionNotificationInfo info =
              GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
          long used = 0;
          for (Map.Entry<String, MemoryUsage> pool :
              info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
            if (heapPools.contains(pool.getKey())) {
              used += pool.getValue().getUsed();
            }
          }
          afterGc.accumulateAndGet(used, Math::max);
        };
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      if (gc instanceof NotificationEmitter emitter) {
        emitter.addNotificationListener(listener, null, null);
        emitters.add(emitter);
      }
    }
  }

  /** Starts watching the collections. */
  static HeapPeak start() {
    return new HeapPeak();
  }

  /** Notes the heap in use now (the fallback when no collection runs). */
  void sample() {
    Runtime rt = Runtime.getRuntime();
    sampled.accumulateAndGet(rt.totalMemory() - rt.freeMemory(), Math::max);
  }

  /** The most heap in use after a collection so far, or the most sampled when none ran. */
  long peakBytes() {
    long gc = afterGc.get();
    return gc >= 0 ? gc : sampled.get();
  }

  @Override
  public void close() {
    for (NotificationEmitter e : emitters) {
      try {
        e.removeNotificationListener(listener);
      } catch (ListenerNotFoundException ignored) {
        // already gone
      }
    }
  }
}
