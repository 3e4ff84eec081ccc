package org.embench.model;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RecursiveAction;
import java.util.function.IntConsumer;

/**
 * Splits index ranges over a fixed number of threads. The engine sizes it to cores ÷ concurrent
 * Spark tasks, so tasks do not oversubscribe the machine.
 */
public final class Parallel {
  /** The body of a range loop: handles indices [from, to). */
  @FunctionalInterface
  public interface RangeBody {
    void run(int from, int to);
  }

  private final int threads;
  private final ForkJoinPool pool;

  public Parallel(int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be at least 1, got " + threads);
    }
    this.threads = threads;
    this.pool = threads == 1 ? null : new ForkJoinPool(threads);
  }

  public int threads() {
    return threads;
  }

  /** Runs {@code body} over [0, n) in about {@code threads × 4} chunks. */
  public void range(int n, RangeBody body) {
    if (n <= 0) {
      return;
    }
    if (pool == null || n == 1) {
      body.run(0, n);
      return;
    }
    int chunks = Math.min(n, threads * 4);
    pool.invoke(new Chunk(body, n, 0, chunks, chunks));
  }

  /** Runs {@code body} for each index of [0, n). */
  public void each(int n, IntConsumer body) {
    range(
        n,
        (from, to) -> {
          for (int i = from; i < to; i++) {
            body.accept(i);
          }
        });
  }

  private static final class Chunk extends RecursiveAction {
    private static final long serialVersionUID = 1L;
    private final transient RangeBody body;
    private final int n;
    private final int first;
    private final int last;
    private final int chunks;

    Chunk(RangeBody body, int n, int first, int last, int chunks) {
      this.body = body;
      this.n = n;
      this.first = first;
      this.last = last;
      this.chunks = chunks;
    }

    @Override
    protected void compute() {
      if (last - first == 1) {
        body.run((int) ((long) n * first / chunks), (int) ((long) n * last / chunks));
        return;
      }
      int mid = (first + last) >>> 1;
      invokeAll(new Chunk(body, n, first, mid, chunks), new Chunk(body, n, mid, last, chunks));
    }
  }

  public void shutdown() {
    if (pool != null) {
      pool.shutdown();
    }
  }
}
