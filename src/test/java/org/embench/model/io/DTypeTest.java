package org.embench.model.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import java.util.function.IntToDoubleFunction;
import org.embench.UserException;
import org.junit.jupiter.api.Test;

class DTypeTest {
  private static short bf16(float f) {
    return DType.floatToBf16(f);
  }

  private static short f16(float f) {
    return DType.floatToF16(f);
  }

  private static float bits(int x) {
    return Float.intBitsToFloat(x);
  }

  @Test
  void bf16RoundsToNearestTiesToEven() {
    assertThat(bf16(1f)).isEqualTo((short) 0x3f80);
    assertThat(bf16(bits(0x3f807fff))).isEqualTo((short) 0x3f80);
    assertThat(bf16(bits(0x3f808000))).as("tie, even below").isEqualTo((short) 0x3f80);
    assertThat(bf16(bits(0x3f808001))).isEqualTo((short) 0x3f81);
    assertThat(bf16(bits(0x3f818000))).as("tie, even above").isEqualTo((short) 0x3f82);
    assertThat(bf16(bits(0xbf818000))).as("negative tie").isEqualTo((short) 0xbf82);
    assertThat(bf16(bits(0x00008000))).as("subnormal tie").isEqualTo((short) 0x0000);
    assertThat(bf16(bits(0x00018000))).isEqualTo((short) 0x0002);
    assertThat(bf16(-0f)).isEqualTo((short) 0x8000);
  }

  @Test
  void bf16OverflowInfinityAndNaN() {
    assertThat(bf16(Float.MAX_VALUE)).isEqualTo((short) 0x7f80);
    assertThat(bf16(bits(0x7f7f7fff))).isEqualTo((short) 0x7f7f);
    assertThat(bf16(Float.POSITIVE_INFINITY)).isEqualTo((short) 0x7f80);
    assertThat(bf16(Float.NEGATIVE_INFINITY)).isEqualTo((short) 0xff80);
    // A NaN whose payload lies only in the dropped bits must not become an infinity.
    assertThat(bf16(bits(0x7f800001))).isEqualTo((short) 0x7fc0);
    assertThat(bf16(bits(0xff800001))).isEqualTo((short) 0xffc0);
    assertThat(bf16(Float.NaN)).isEqualTo((short) 0x7fc0);
    assertThat(DType.bf16ToFloat((short) 0x7fc0)).isNaN();
    assertThat(DType.bf16ToFloat((short) 0xc040)).isEqualTo(-3f);
  }

  @Test
  void f16RoundsToNearestTiesToEven() {
    assertThat(f16(1f)).isEqualTo((short) 0x3c00);
    assertThat(f16(1f + 0x1p-11f)).as("tie, even below").isEqualTo((short) 0x3c00);
    assertThat(f16(1f + 3 * 0x1p-11f)).as("tie, even above").isEqualTo((short) 0x3c02);
    assertThat(f16(Math.nextUp(1f + 0x1p-11f))).isEqualTo((short) 0x3c01);
    assertThat(f16(-2.5f)).isEqualTo((short) 0xc100);
    assertThat(f16(-0f)).isEqualTo((short) 0x8000);
    assertThat(f16(bits(0x3f7ff000))).as("carry into the exponent").isEqualTo((short) 0x3c00);
  }

  @Test
  void f16Subnormals() {
    assertThat(f16(0x1p-24f)).isEqualTo((short) 0x0001);
    assertThat(f16(0x1p-25f)).as("tie with zero").isEqualTo((short) 0x0000);
    assertThat(f16(1.5f * 0x1p-25f)).isEqualTo((short) 0x0001);
    assertThat(f16(3 * 0x1p-25f)).as("tie, even above").isEqualTo((short) 0x0002);
    assertThat(f16(1023 * 0x1p-24f)).isEqualTo((short) 0x03ff);
    assertThat(f16(0x1p-14f)).isEqualTo((short) 0x0400);
    assertThat(f16(0x1p-26f)).isEqualTo((short) 0x0000);
    assertThat(f16(-0x1p-24f)).isEqualTo((short) 0x8001);
    assertThat(f16(Float.MIN_VALUE)).isEqualTo((short) 0x0000);
    assertThat(DType.f16ToFloat((short) 0x0001)).isEqualTo(0x1p-24f);
    assertThat(DType.f16ToFloat((short) 0x83ff)).isEqualTo(-1023 * 0x1p-24f);
  }

