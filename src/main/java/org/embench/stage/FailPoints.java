package org.embench.stage;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Named points between the writes of a stage where tests make the stage fail, to show that a re-run
 * after a failure half-way stores exactly the rows of an uninterrupted run. Unarmed points cost a
 * set lookup.
 */
public final class FailPoints {
  private static final Set<String> ARMED = ConcurrentHashMap.newKeySet();

  private FailPoints() {}

  public static void arm(String point) {
    ARMED.add(point);
  }

  public static void disarmAll() {
    ARMED.clear();
  }

  public static void reached(String point) {
    if (ARMED.remove(point)) {
      throw new IllegalStateException("injected failure at " + point);
    }
  }
}
