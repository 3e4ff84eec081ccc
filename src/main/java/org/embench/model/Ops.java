package org.embench.model;

/**
 * The element-wise pieces of a decoder layer, on row-major {@code [rows, dim]} float arrays. Each
 * follows the Hugging Face implementation's order of operations (noted where it matters), so the
 * engine's logits stay within float rounding of it.
 */
public final class Ops {
  private Ops() {}

  /**
   * RMSNorm: {@code out = w * x / sqrt(mean(x²) + eps)} per row; the mean of squares is taken in
   * double (HF upcasts to float32 from half precision; float32 input gains nothing from that, and
   * double keeps long rows exact).
   */
  public static void rmsNorm(float[] x, int rows, int dim, float[] w, double eps, float[] out) {
    for (int r = 0; r < rows; r++) {
      rmsNormRow(x, r * dim, dim, w, eps, out);
    }
  }

  /** RMSNorm of the row starting at {@code offset}. */
  public static void rmsNormRow(
      float[] x, int offset, int dim, float[] w, double eps, float[] out) {
    double ss = 0;
    for (int i = 0; i < dim; i++) {
      ss += (double) x[offset + i] * x[offset + i];
    }
    float inv = (float) (1.0 / Math.sqrt(ss / dim + eps));
    for (int i = 0; i < dim; i++) {
      out[offset + i] = w[i] * (x[offset + i] * inv);
    }
  }

  /** RMSNorm of each {@code dim}-wide group of a row (Qwen3's per-head q/k norm), in place. */
  public static void rmsNormGroups(float[] x, int groups, int dim, float[] w, double eps) {
    rmsNorm(x, groups, dim, w, eps, x);
  }

  /** {@code acc += x}. */
  public static void addInPlace(float[] acc, float[] x, int n) {
    for (int i = 0; i < n; i++) {
      acc[i] += x[i];
    }
  }

  /** Adds a bias of width {@code dim} to every row. */
  public static void addBias(float[] x, int rows, int dim, float[] bias) {
    for (int r = 0; r < rows; r++) {
      int o = r * dim;
      for (int i = 0; i < dim; i++) {
        x[o + i] += bias[i];
      }
    }
  }

  /**
   * SwiGLU on {@code [offset, offset + n)}: {@code gate = silu(gate) * up}, silu(g) = g / (1 +
   * e^-g).
   */
  public static void siluMul(float[] gate, float[] up, int offset, int n) {
    siluMul(gate, up, gate, null, offset, n);
  }

  /**
   * SwiGLU into {@code out} ({@code gate} itself for in-place), keeping {@code sigmoid(gate)} in
   * {@code sigmoid} when it is not null (the backward pass needs it).
   */
  public static void siluMul(
      float[] gate, float[] up, float[] out, float[] sigmoid, int offset, int n) {
    for (int i = offset; i < offset + n; i++) {
      float g = gate[i];
      double e = 1.0 + Math.exp(-g);
      out[i] = (float) (g / e) * up[i];
      if (sigmoid != null) {
        sigmoid[i] = (float) (1 / e);
      }
    }
  }

  /** {@code v} as a float, or 0 when its magnitude is below {@link #FLUSH_BELOW} (see there). */
  public static float flushed(double v) {
    float f = (float) v;
    return Math.abs(f) < FLUSH_BELOW ? 0f : f;
  }

  /**
   * Rotary embedding in the "rotate half" layout of HF Llama/Qwen: for each head, element i and i +
   * d/2 rotate together by the angle of frequency i at the row's position.
   */
  public static void rope(float[] x, int rows, int heads, int headDim, int[] positions, Rope rope) {
    rotate(x, rows, heads, headDim, positions, rope, 1f);
  }

  /** The transpose of {@link #rope} (rotation by the negative angle): its gradient. */
  public static void ropeTranspose(
      float[] x, int rows, int heads, int headDim, int[] positions, Rope rope) {
    rotate(x, rows, heads, headDim, positions, rope, -1f);
  }

  private static void rotate(
      float[] x, int rows, int heads, int headDim, int[] positions, Rope rope, float direction) {
    int half = headDim / 2;
    for (int r = 0; r < rows; r++) {
      float[] cos = rope.cos(positions[r]);
      float[] sin = rope.sin(positions[r]);
      for (int h = 0; h < heads; h++) {
        int o = (r * heads + h) * headDim;
        for (int i = 0; i < half; i++) {
          float a = x[o + i];
          float b = x[o + i + half];
          float sn = direction * sin[i];
          x[o + i] = a * cos[i] - b * sn;
          x[o + i + half] = b * cos[i] + a * sn;
        }
      }
    }
  }

  /**
   * RMSNorm's backward for one row: given y = w ⊙ x·inv with inv = (mean(x²) + eps)^-½ and the
   * gradient dy, adds dx = inv·g − inv³·x·Σ(g⊙x)/dim (g = dy ⊙ w) to {@code dx}.
   */
  public static void rmsNormBackwardRow(
      float[] x,
      int offset,
      int dim,
      float[] w,
      float inv,
      float[] dy,
      int dyOffset,
      float[] dx,
      int dxOffset) {
    double gx = 0;
    for (int i = 0; i < dim; i++) {
      gx += (double) dy[dyOffset + i] * w[i] * x[offset + i];
    }
    float c = (float) (inv * inv * inv * gx / dim);
    for (int i = 0; i < dim; i++) {
      dx[dxOffset + i] += inv * dy[dyOffset + i] * w[i] - c * x[offset + i];
    }
  }

  /** The 1/rms factor RMSNorm multiplies a row by. */
  public static float rmsInverse(float[] x, int offset, int dim, double eps) {
    double ss = 0;
    for (int i = 0; i < dim; i++) {
      ss += (double) x[offset + i] * x[offset + i];
    }
    return (float) (1.0 / Math.sqrt(ss / dim + eps));
  }

  /** Dot product of two length-n slices, with four partial sums so the additions overlap. */
  public static float dot(float[] a, int ao, float[] b, int bo, int n) {
    float s0 = 0;
    float s1 = 0;
    float s2 = 0;
    float s3 = 0;
    int i = 0;
    for (; i + 4 <= n; i += 4) {
      s0 += a[ao + i] * b[bo + i];
      s1 += a[ao + i + 1] * b[bo + i + 1];
      s2 += a[ao + i + 2] * b[bo + i + 2];
      s3 += a[ao + i + 3] * b[bo + i + 3];
    }
    for (; i < n; i++) {
      s0 += a[ao + i] * b[bo + i];
    }
    return (s0 + s1) + (s2 + s3);
  }

  /**
   * Probabilities below this are stored as 0. Java cannot set the CPU's flush-to-zero mode, and
   * subnormal floats (below 1.2e-38) make every multiply that touches them, in Java and in BLAS, up
   * to a hundred times slower; a probability of 1e-30 changes nothing a float can show.
   */
  public static final float FLUSH_BELOW = 1e-30f;

  /** Softmax of {@code x[from, to)} in place, max-subtracted; returns nothing, sums to 1. */
  public static void softmax(float[] x, int from, int to) {
    float max = Float.NEGATIVE_INFINITY;
    for (int i = from; i < to; i++) {
      max = Math.max(max, x[i]);
    }
    double sum = 0;
    for (int i = from; i < to; i++) {
      float e = (float) Math.exp(x[i] - max);
      if (e < FLUSH_BELOW) {
        e = 0f;
      }
      x[i] = e;
      sum += e;
    }
    float inv = (float) (1.0 / sum);
    for (int i = from; i < to; i++) {
      x[i] *= inv;
    }
  }
}