  @Test
  void f16OverflowInfinityAndNaN() {
    assertThat(f16(65504f)).isEqualTo((short) 0x7bff);
    assertThat(f16(65519.99f)).isEqualTo((short) 0x7bff);
    assertThat(f16(65520f)).as("tie between max and infinity").isEqualTo((short) 0x7c00);
    assertThat(f16(1e6f)).isEqualTo((short) 0x7c00);
    assertThat(f16(-1e6f)).isEqualTo((short) 0xfc00);
    assertThat(f16(Float.NEGATIVE_INFINITY)).isEqualTo((short) 0xfc00);
    assertThat(f16(bits(0x7f800001))).isEqualTo((short) 0x7e00);
    assertThat(f16(bits(0xffc00000))).isEqualTo((short) 0xfe00);
    assertThat(DType.f16ToFloat((short) 0x7bff)).isEqualTo(65504f);
    assertThat(DType.f16ToFloat((short) 0x7c00)).isEqualTo(Float.POSITIVE_INFINITY);
    assertThat(DType.f16ToFloat((short) 0x7e00)).isNaN();
    assertThat(DType.f16ToFloat((short) 0x3555)).isEqualTo(1365f / 4096);
  }

  @Test
  void everyHalfPatternSurvivesARoundTrip() {
    for (int h = 0; h < 1 << 16; h++) {
      float f16 = DType.f16ToFloat((short) h);
      float bf16 = DType.bf16ToFloat((short) h);
      if (!Float.isNaN(f16)) {
        assertThat(DType.floatToF16(f16) & 0xffff).as("F16 %04x", h).isEqualTo(h);
      }
      if (!Float.isNaN(bf16)) {
        assertThat(DType.floatToBf16(bf16) & 0xffff).as("BF16 %04x", h).isEqualTo(h);
      }
    }
  }

  /**
   * Against the definition: no neighbouring pattern is nearer, and a tie picks the even one.
   * Infinity counts as the value one step past the largest finite pattern, as IEEE 754 rounding
   * treats it.
   */
  @Test
  void randomFloatsRoundToTheNearestPattern() {
    SplittableRandom random = new SplittableRandom(7);
    for (int i = 0; i < 200_000; i++) {
      float f =
          i % 2 == 0
              ? Float.intBitsToFloat(random.nextInt())
              : (float) random.nextGaussian() * (float) Math.pow(2, random.nextInt(-30, 17));
      if (!Float.isFinite(f)) {
        continue;
      }
      assertNearest(
          f, DType.floatToF16(f) & 0xffff, h -> DType.f16ToFloat((short) h), 0x7c00, 0x1p16);
      assertNearest(
          f, DType.floatToBf16(f) & 0xffff, h -> DType.bf16ToFloat((short) h), 0x7f80, 0x1p128);
    }
  }

  private static void assertNearest(
      float f, int got, IntToDoubleFunction decode, int inf, double past) {
    int sign = got & 0x8000;
    int mag = got & 0x7fff;
    IntToDoubleFunction value =
        m -> (sign == 0 ? 1 : -1) * (m == inf ? past : Math.abs(decode.applyAsDouble(m)));
    double err = Math.abs(f - value.applyAsDouble(mag));
    String what = f + " -> " + Integer.toHexString(got);
    for (int m : new int[] {mag - 1, mag + 1}) {
      if (m >= 0 && m <= inf) {
        double other = Math.abs(f - value.applyAsDouble(m));
        assertThat(err).as(what).isLessThanOrEqualTo(other);
        if (err == other) {
          assertThat(mag & 1).as("tie to even: " + what).isZero();
        }
      }
    }
  }

  @Test
  void rejectsUnknownAndUnsupportedTypesNamingTensorAndFile() {
    assertThat(DType.parse("BF16", "w", "f")).isEqualTo(DType.BF16);
    assertThat(DType.parse("F8_E4M3", "w", "f").isFloat()).isFalse();
    assertThatThrownBy(() -> DType.parse("Q4_K", "w", "/m/model.safetensors"))
        .isInstanceOf(UserException.class)
        .hasMessageStartingWith(
            "unknown dtype 'Q4_K' for tensor 'w' in /m/model.safetensors; known: BOOL, U8,");
    assertThatThrownBy(() -> DType.I64.requireFloat("pos", "/m/model.safetensors"))
        .isInstanceOf(UserException.class)
        .hasMessage(
            "unsupported dtype I64 for tensor 'pos' in /m/model.safetensors; supported: F32, F16, BF16");
  }
}
