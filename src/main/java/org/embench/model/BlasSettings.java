package org.embench.model;

import com.sun.jna.Library;
import com.sun.jna.Native;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sets two OpenBLAS environment variables before ND4J loads OpenBLAS; a value the user set is kept.
 *
 * <ul>
 *   <li>{@code OPENBLAS_CORETYPE}, from the CPU's features. The OpenBLAS 0.3.19 that ND4J
 *       1.0.0-M2.1 ships identifies CPUs by model number and falls back to its generic "Prescott"
 *       (SSE3) kernels on CPUs newer than it knows, such as Sapphire Rapids: measured here, GEMM at
 *       the decode shapes ran 3-4× slower (50 vs 171 GFLOP/s at 64 × 896 × 4864 on 2 cores).
 *   <li>{@code OPENBLAS_THREAD_TIMEOUT=4}: OpenBLAS's worker threads spin for 2^28 cycles after
 *       each call by default, taking the cores from the engine's Java threads between products
 *       (measured: attention 154 → 110 ms and SwiGLU 58 → 45 ms per batch-64 decode step).
 * </ul>
 */
final class BlasSettings {
  static final String CORETYPE = "OPENBLAS_CORETYPE";
  static final String THREAD_TIMEOUT = "OPENBLAS_THREAD_TIMEOUT";
  private static final Logger LOG = LoggerFactory.getLogger(BlasSettings.class);
  private static boolean done;

  private BlasSettings() {}

  /** The C library's setenv, so native code loaded later sees the variable. */
  interface CLibrary extends Library {
    int setenv(String name, String value, int overwrite);
  }

  /** Sets the variables once, before the first ND4J call; a no-op where it cannot apply. */
  static synchronized void ensure() {
    if (done) {
      return;
    }
    done = true;
    String core = coreFor(cpuFlags());
    if (core != null) {
      set(CORETYPE, core, "from the CPU's features");
    }
    set(THREAD_TIMEOUT, "4", "so idle BLAS threads sleep instead of spinning");
  }

  private static void set(String name, String value, String why) {
    String already = System.getenv(name);
    if (already != null && !already.isBlank()) {
      LOG.info("OpenBLAS: {}={} (set by the environment)", name, already);
      return;
    }
    try {
      Native.load("c", CLibrary.class).setenv(name, value, 0);
      LOG.info("OpenBLAS: {}={} {}", name, value, why);
    } catch (UnsatisfiedLinkError | RuntimeException e) {
      LOG.warn("could not set {} ({}); OpenBLAS keeps its default", name, e.getMessage());
    }
  }

  /** The OpenBLAS core whose kernels the CPU's instruction set runs; null to leave it alone. */
  static String coreFor(Set<String> flags) {
    if (flags.containsAll(Set.of("avx512f", "avx512bw", "avx512vl", "avx512dq"))) {
      return "SKYLAKEX";
    }
    if (flags.containsAll(Set.of("avx2", "fma"))) {
      return "HASWELL";
    }
    return null;
  }

  private static Set<String> cpuFlags() {
    Path cpuinfo = Path.of("/proc/cpuinfo");
    if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")
        || !Files.isReadable(cpuinfo)) {
      return Set.of();
    }
    try (var lines = Files.lines(cpuinfo)) {
      return lines
          .filter(l -> l.startsWith("flags"))
          .findFirst()
          .map(l -> Set.of(l.substring(l.indexOf(':') + 1).trim().split("\\s+")))
          .orElse(Set.of());
    } catch (IOException e) {
      return Set.of();
    }
  }
}
