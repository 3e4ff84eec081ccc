package org.embench.stage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A line naming the hardware a run used (runs.device), so costs are compared on like hardware. */
public final class Device {
  private Device() {}

  public static String describe() {
    String cpu = "unknown CPU";
    try (var lines = Files.lines(Path.of("/proc/cpuinfo"))) {
      cpu =
          lines
              .filter(l -> l.startsWith("model name"))
              .findFirst()
              .map(l -> l.substring(l.indexOf(':') + 1).trim())
              .orElse(cpu);
    } catch (IOException | RuntimeException e) {
      // not Linux: the OS name below still says something
      cpu = System.getProperty("os.arch") + " CPU";
    }
    return cpu + ", " + Runtime.getRuntime().availableProcessors() + " cores";
  }
}
