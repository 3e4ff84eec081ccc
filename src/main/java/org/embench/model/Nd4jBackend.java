package org.embench.model;

import java.lang.reflect.Field;
import java.nio.FloatBuffer;
import java.util.function.Consumer;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ND4J backend: weights in ND4J off-heap memory, products through ND4J's BLAS GEMM. A product
 * over very few rows (decoding one sequence) is bandwidth-bound, and BLAS GEMM reads the weights
 * there at a fraction of the machine's bandwidth (it packs them first), so rows up to
 * {@link #DIRECT_ROWS} are multiplied by a Java loop that streams the weights straight from their
 * off-heap address.
 *
 * <p>Numerics: BLAS rounds a row's result differently depending on how many rows are multiplied
 * together (measured: about 1e-6 relative), and so does the direct loop; results agree with the
 * double-precision reference within 1e-4 either way.
 */
public final class Nd4jBackend implements TensorBackend {
  /** Products with at most this many rows use the direct loop instead of BLAS. */
  static final int DIRECT_ROWS = 4;
  private static final Logger LOG = LoggerFactory.getLogger(Nd4jBackend.class);
  private static final sun.misc.Unsafe UNSAFE = unsafe();
  private static final long FLOAT_ARRAY = UNSAFE.arrayBaseOffset(float[].class);

  private final Parallel parallel;
  private final ThreadLocal<Staging> staging = ThreadLocal.withInitial(Staging::new);

  public Nd4jBackend(int threads) {
    this.parallel = new Parallel(threads);
    Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
    Nd4j.getEnvironment().setMaxThreads(threads);
    Nd4j.factory().blas().setMaxThreads(threads);
    LOG.info("tensor backend: {}", describe());
  }

  @Override
  public String describe() {
    return "ND4J " + Nd4j.getBackend().getClass().getSimpleName() + " (" + Nd4j.factory().blas().getBlasVendor()
        + " GEMM), " + parallel.threads() + " thread(s)";
  }

  /** A weight matrix in ND4J memory; the INDArray is kept so its memory stays alive. */
  static final class Nd4jMatrix implements Matrix {
    final INDArray array;
    final long address;
    private final int rows;
    private final int cols;

    Nd4jMatrix(INDArray array, int rows, int cols) {
      this.array = array;
      this.address = array.data().addressPointer().address();
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
      UNSAFE.copyMemory(null, address + 4L * row * cols, dst, FLOAT_ARRAY + 4L * offset, 4L * cols);
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
      throw new IllegalStateException(name + ": filled " + view.position() + " of " + (long) rows * cols + " values");
    }
    return new Nd4jMatrix(a, rows, cols);
  }

  @Override
  public void matmulTransposed(float[] x, int m, Matrix w, float[] y) {
    Nd4jMatrix mat = (Nd4jMatrix) w;
    if (m <= DIRECT_ROWS) {
      direct(x, m, mat, y);
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
    INDArray a = s.input(m, in);
    INDArray c = s.output(m, out);
    a.data().asNioFloat().put(x, 0, m * in);
    Nd4j.gemm(a, w.array, c, false, transposed, 1.0, 0.0);
    c.data().asNioFloat().get(y, 0, m * out);
  }

  /** y = x · wᵀ for a few rows, reading each weight row once for all of them. */
  private void direct(float[] x, int m, Nd4jMatrix w, float[] y) {
    int cols = w.cols;
    int rows = w.rows;
    long base = w.address;
    parallel.range(rows, (from, to) -> {
      for (int r = from; r < to; r++) {
        long row = base + 4L * r * cols;
        for (int i = 0; i < m; i++) {
          y[i * rows + r] = dot(row, x, i * cols, cols);
        }
      }
    });
  }

  /** Eight partial sums: enough independent additions to keep the loads streaming. */
  private static float dot(long row, float[] x, int xo, int n) {
    float s0 = 0;
    float s1 = 0;
    float s2 = 0;
    float s3 = 0;
    float s4 = 0;
    float s5 = 0;
    float s6 = 0;
    float s7 = 0;
    int k = 0;
    for (; k + 8 <= n; k += 8) {
      long p = row + 4L * k;
      s0 += UNSAFE.getFloat(p) * x[xo + k];
      s1 += UNSAFE.getFloat(p + 4) * x[xo + k + 1];
      s2 += UNSAFE.getFloat(p + 8) * x[xo + k + 2];
      s3 += UNSAFE.getFloat(p + 12) * x[xo + k + 3];
      s4 += UNSAFE.getFloat(p + 16) * x[xo + k + 4];
      s5 += UNSAFE.getFloat(p + 20) * x[xo + k + 5];
      s6 += UNSAFE.getFloat(p + 24) * x[xo + k + 6];
      s7 += UNSAFE.getFloat(p + 28) * x[xo + k + 7];
    }
    for (; k < n; k++) {
      s0 += UNSAFE.getFloat(row + 4L * k) * x[xo + k];
    }
    return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
  }

  /** Per-thread input and output buffers in ND4J memory, grown as needed and reused. */
  private static final class Staging {
    private DataBuffer in;
    private DataBuffer out;

    INDArray input(int m, int n) {
      if (in == null || in.length() < (long) m * n) {
        in = Nd4j.createBuffer(DataType.FLOAT, Math.max((long) m * n, in == null ? 0 : in.length() * 2), false);
      }
      return Nd4j.create(in, new long[] {m, n}, new long[] {n, 1}, 0, 'c', DataType.FLOAT);
    }

    INDArray output(int m, int n) {
      if (out == null || out.length() < (long) m * n) {
        out = Nd4j.createBuffer(DataType.FLOAT, Math.max((long) m * n, out == null ? 0 : out.length() * 2), false);
      }
      return Nd4j.create(out, new long[] {m, n}, new long[] {n, 1}, 0, 'c', DataType.FLOAT);
    }
  }

  @Override
  public void close() {
    parallel.shutdown();
  }

  private static sun.misc.Unsafe unsafe() {
    try {
      Field f = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
      f.setAccessible(true);
      return (sun.misc.Unsafe) f.get(null);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("sun.misc.Unsafe is not available in this JVM", e);
    }
  }
}
