package org.embench.model;

import java.nio.FloatBuffer;
import java.util.function.Consumer;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Swish;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ND4J backend: weights in ND4J off-heap memory, products through ND4J's BLAS. One or two rows
 * (decoding one sequence) go through GEMV, which streams the weights at the machine's read
 * bandwidth; GEMM packs the weights first and reads them at about a third of that (measured: 27 vs
 * 9 GB/s on a 1 GB matrix), which only pays off once several rows share each read.
 *
 * <p>Numerics: BLAS rounds a row's result differently depending on the routine and on how many rows
 * are multiplied together (about 1e-6 relative); results agree with the double-precision reference
 * within 1e-4 either way.
 */
public final class Nd4jBackend implements TensorBackend {
  /** Products with at most this many rows run one GEMV per row instead of a GEMM. */
  static final int GEMV_ROWS = 2;

  private static final Logger LOG = LoggerFactory.getLogger(Nd4jBackend.class);

  private final int threads;

  /** Whether OpenBLAS is called directly (the CPU backend) rather than through ND4J. */
  private final boolean directBlas;

  /**
   * Bytes of ND4J memory held by live matrices and staging buffers (ND4J's CPU backend does not
   * count them).
   */
  private static final java.util.concurrent.atomic.AtomicLong HELD =
      new java.util.concurrent.atomic.AtomicLong();

  private static final java.lang.ref.Cleaner CLEANER = java.lang.ref.Cleaner.create();
  private final ThreadLocal<Staging> staging = ThreadLocal.withInitial(Staging::new);

  public Nd4jBackend(int threads) {
    BlasSettings.ensure();
    this.threads = threads;
    this.directBlas = Nd4j.getBackend().getClass().getSimpleName().equals("CpuBackend");
    Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
    Nd4j.getEnvironment().setMaxThreads(threads);
    Nd4j.factory().blas().setMaxThreads(threads);
    LOG.info("tensor backend: {}", describe());
  }

  @Override
  public String describe() {
    return "ND4J "
        + Nd4j.getBackend().getClass().getSimpleName()
        + " ("
        + Nd4j.factory().blas().getBlasVendor()
        + " BLAS), "
        + threads
        + " thread(s)";
  }

  /** A weight matrix in ND4J memory. */
  final class Nd4jMatrix implements Matrix {
    final INDArray array;
    final org.bytedeco.javacpp.FloatPointer pointer;
    private final int rows;
    private final int cols;

    Nd4jMatrix(INDArray array, int rows, int cols) {
      this.array = array;
      this.pointer = directBlas ? OpenBlas.pointer(array.data()) : null;
      this.rows = rows;
      this.cols = cols;
    }

    @Override
    public int rows() {
      return rows;
    }

    @Override
    public int cols() {
      return cols;
    }

    @Override
    public void copyRow(int row, float[] dst, int offset) {
      if (row < 0 || row >= rows) {
        throw new IndexOutOfBoundsException("row " + row + " of a " + rows + "-row matrix");
      }
      FloatBuffer view = array.data().asNioFloat();
      view.position(row * cols);
      view.get(dst, offset, cols);
    }

    @Override
    public long bytes() {
      return 4L * rows * cols;
    }
  }

  @Override
  public Matrix matrix(String name, int rows, int cols, Consumer<FloatBuffer> fill) {
    INDArray a = Nd4j.createUninitialized(DataType.FLOAT, rows, cols);
    FloatBuffer view = a.data().asNioFloat();
    fill.accept(view);
    if (view.position() != (long) rows * cols) {
      throw new IllegalStateException(
          name + ": filled " + view.position() + " of " + (long) rows * cols + " values");
    }
    Nd4jMatrix m = new Nd4jMatrix(a, rows, cols);
    long bytes = m.bytes();
    HELD.addAndGet(bytes);
    CLEANER.register(m, () -> HELD.addAndGet(-bytes));
    return m;
  }

  @Override
  public void concurrentProducts(Runnable work) {
    synchronized (Nd4jBackend.class) {
      // Measured on bench train: per-head attention products called from two Java threads, each
      // asking OpenBLAS for its whole pool, ran at about a tenth of the single-threaded rate.
      Nd4j.factory().blas().setMaxThreads(1);
      try {
        work.run();
      } finally {
        Nd4j.factory().blas().setMaxThreads(threads);
      }
    }
  }

  @Override
  public long offHeapBytes() {
    return HELD.get();
  }

  @Override
  public void matmulTransposed(float[] x, int m, Matrix w, float[] y) {
    Nd4jMatrix mat = (Nd4jMatrix) w;
    if (m <= GEMV_ROWS) {
      gemv(x, m, mat, y);
      return;
    }
    gemm(x, m, mat, y, true);
  }

  @Override
  public void matmul(float[] x, int m, Matrix w, float[] y) {
    gemm(x, m, (Nd4jMatrix) w, y, false);
  }

  private void gemm(float[] x, int m, Nd4jMatrix w, float[] y, boolean transposed) {
    int in = transposed ? w.cols : w.rows;
    int out = transposed ? w.rows : w.cols;
    Staging s = staging.get();
    INDArray a = s.array(Staging.INPUT, m, in);
    INDArray c = s.array(Staging.OUTPUT, m, out);
    a.data().asNioFloat().put(x, 0, m * in);
    product(s, Staging.INPUT, a, m, in, w, transposed, Staging.OUTPUT, c);
    c.data().asNioFloat().get(y, 0, m * out);
  }

