package org.embench.model;

import static org.bytedeco.openblas.global.openblas_nolapack.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.cblas_sgemm;
import static org.bytedeco.openblas.global.openblas_nolapack.cblas_sgemv;

import org.bytedeco.javacpp.FloatPointer;
import org.nd4j.linalg.api.buffer.DataBuffer;

/**
 * CBLAS calls on ND4J's CPU buffers through the OpenBLAS binding ND4J itself uses, without ND4J's
 * per-call checks: measured 4 µs for a 128 × 896 GEMV directly against about 70 µs through ND4J's
 * BLAS wrapper, which a decoding step pays some 170 times per token. Loaded only on the CPU backend
 * (the CUDA build has no OpenBLAS).
 */
final class OpenBlas {
  private OpenBlas() {}

  static FloatPointer pointer(DataBuffer buffer) {
    return new FloatPointer(buffer.addressPointer());
  }

  /** {@code c[m × n] = a[m × k] · b} where b is {@code [n × k]} (transposed) or {@code [k × n]}. */
  static void gemm(
      FloatPointer a, int m, int k, FloatPointer b, int n, boolean transposedB, FloatPointer c) {
    cblas_sgemm(
        CblasRowMajor,
        CblasNoTrans,
        transposedB ? CblasTrans : CblasNoTrans,
        m,
        n,
        k,
        1f,
        a,
        k,
        b,
        transposedB ? k : n,
        0f,
        c,
        n);
  }

  /** The general case: {@code c = op(a) · op(b) + beta · c}, row-major. */
  static void gemm(
      boolean transA,
      boolean transB,
      int m,
      int n,
      int k,
      FloatPointer a,
      FloatPointer b,
      float beta,
      FloatPointer c) {
    cblas_sgemm(
        CblasRowMajor,
        transA ? CblasTrans : CblasNoTrans,
        transB ? CblasTrans : CblasNoTrans,
        m,
        n,
        k,
        1f,
        a,
        transA ? m : k,
        b,
        transB ? k : n,
        beta,
        c,
        n);
  }

  /** {@code y[rows] = w[rows × cols] · x[cols]}. */
  static void gemv(FloatPointer w, int rows, int cols, FloatPointer x, FloatPointer y) {
    cblas_sgemv(CblasRowMajor, CblasNoTrans, rows, cols, 1f, w, cols, x, 1, 0f, y, 1);
  }
}
