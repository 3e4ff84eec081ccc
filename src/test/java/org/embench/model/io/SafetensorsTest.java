package org.embench.model.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Percentage.withPercentage;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SafetensorsTest {
  @TempDir Path dir;

  static Configuration conf(boolean mmap) {
    Configuration conf = new Configuration();
    conf.setBoolean(SafetensorsReader.MMAP, mmap);
    return conf;
  }

  static float[] random(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) r.nextGaussian() * 0.02f;
    }
    return a;
  }

  /**
   * A file made without the writer: length prefix, JSON, and little-endian values, byte by byte.
   */
  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void readsAFileBuiltByteByByte(boolean mmap) throws IOException {
    String json =
        "{\"__metadata__\":{\"format\":\"pt\"},"
            + "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
            + "\"b\":{\"dtype\":\"BF16\",\"shape\":[1,2],\"data_offsets\":[8,12]},"
            + "\"c\":{\"dtype\":\"F16\",\"shape\":[],\"data_offsets\":[12,14]}}";
    byte[] header = json.getBytes(StandardCharsets.US_ASCII);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    long length = header.length;
    for (int i = 0; i < 8; i++) {
      out.write((int) (length >>> (8 * i)) & 0xff);
    }
    out.write(header);
    out.write(
        new byte[] {
          0x00,
          0x00,
          (byte) 0xc0,
          0x3f, // 1.5f = 0x3fc00000
          0x00,
          0x00,
          0x00,
          (byte) 0xc0, // -2f = 0xc0000000
          (byte) 0x80,
          0x3f, // BF16 1.0 = 0x3f80
          0x40,
          (byte) 0xc0, // BF16 -3.0 = 0xc040
          0x00,
          0x45
        }); // F16 5.0 = 0x4500
    Path file = dir.resolve("hand.safetensors");
    Files.write(file, out.toByteArray());

    try (SafetensorsReader r = SafetensorsReader.open(file.toString(), conf(mmap))) {
      assertThat(r.tensors().keySet()).containsExactly("a", "b", "c");
      assertThat(r.metadata()).isEqualTo(Map.of("format", "pt"));
      assertThat(r.info("b")).isEqualTo(new TensorInfo("b", DType.BF16, new long[] {1, 2}, 8, 12));
      assertThat(r.info("c").numel()).isEqualTo(1);
      assertThat(r.readFloats("a")).containsExactly(1.5f, -2f);
      assertThat(r.readFloats("b")).containsExactly(1f, -3f);
      assertThat(r.readFloats("c")).containsExactly(5f);
    }
  }

  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void roundTripsEachDtypeIntoADirectBufferAcrossChunks(boolean mmap) {
    // Over SafetensorsReader.CHUNK_BYTES in every dtype, so reads span several chunks.
    int n = SafetensorsReader.CHUNK_BYTES / 2 + 3;
    float[] values = random(n, 1);
    values[0] = Float.POSITIVE_INFINITY;
    values[1] = Float.NaN;
    values[2] = -0f;
    String file = dir.resolve("round.safetensors").toString();
    new SafetensorsWriter()
        .add("f32", DType.F32, new long[] {n}, values)
        .add("bf16", DType.BF16, new long[] {n}, values)
        .add("f16", DType.F16, new long[] {1, n}, values)
        .writeTo(file, new Configuration());

    try (SafetensorsReader r = SafetensorsReader.open(file, conf(mmap))) {
      FloatBuffer dst = ByteBuffer.allocateDirect(4 * (n + 5)).asFloatBuffer();
      dst.position(5);
      r.readFloats("f32", dst);
      assertThat(dst.position()).isEqualTo(n + 5);
      float[] back = new float[n];
      dst.position(5).get(back);
      assertSameFloats(back, values);

      float[] bf16 = r.readFloats("bf16");
      float[] f16 = r.readFloats("f16");
      float[] bf16Expected = new float[n];
      float[] f16Expected = new float[n];
      for (int i = 0; i < n; i++) {
        bf16Expected[i] = DType.bf16ToFloat(DType.floatToBf16(values[i]));
        f16Expected[i] = DType.f16ToFloat(DType.floatToF16(values[i]));
      }
      assertSameFloats(bf16, bf16Expected);
      assertSameFloats(f16, f16Expected);
      // The relative error of the dtype's rounding, for normal values.
      assertThat(bf16[100]).isCloseTo(values[100], withPercentage(0.4));
      assertThat(f16[100]).isCloseTo(values[100], withPercentage(0.05));
      assertThat(bf16[1]).isNaN();
      assertThat(f16[0]).isEqualTo(Float.POSITIVE_INFINITY);
    }
  }

  /** Element by element, NaN equal to NaN; AssertJ's array diff is quadratic on big arrays. */
  static void assertSameFloats(float[] actual, float[] expected) {
    int at = Arrays.mismatch(actual, expected);
    assertThat(at).as("first mismatch at %d", at).isEqualTo(-1);
  }

  @Test
  void writesDeterministicallyWithAPaddedHeaderAndAlignedTensors() throws IOException {
    float[] a = random(3, 2);
    float[] b = random(6, 3);
    byte[] first = write(a, b);
    assertThat(write(a, b)).isEqualTo(first);

    ByteBuffer bytes = ByteBuffer.wrap(first).order(ByteOrder.LITTLE_ENDIAN);
    long length = bytes.getLong();
    assertThat(length % 8).isZero();
    String header = new String(first, 8, (int) length, StandardCharsets.UTF_8);
    assertThat(header)
        .startsWith(
            "{\"__metadata__\":{\"format\":\"pt\"},\"odd\":{\"dtype\":\"BF16\",\"shape\":[3],"
                + "\"data_offsets\":[24,30]},\"wide\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]}}");
    assertThat(header.strip()).endsWith("}");
    assertThat(first).hasSize((int) (8 + length + 30));
  }

  private static byte[] write(float[] a, float[] b) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    new SafetensorsWriter()
        .metadata("format", "pt")
        .add("odd", DType.BF16, new long[] {3}, a)
        .add("wide", DType.F32, new long[] {2, 3}, FloatBuffer.wrap(b))
        .writeTo(out);
    return out.toByteArray();
  }

  /**
   * A tensor given only when written makes the same bytes; one of the wrong size fails the write.
   */
  @Test
  void tensorsAddedLaterAreReadOnlyWhenWritten() throws IOException {
    float[] a = random(3, 2);
    float[] b = random(6, 3);
    int[] calls = {0};
    SafetensorsWriter w =
        new SafetensorsWriter()
            .metadata("format", "pt")
            .addLater(
                "odd",
                DType.BF16,
                new long[] {3},
                () -> {
                  calls[0]++;
                  return a;
                })
            .add("wide", DType.F32, new long[] {2, 3}, FloatBuffer.wrap(b));
    assertThat(calls[0]).isZero();
    assertThat(w.dataBytes()).isEqualTo(30);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    w.writeTo(out);
    assertThat(calls[0]).isEqualTo(1);
    assertThat(out.toByteArray()).isEqualTo(write(a, b));
    SafetensorsWriter wrong =
        new SafetensorsWriter().addLater("x", DType.F32, new long[] {4}, () -> new float[3]);
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> wrong.writeTo(new ByteArrayOutputStream()))
        .hasMessageContaining("tensor 'x': 3 values given for shape [4]");
  }

  @Test
  void writesThroughAHadoopUriWithoutChecksumFiles() throws IOException {
    String uri = dir.toUri() + "sub/w.safetensors";
    new SafetensorsWriter()
        .add("x", DType.F32, new long[] {2}, new float[] {1, 2})
        .writeTo(uri, new Configuration());
    try (var files = Files.list(dir.resolve("sub"))) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly("w.safetensors");
    }
    try (SafetensorsReader r = SafetensorsReader.open(uri, new Configuration())) {
      assertThat(r.readFloats("x")).containsExactly(1f, 2f);
    }
  }
}
