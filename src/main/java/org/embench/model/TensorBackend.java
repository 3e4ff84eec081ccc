package org.embench.model;

import java.nio.FloatBuffer;

/**
 * Where the engine's heavy tensor work runs: weight matrices live in the backend, activations stay
 * in plain Java arrays, and the backend multiplies the two. Everything else of the forward pass
 * (norms, rotary embeddings, attention over the KV cache, sampling) is plain Java in {@link
 * Transformer}, so a second backend (for GPUs the released ND4J build cannot drive) needs only
 * these operations.
 *
 * <p>Matrices are stored as Hugging Face stores linear weights: {@code [out, in]}, row-major.
 */
public interface TensorBackend extends AutoCloseable {
  /** A weight matrix held by a backend. */
  interface Matrix {
    int rows();

    int cols();

    /** Copies row {@code row} into {@code dst[offset, offset + cols)} (embedding lookup). */
    void copyRow(int row, float[] dst, int offset);

    /** Bytes the matrix occupies in the backend. */
    long bytes();
  }

  /** A line for logs saying what computes and with how many threads. */
  String describe();

  /**
   * Bytes the backend holds outside the JVM heap right now (weights, adapters, staging buffers; on
   * a GPU backend, device memory).
   */
  long offHeapBytes();

  /** Stores a {@code rows × cols} matrix, filled by {@code fill} through a direct buffer. */
  Matrix matrix(String name, int rows, int cols, java.util.function.Consumer<FloatBuffer> fill);

  /** {@code y[m × w.rows] = x[m × w.cols] · wᵀ}: a linear layer over m rows. */
  void matmulTransposed(float[] x, int m, Matrix w, float[] y);

  /**
   * {@code out[m × gate.rows] = silu(x · gateᵀ) ⊙ (x · upᵀ)}: the hidden activation of a gated
   * (SwiGLU) MLP, with silu(g) = g / (1 + e^-g).
   */
  void swiGlu(float[] x, int m, Matrix gate, Matrix up, float[] out);

  /** {@code y[m × w.cols] = x[m × w.rows] · w}: the input gradient of a linear layer. */
  void matmul(float[] x, int m, Matrix w, float[] y);

  /**
   * {@code c[m × n] = op(a) · op(b)} (+ c when {@code accumulate}) on Java arrays, with op the
   * transpose when asked: a is {@code [m × k]} or, transposed, {@code [k × m]}; b is {@code [k ×
   * n]} or, transposed, {@code [n × k]}. For products of activations and trainable parameters.
   */
  void gemm(
      boolean transA,
      boolean transB,
      int m,
      int n,
      int k,
      float[] a,
      float[] b,
      float[] c,
      boolean accumulate);

  /**
   * Runs {@code work}, which calls {@link #gemm} from several threads at once (many small
   * independent products, such as attention per head), with each product on a single BLAS thread so
   * that the callers do not compete for the BLAS thread pool. The ND4J backend does this by setting
   * OpenBLAS's thread count, which is JVM-wide: calls are serialised, and other engine work in the
   * same JVM during {@code work} runs its products on one BLAS thread.
   */
  void concurrentProducts(Runnable work);

  @Override
  void close();
}
