package org.embench.train;

/**
 * Learning-rate multipliers as Hugging Face's schedulers compute them for optimizer step {@code
 * step} (0-based): linear warm-up from 0, then linear decay to 0 or a half cosine, or constant
 * after warm-up.
 */
final class Schedules {
  private Schedules() {}

  static double multiplier(String schedule, int step, int warmup, int total) {
    if (step < warmup) {
      return (double) step / Math.max(1, warmup);
    }
    double progress = (double) (step - warmup) / Math.max(1, total - warmup);
    return switch (schedule) {
      case "linear" -> Math.max(0, 1 - progress);
      case "cosine" -> Math.max(0, 0.5 * (1 + Math.cos(Math.PI * progress)));
      case "constant" -> 1;
      default -> throw new IllegalArgumentException("unknown schedule " + schedule);
    };
  }
}
