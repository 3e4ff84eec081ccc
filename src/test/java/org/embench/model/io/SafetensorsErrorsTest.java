package org.embench.model.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.assertj.core.api.AbstractThrowableAssert;
import org.embench.UserException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every way a safetensors file can be broken, and the message that says so. */
class SafetensorsErrorsTest {
  @TempDir Path dir;

  /** A file with the given header JSON (unpadded) followed by {@code dataBytes} zero bytes. */
  private String raw(String json, int dataBytes) throws IOException {
    byte[] header = json.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b =
        ByteBuffer.allocate(8 + header.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(header.length).put(header);
    Path file = dir.resolve("bad.safetensors");
    Files.write(file, b.array());
    return file.toString();
  }

  private String tensor(String name, String dtype, String shape, long begin, long end) {
    return "\""
        + name
        + "\":{\"dtype\":\""
        + dtype
        + "\",\"shape\":"
        + shape
        + ",\"data_offsets\":["
        + begin
        + ","
        + end
        + "]}";
  }

  private static AbstractThrowableAssert<?, ? extends Throwable> assertOpenFails(String file) {
    return assertThatThrownBy(() -> SafetensorsReader.open(file, new Configuration()).close())
        .isInstanceOf(UserException.class);
  }

  @Test
  void truncatedFileSaysExpectedAndActualSize() throws IOException {
    Path file = dir.resolve("model.safetensors");
    new SafetensorsWriter()
        .add("a", DType.F32, new long[] {4}, new float[4])
        .add("b", DType.F32, new long[] {2}, new float[2])
        .writeTo(file.toString(), new Configuration());
    long size = Files.size(file);
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.setLength(size - 3);
    }
    assertOpenFails(file.toString())
        .hasMessage(
            file
                + " is truncated: expected at least "
                + size
                + " bytes (tensor 'b' ends there), found "
                + (size - 3));
  }

  @Test
  void corruptOrImplausibleHeaderLength() throws IOException {
    String file = raw("{}", 0);
    ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
    try (RandomAccessFile f = new RandomAccessFile(file, "rw")) {
      f.write(len.putLong(0, 200L << 20).array());
    }
    assertOpenFails(file)
        .hasMessage(
            file
                + ": header length 209715200 exceeds the limit of 104857600"
                + " bytes; this is not a safetensors file or its first 8 bytes are corrupt");
    try (RandomAccessFile f = new RandomAccessFile(file, "rw")) {
      f.write(len.putLong(0, -1).array());
    }
    assertOpenFails(file)
        .hasMessageContaining(": header length 18446744073709551615 exceeds the limit");
    try (RandomAccessFile f = new RandomAccessFile(file, "rw")) {
      f.write(len.putLong(0, 50).array());
    }
    assertOpenFails(file)
        .hasMessage(
            file
                + ": header length 50 is larger than the file (10 bytes);"
                + " the file is truncated or not a safetensors file");
    Files.write(Path.of(file), new byte[] {1, 2, 3});
    assertOpenFails(file)
        .hasMessage(
            file
                + " is not a safetensors file: it has 3 bytes, fewer than"
                + " the 8-byte header length");
  }

  @Test
  void malformedHeaderJson() throws IOException {
    String file = raw("{\"a\": {\"dtype\": ", 0);
    assertOpenFails(file)
        .hasMessageStartingWith(
            file + ": malformed safetensors header JSON: Unexpected end-of-input");
    file = raw("[1, 2]", 0);
    assertOpenFails(file)
        .hasMessage(file + ": the safetensors header must be a JSON object, found array");
    file =
        raw("{" + tensor("a", "F32", "[1]", 0, 4) + "," + tensor("a", "F32", "[1]", 0, 4) + "}", 4);
    assertOpenFails(file)
        .hasMessageStartingWith(file + ": malformed safetensors header JSON: Duplicate field 'a'");
    file = raw("{\"__metadata__\":{\"step\":5}}", 0);
    assertOpenFails(file)
        .hasMessage(file + ": __metadata__ value of 'step' must be a string, found 5");
    file = raw("{\"a\":[1]}", 0);
    assertOpenFails(file)
        .hasMessage(
            file
                + ": tensor 'a': expected an object with dtype, shape and"
                + " data_offsets, found [1]");
  }

