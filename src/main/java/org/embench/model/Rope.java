package org.embench.model;

/**
 * Rotary position embedding tables: inverse frequencies from rope_theta (with Llama 3 or linear
 * scaling when the config asks for it) and cos/sin per position, computed in double and kept as
 * float, grown as positions are reached. Thread-safe.
 */
public final class Rope {
  private final double[] invFreq;

  /** Rows [position][i]; replaced whole (copy on write) when grown, so readers need no lock. */
  private volatile float[][] cos = new float[0][];

  private volatile float[][] sin = new float[0][];

  public Rope(ModelConfig cfg) {
    this(cfg.headDim(), cfg.ropeTheta(), cfg.ropeScaling());
  }

  Rope(int headDim, double theta, ModelConfig.RopeScaling scaling) {
    int half = headDim / 2;
    invFreq = new double[half];
    for (int i = 0; i < half; i++) {
      invFreq[i] = 1.0 / Math.pow(theta, (2.0 * i) / headDim);
    }
    if (scaling != null) {
      switch (scaling.type()) {
        case "linear" -> {
          for (int i = 0; i < half; i++) {
            invFreq[i] /= scaling.factor();
          }
        }
        case "llama3" -> llama3(scaling);
        default ->
            throw new IllegalArgumentException("unsupported rope scaling '" + scaling.type() + "'");
      }
    }
  }

  /**
   * Llama 3.1's scaling: low frequencies (long wavelengths) are divided by the factor, high ones
   * kept, and the band between them interpolated.
   */
  private void llama3(ModelConfig.RopeScaling s) {
    double lowFreqWavelen = s.originalMaxPositionEmbeddings() / s.lowFreqFactor();
    double highFreqWavelen = s.originalMaxPositionEmbeddings() / s.highFreqFactor();
    for (int i = 0; i < invFreq.length; i++) {
      double wavelen = 2 * Math.PI / invFreq[i];
      if (wavelen > lowFreqWavelen) {
        invFreq[i] /= s.factor();
      } else if (wavelen >= highFreqWavelen) {
        double smooth =
            (s.originalMaxPositionEmbeddings() / wavelen - s.lowFreqFactor())
                / (s.highFreqFactor() - s.lowFreqFactor());
        invFreq[i] = (1 - smooth) * invFreq[i] / s.factor() + smooth * invFreq[i];
      }
    }
  }

  public float[] cos(int position) {
    float[][] c = cos;
    return position < c.length ? c[position] : grow(position)[0][position];
  }

  public float[] sin(int position) {
    float[][] s = sin;
    return position < s.length ? s[position] : grow(position)[1][position];
  }

  private synchronized float[][][] grow(int position) {
    int have = cos.length;
    if (position >= have) {
      int size = Math.max(position + 1, Math.max(256, have * 2));
      float[][] c = java.util.Arrays.copyOf(cos, size);
      float[][] s = java.util.Arrays.copyOf(sin, size);
      for (int p = have; p < size; p++) {
        c[p] = new float[invFreq.length];
        s[p] = new float[invFreq.length];
        for (int i = 0; i < invFreq.length; i++) {
          double angle = p * invFreq[i];
          c[p][i] = (float) Math.cos(angle);
          s[p][i] = (float) Math.sin(angle);
        }
      }
      sin = s;
      cos = c;
    }
    return new float[][][] {cos, sin};
  }
}