  @Override
  public void gemm(
      boolean transA,
      boolean transB,
      int m,
      int n,
      int k,
      float[] a,
      float[] b,
      float[] c,
      boolean accumulate) {
    Staging s = staging.get();
    INDArray sa = s.array(Staging.INPUT, transA ? k : m, transA ? m : k);
    INDArray sb = s.array(Staging.EXTRA, transB ? n : k, transB ? k : n);
    INDArray sc = s.array(Staging.OUTPUT, m, n);
    sa.data().asNioFloat().put(a, 0, m * k);
    sb.data().asNioFloat().put(b, 0, k * n);
    if (accumulate) {
      sc.data().asNioFloat().put(c, 0, m * n);
    }
    if (directBlas) {
      OpenBlas.gemm(
          transA,
          transB,
          m,
          n,
          k,
          s.pointer(Staging.INPUT),
          s.pointer(Staging.EXTRA),
          accumulate ? 1f : 0f,
          s.pointer(Staging.OUTPUT));
    } else {
      Nd4j.gemm(sa, sb, sc, transA, transB, 1.0, accumulate ? 1.0 : 0.0);
    }
    sc.data().asNioFloat().get(c, 0, m * n);
  }

  /** c = a · w (or · wᵀ) on staged arrays, directly through OpenBLAS on the CPU backend. */
  private void product(
      Staging s,
      int aSlot,
      INDArray a,
      int m,
      int in,
      Nd4jMatrix w,
      boolean transposed,
      int cSlot,
      INDArray c) {
    if (directBlas) {
      OpenBlas.gemm(
          s.pointer(aSlot),
          m,
          in,
          w.pointer,
          transposed ? w.rows : w.cols,
          transposed,
          s.pointer(cSlot));
    } else {
      Nd4j.gemm(a, w.array, c, false, transposed, 1.0, 0.0);
    }
  }

  @Override
  public void swiGlu(float[] x, int m, Matrix gate, Matrix up, float[] out) {
    Nd4jMatrix g = (Nd4jMatrix) gate;
    Nd4jMatrix u = (Nd4jMatrix) up;
    int inter = g.rows;
    if (m <= GEMV_ROWS) {
      float[] upOut = new float[m * inter];
      gemv(x, m, g, out);
      gemv(x, m, u, upOut);
      Ops.siluMul(out, upOut, 0, m * inter);
      return;
    }
    // Both products and the gating stay in ND4J memory; only the result is copied out.
    Staging s = staging.get();
    INDArray a = s.array(Staging.INPUT, m, g.cols);
    INDArray gOut = s.array(Staging.OUTPUT, m, inter);
    INDArray uOut = s.array(Staging.EXTRA, m, inter);
    a.data().asNioFloat().put(x, 0, m * g.cols);
    product(s, Staging.INPUT, a, m, g.cols, g, true, Staging.OUTPUT, gOut);
    product(s, Staging.INPUT, a, m, g.cols, u, true, Staging.EXTRA, uOut);
    Nd4j.exec(new Swish(gOut, gOut));
    gOut.muli(uOut);
    gOut.data().asNioFloat().get(out, 0, m * inter);
  }

  /** y = x · wᵀ one row at a time: y_i = W x_i. */
  private void gemv(float[] x, int m, Nd4jMatrix w, float[] y) {
    Staging s = staging.get();
    INDArray xv = s.array(Staging.INPUT, 1, w.cols).reshape(w.cols);
    INDArray yv = s.array(Staging.OUTPUT, 1, w.rows).reshape(w.rows);
    for (int i = 0; i < m; i++) {
      xv.data().asNioFloat().put(x, i * w.cols, w.cols);
      if (directBlas) {
        OpenBlas.gemv(
            w.pointer, w.rows, w.cols, s.pointer(Staging.INPUT), s.pointer(Staging.OUTPUT));
      } else {
        Nd4j.getBlasWrapper().level2().gemv('c', 'N', 1.0, w.array, xv, 0.0, yv);
      }
      yv.data().asNioFloat().get(y, i * w.rows, w.rows);
    }
  }

  /** Per-thread buffers in ND4J memory, grown as needed and reused across calls. */
  private static final class Staging {
    static final int INPUT = 0;
    static final int OUTPUT = 1;
    static final int EXTRA = 2;
    private final DataBuffer[] buffers = new DataBuffer[3];
    private final org.bytedeco.javacpp.FloatPointer[] pointers =
        new org.bytedeco.javacpp.FloatPointer[3];

    /** The current buffer's address, for direct BLAS calls (valid until the buffer grows). */
    org.bytedeco.javacpp.FloatPointer pointer(int which) {
      if (pointers[which] == null
          || pointers[which].address() != buffers[which].addressPointer().address()) {
        pointers[which] = OpenBlas.pointer(buffers[which]);
      }
      return pointers[which];
    }

    /** A {@code [m, n]} view over buffer {@code which}. */
    INDArray array(int which, int m, int n) {
      DataBuffer b = buffers[which];
      long need = (long) m * n;
      if (b == null || b.length() < need) {
        long old = b == null ? 0 : b.length();
        b = Nd4j.createBuffer(DataType.FLOAT, Math.max(need, old * 2), false);
        buffers[which] = b;
        long grown = 4 * (b.length() - old);
        HELD.addAndGet(grown);
        CLEANER.register(this, () -> HELD.addAndGet(-grown));
      }
      return Nd4j.create(b, new long[] {m, n}, new long[] {n, 1}, 0, 'c', DataType.FLOAT);
    }
  }

  @Override
  public void close() {
    // ND4J frees its memory when the arrays are collected; nothing else is held.
  }
}