  @Test
  void missingOrMistypedFields() throws IOException {
    String file = raw("{\"w\":{\"shape\":[1],\"data_offsets\":[0,4]}}", 4);
    assertOpenFails(file).hasMessage(file + ": tensor 'w': missing field 'dtype'");
    file = raw("{\"w\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", 4);
    assertOpenFails(file).hasMessage(file + ": tensor 'w': missing field 'shape'");
    file = raw("{\"w\":{\"dtype\":\"F32\",\"shape\":[1]}}", 4);
    assertOpenFails(file).hasMessage(file + ": tensor 'w': missing field 'data_offsets'");
    file = raw("{" + tensor("w", "F32", "[2,-1]", 0, 4) + "}", 4);
    assertOpenFails(file)
        .hasMessage(
            file
                + ": tensor 'w': field 'shape' must be a list of"
                + " non-negative integers, found [2,-1]");
    file = raw("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4,8]}}", 8);
    assertOpenFails(file)
        .hasMessage(
            file + ": tensor 'w': field 'data_offsets' must be [begin, end]," + " found [0,4,8]");
    file = raw("{\"w\":{\"dtype\":32,\"shape\":[1],\"data_offsets\":[0,4]}}", 4);
    assertOpenFails(file)
        .hasMessage(file + ": tensor 'w': field 'dtype' must be a string, found 32");
  }

  @Test
  void badOffsets() throws IOException {
    String file = raw("{" + tensor("w", "F32", "[1]", 8, 4) + "}", 8);
    assertOpenFails(file).hasMessage(file + ": tensor 'w': data_offsets end 4 is before begin 8");
    file = raw("{" + tensor("w", "BF16", "[2,3]", 0, 8) + "}", 8);
    assertOpenFails(file)
        .hasMessage(
            file
                + ": tensor 'w': data_offsets [0, 8] hold 8 bytes but"
                + " shape [2, 3] of BF16 needs 12");
    file = raw("{" + tensor("w", "F4", "[3]", 0, 2) + "}", 2);
    assertOpenFails(file)
        .hasMessage(
            file
                + ": tensor 'w': data_offsets [0, 2] hold 2 bytes but"
                + " shape [3] of F4 needs 12 bits");
    file =
        raw(
            "{"
                + tensor("a", "F32", "[4]", 0, 16)
                + ","
                + tensor("e", "F32", "[0]", 8, 8)
                + ","
                + tensor("b", "F32", "[4]", 8, 24)
                + "}",
            24);
    assertOpenFails(file).hasMessage(file + ": tensors 'a' [0, 16) and 'b' [8, 24) overlap");
  }

  @Test
  void unknownDtypeFailsOnOpenUnsupportedOnRead() throws IOException {
    String file = raw("{" + tensor("w", "Q4_K", "[2]", 0, 1) + "}", 1);
    assertOpenFails(file)
        .hasMessageStartingWith("unknown dtype 'Q4_K' for tensor 'w' in " + file + "; known: BOOL");

    // Integer buffers (position ids, masks) may sit beside the weights; only reading them fails.
    file =
        raw(
            "{"
                + tensor("pos", "I64", "[2]", 0, 16)
                + ","
                + tensor("w", "F32", "[1]", 16, 20)
                + "}",
            20);
    try (SafetensorsReader r = SafetensorsReader.open(file, new Configuration())) {
      assertThat(r.info("pos").dtype()).isEqualTo(DType.I64);
      assertThat(r.readFloats("w")).containsExactly(0f);
      String f = file;
      assertThatThrownBy(() -> r.readFloats("pos"))
          .isInstanceOf(UserException.class)
          .hasMessage(
              "unsupported dtype I64 for tensor 'pos' in " + f + "; supported: F32, F16, BF16");
    }
  }

  @Test
  void unknownTensorTooSmallBufferAndMissingFile() throws IOException {
    String file =
        raw(
            "{" + tensor("a", "F32", "[2]", 0, 8) + "," + tensor("b", "F32", "[1]", 8, 12) + "}",
            12);
    try (SafetensorsReader r = SafetensorsReader.open(file, new Configuration())) {
      assertThatThrownBy(() -> r.readFloats("c"))
          .isInstanceOf(UserException.class)
          .hasMessage("no tensor 'c' in " + file + "; it has 2 tensors, such as a, b");
      assertThatThrownBy(() -> r.readFloats("a", FloatBuffer.allocate(1)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage(
              "tensor 'a' in " + file + " has 2 elements but the destination has room for 1");
    }
    String missing = dir.resolve("nope.safetensors").toString();
    assertOpenFails(missing).hasMessage("file not found: " + missing);
  }

  @Test
  void writerRejectsBadInput() {
    SafetensorsWriter w = new SafetensorsWriter().add("a", DType.F32, new long[] {1}, new float[1]);
    assertThatThrownBy(() -> w.add("a", DType.F32, new long[] {1}, new float[1]))
        .hasMessage("tensor name 'a' is empty, reserved or already added");
    assertThatThrownBy(() -> w.add("b", DType.F32, new long[] {2, 2}, new float[3]))
        .hasMessage("tensor 'b': shape [2, 2] has 4 elements but 3 values were given");
    assertThatThrownBy(() -> w.add("c", DType.I32, new long[] {1}, new float[1]))
        .hasMessage("cannot write tensor 'c' as I32; supported: F32, F16, BF16");
  }
}
