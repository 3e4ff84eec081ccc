package org.embench.model;

/**
 * Keys and values of past positions, per sequence slot and layer: {@code [position, kvHeads,
 * headDim]} row-major in a float array that grows by doubling. A forward pass writes the new
 * positions of every layer, then {@link #advance} makes them part of the sequence.
 */
public final class KvCache {
  private final int layers;
  private final int kvDim;
  private final int maxPositions;
  private final float[][][] keys;
  private final float[][][] values;
  private final int[] length;

  public KvCache(ModelConfig cfg, int slots) {
    this.layers = cfg.numLayers();
    this.kvDim = cfg.numKvHeads() * cfg.headDim();
    this.maxPositions = cfg.maxPositionEmbeddings();
    this.keys = new float[slots][layers][];
    this.values = new float[slots][layers][];
    this.length = new int[slots];
  }

  public int slots() {
    return length.length;
  }

  /** Positions already stored for the slot's sequence. */
  public int length(int slot) {
    return length[slot];
  }

  /** Forgets the slot's sequence (its memory is kept for the next one). */
  public void reset(int slot) {
    length[slot] = 0;
  }

  /** Makes room for {@code positions} positions in every layer of the slot. */
  void reserve(int slot, int positions) {
    if (positions > maxPositions) {
      throw new IllegalArgumentException("sequence of " + positions + " positions exceeds the model's "
          + maxPositions + " (max_position_embeddings)");
    }
    for (int l = 0; l < layers; l++) {
      float[] k = keys[slot][l];
      if (k == null || k.length < positions * kvDim) {
        int cap = Math.max(positions, k == null ? 64 : 2 * k.length / kvDim);
        cap = Math.min(cap, maxPositions);
        keys[slot][l] = k == null ? new float[cap * kvDim] : java.util.Arrays.copyOf(k, cap * kvDim);
        float[] v = values[slot][l];
        values[slot][l] = v == null ? new float[cap * kvDim] : java.util.Arrays.copyOf(v, cap * kvDim);
      }
    }
  }

  float[] keys(int slot, int layer) {
    return keys[slot][layer];
  }

  float[] values(int slot, int layer) {
    return values[slot][layer];
  }

  void advance(int slot, int positions) {
    length[slot] += positions;
  }

  /** Bytes held by the cache now. */
  public long bytes() {
    long b = 0;
    for (float[][] slot : keys) {
      for (float[] k : slot) {
        b += k == null ? 0 : 8L * k.length;
      }
    }
    return b;
  }
}
