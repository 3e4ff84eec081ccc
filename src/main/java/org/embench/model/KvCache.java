package org.embench.model;

import org.embench.UserException;

/**
 * Keys and values of past positions, per sequence slot and layer, in float arrays that grow by
 * doubling. Values are {@code [position, kvHeads, headDim]}; keys are stored transposed, {@code
 * [kvHeads, headDim, capacity]}, so that attention's query-key products and its weighted sum of
 * values are both runs over contiguous memory that the JIT vectorises. A forward pass writes the
 * new positions of every layer, then {@link #advance} makes them part of the sequence.
 */
public final class KvCache {
  private final int layers;
  private final int kvDim;
  private final int[] capacity;
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
    this.capacity = new int[slots];
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

  /**
   * Makes slot {@code to} hold a copy of slot {@code from}'s sequence, so that several
   * continuations of one prefilled prompt each go on in a slot of their own without computing the
   * prompt again.
   */
  public void copySlot(int from, int to) {
    int len = length[from];
    length[to] = 0;
    reserve(to, Math.max(1, len));
    int capFrom = capacity[from];
    int capTo = capacity[to];
    for (int l = 0; l < layers && len > 0; l++) {
      for (int row = 0; row < kvDim; row++) {
        System.arraycopy(keys[from][l], row * capFrom, keys[to][l], row * capTo, len);
      }
      System.arraycopy(values[from][l], 0, values[to][l], 0, len * kvDim);
    }
    length[to] = len;
  }

  /**
   * Makes room for {@code positions} positions in every layer of the slot. Too many is the user's
   * to fix (a shorter prompt or max_new_tokens, or a model with a longer context), not a bug.
   */
  void reserve(int slot, int positions) {
    if (positions > maxPositions) {
      throw new UserException(
          "sequence of "
              + positions
              + " positions exceeds the model's "
              + maxPositions
              + " (max_position_embeddings): shorten the prompt or max_new_tokens");
    }
    int old = capacity[slot];
    if (positions <= old) {
      return;
    }
    int cap = Math.min(maxPositions, Math.max(positions, old == 0 ? 64 : 2 * old));
    for (int l = 0; l < layers; l++) {
      float[] k = new float[cap * kvDim];
      float[] oldK = keys[slot][l];
      for (int row = 0; oldK != null && row < kvDim; row++) {
        System.arraycopy(oldK, row * old, k, row * cap, length[slot]);
      }
      keys[slot][l] = k;
      float[] oldV = values[slot][l];
      values[slot][l] =
          oldV == null ? new float[cap * kvDim] : java.util.Arrays.copyOf(oldV, cap * kvDim);
    }
    capacity[slot] = cap;
  }

  /** Positions the slot's arrays hold now: the stride of the transposed keys. */
  int capacity(int slot) {
    return capacity[slot];
  }

  /**
   * Stores one position's keys and values ({@code kvHeads × headDim} each, from the given offsets).
   */
  void store(int slot, int layer, int position, float[] k, int kOffset, float[] v, int vOffset) {
    float[] keyRows = keys[slot][layer];
    int cap = capacity[slot];
    for (int j = 0; j < kvDim; j++) {
      keyRows[j * cap + position] = k[kOffset + j];
    }
    System.arraycopy(v, vOffset, values[slot][layer], position * kvDim, kvDim);
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
