package org.embench.model.io;

import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.nio.ShortBuffer;
import java.util.Arrays;
import java.util.List;
import org.embench.UserException;

/**
 * The element types a safetensors header may name. All of them are recognised, so a header can be
 * validated in full and an error can say exactly what a checkpoint holds; only {@link #F32}, {@link
 * #F16} and {@link #BF16} can be read as floats or written. Also the bit-level conversions between
 * those and {@code float}.
 */
public enum DType {
  BOOL(8),
  U8(8),
  I8(8),
  F8_E5M2(8),
  F8_E4M3(8),
  F8_E8M0(8),
  F4(4),
  F6_E2M3(6),
  F6_E3M2(6),
  I16(16),
  U16(16),
  F16(16),
  BF16(16),
  I32(32),
  U32(32),
  F32(32),
  I64(64),
  U64(64),
  F64(64),
  C64(64);

  /** The types this engine reads and writes, in the order error messages list them. */
  public static final List<DType> FLOAT_TYPES = List.of(F32, F16, BF16);

  /** Elements per bulk conversion step: big enough to amortise the loop, small enough for L1/L2. */
  private static final int STEP = 4096;

  /** F16 has only 65536 values, so decoding through a table is a single load. */
  private static final float[] F16_TABLE = new float[1 << 16];

  static {
    for (int i = 0; i < F16_TABLE.length; i++) {
      F16_TABLE[i] = f16BitsToFloat(i);
    }
  }

  private final int bits;

  DType(int bits) {
    this.bits = bits;
  }

  /** Bits per element (sub-byte types pack several elements into a byte). */
  public int bits() {
    return bits;
  }

  /** Whether {@link SafetensorsReader#readFloats} and the writers support this type. */
  public boolean isFloat() {
    return FLOAT_TYPES.contains(this);
  }

  /**
   * The type named {@code name} in the header of {@code file}; a name safetensors does not define
   * is a {@link UserException} naming the tensor and the file.
   */
  static DType parse(String name, String tensor, String file) {
    for (DType t : values()) {
      if (t.name().equals(name)) {
        return t;
      }
    }
    throw new UserException(
        "unknown dtype '"
            + name
            + "' for tensor '"
            + tensor
            + "' in "
            + file
            + "; known: "
            + String.join(", ", Arrays.stream(values()).map(DType::name).toList()));
  }

  /** Fails unless this type can be read as floats. */
  void requireFloat(String tensor, String file) {
    if (!isFloat()) {
      throw new UserException(
          "unsupported dtype "
              + this
              + " for tensor '"
              + tensor
              + "' in "
              + file
              + "; supported: "
              + floatTypeNames());
    }
  }

  /** "F32, F16, BF16", for messages. */
  static String floatTypeNames() {
    return String.join(", ", FLOAT_TYPES.stream().map(DType::name).toList());
  }

  /** Decodes all of {@code src} (little-endian elements of this type) into {@code dst}. */
  void decode(ByteBuffer src, FloatBuffer dst) {
    if (this == F32) {
      dst.put(src.asFloatBuffer());
      return;
    }
    ShortBuffer in = src.asShortBuffer();
    short[] raw = new short[Math.min(STEP, in.remaining())];
    float[] out = new float[raw.length];
    while (in.hasRemaining()) {
      int n = Math.min(raw.length, in.remaining());
      in.get(raw, 0, n);
      if (this == BF16) {
        for (int i = 0; i < n; i++) {
          out[i] = bf16ToFloat(raw[i]);
        }
      } else {
        for (int i = 0; i < n; i++) {
          out[i] = F16_TABLE[raw[i] & 0xffff];
        }
      }
      dst.put(out, 0, n);
    }
  }

  /**
   * Encodes all of {@code src} at the position of {@code dst} (little-endian, room checked by the
   * caller) as elements of this type, and advances {@code dst} past them.
   */
  void encode(FloatBuffer src, ByteBuffer dst) {
    int n = src.remaining();
    if (this == F32) {
      dst.asFloatBuffer().put(src);
    } else {
      ShortBuffer out = dst.asShortBuffer();
      while (src.hasRemaining()) {
        float f = src.get();
        out.put(this == BF16 ? floatToBf16(f) : floatToF16(f));
      }
    }
    dst.position(dst.position() + n * bits / 8);
  }

  /** Bytes of {@code elements} elements of this type. */
  long byteSize(long elements) {
    return Math.multiplyExact(elements, bits) / 8;
  }

  /** The float a BF16 bit pattern stands for: BF16 is the upper half of an F32. */
  public static float bf16ToFloat(short bits) {
    return Float.intBitsToFloat(bits << 16);
  }

  /** The float an IEEE 754 half-precision bit pattern stands for (exact). */
  public static float f16ToFloat(short bits) {
    return F16_TABLE[bits & 0xffff];
  }

  /**
   * The nearest BF16, ties to even; too large rounds to infinity. A NaN stays a NaN with its sign
   * (plain truncation could clear every mantissa bit left and turn it into an infinity).
   */
  public static short floatToBf16(float f) {
    int x = Float.floatToRawIntBits(f);
    if (Float.isNaN(f)) {
      return (short) ((x >>> 16) | 0x0040);
    }
    int lsb = (x >>> 16) & 1;
    return (short) ((x + 0x7fff + lsb) >>> 16);
  }

  /**
   * The nearest IEEE 754 half, ties to even; magnitudes from 65520 up become infinity, tiny ones
   * become subnormals or zero. A NaN stays a quiet NaN with its sign and upper payload bits.
   */
  public static short floatToF16(float f) {
    int x = Float.floatToRawIntBits(f);
    int sign = (x >>> 16) & 0x8000;
    int exp = (x >>> 23) & 0xff;
    int mant = x & 0x7fffff;
    if (exp == 0xff) {
      return (short) (sign | 0x7c00 | (mant == 0 ? 0 : 0x200 | (mant >>> 13)));
    }
    int e = exp - 127 + 15;
    if (e >= 0x1f) {
      return (short) (sign | 0x7c00);
    }
    if (e <= 0) {
      // Subnormal half: the value in units of 2^-24 is the full significand shifted right.
      int shift = 14 - e;
      if (shift > 24) {
        return (short) sign;
      }
      return (short) (sign | roundShift(mant | 0x800000, shift));
    }
    // A carry out of the mantissa correctly bumps the exponent, up to infinity.
    return (short) (sign | ((e << 10) + roundShift(mant, 13)));
  }

  /** {@code value >> shift}, rounded to nearest, ties to even. */
  private static int roundShift(int value, int shift) {
    int kept = value >>> shift;
    int rest = value & ((1 << shift) - 1);
    int half = 1 << (shift - 1);
    return rest > half || (rest == half && (kept & 1) == 1) ? kept + 1 : kept;
  }

  private static float f16BitsToFloat(int h) {
    int sign = (h & 0x8000) << 16;
    int exp = (h >>> 10) & 0x1f;
    int mant = h & 0x3ff;
    if (exp == 0x1f) {
      return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
    }
    if (exp == 0) {
      float v = mant * 0x1p-24f;
      return sign == 0 ? v : -v;
    }
    return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
  }
}
