package org.embench.train;

import java.util.List;

/**
 * Projection out of a set of directions: {@code h ← h − (h Uᵀ) U} for orthonormal rows U. The map
 * is symmetric and idempotent, so it is its own gradient; applied to the residual stream it leaves
 * no component along the directions (CAFT).
 */
public final class DirectionProjection {
  private final float[][] basis;
  private final int dim;

  private DirectionProjection(float[][] basis, int dim) {
    this.basis = basis;
    this.dim = dim;
  }

  /** Orthonormalises the directions (Gram-Schmidt in double); dependent ones are dropped. */
  public static DirectionProjection orthonormal(List<float[]> directions, int dim) {
    List<double[]> ortho = new java.util.ArrayList<>();
    for (float[] d : directions) {
      if (d.length != dim) {
        throw new IllegalArgumentException(
            "direction of length " + d.length + " for a residual stream of " + dim);
      }
      double[] v = new double[dim];
      for (int i = 0; i < dim; i++) {
        v[i] = d[i];
      }
      for (double[] u : ortho) {
        double dot = 0;
        for (int i = 0; i < dim; i++) {
          dot += v[i] * u[i];
        }
        for (int i = 0; i < dim; i++) {
          v[i] -= dot * u[i];
        }
      }
      double norm = 0;
      for (double x : v) {
        norm += x * x;
      }
      norm = Math.sqrt(norm);
      if (norm > 1e-6) {
        for (int i = 0; i < dim; i++) {
          v[i] /= norm;
        }
        ortho.add(v);
      }
    }
    float[][] basis = new float[ortho.size()][dim];
    for (int k = 0; k < basis.length; k++) {
      for (int i = 0; i < dim; i++) {
        basis[k][i] = (float) ortho.get(k)[i];
      }
    }
    return new DirectionProjection(basis, dim);
  }

  public int directions() {
    return basis.length;
  }

  /** Projects the directions out of every row of {@code x[rows × dim]}, in place. */
  public void apply(float[] x, int rows) {
    for (int r = 0; r < rows; r++) {
      int o = r * dim;
      for (float[] u : basis) {
        double dot = 0;
        for (int i = 0; i < dim; i++) {
          dot += (double) x[o + i] * u[i];
        }
        for (int i = 0; i < dim; i++) {
          x[o + i] -= (float) (dot * u[i]);
        }
      }
    }
  }

  /** The largest |component| of any row along any direction (0 after {@link #apply}). */
  public double maxComponent(float[] x, int rows) {
    double max = 0;
    for (int r = 0; r < rows; r++) {
      for (float[] u : basis) {
        double dot = 0;
        for (int i = 0; i < dim; i++) {
          dot += (double) x[r * dim + i] * u[i];
        }
        max = Math.max(max, Math.abs(dot));
      }
    }
    return max;
  }
}
