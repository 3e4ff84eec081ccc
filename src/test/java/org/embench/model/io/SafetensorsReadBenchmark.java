package org.embench.model.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.SplittableRandom;
import org.apache.hadoop.conf.Configuration;

/**
 * Times reading ~500 MB F32 and BF16 safetensors files into a direct FloatBuffer, memory-mapped and
 * streamed through Hadoop's local file system, as model loading does. The files are written to a
 * temporary folder (deleted after), so the reads run from the page cache: this measures conversion
 * and copying, not the disk. Not a test; run it with {@code java -cp
 * target/test-classes:target/classes:<test classpath> org.embench.model.io.SafetensorsReadBenchmark
 * [MB]}.
 */
public final class SafetensorsReadBenchmark {
  private static final int TENSORS = 8;
  private static final int ROUNDS = 3;

  private SafetensorsReadBenchmark() {}

  public static void main(String[] args) throws IOException {
    long fileBytes = (args.length > 0 ? Long.parseLong(args[0]) : 500) << 20;
    Path dir = Files.createTempDirectory("embench-read-bench");
    try {
      for (DType dtype : new DType[] {DType.F32, DType.BF16}) {
        int perTensor = (int) (fileBytes * 8 / dtype.bits() / TENSORS);
        Path file = write(dir, dtype, perTensor);
        FloatBuffer dst = ByteBuffer.allocateDirect(4 * perTensor).asFloatBuffer();
        for (boolean mmap : new boolean[] {true, false}) {
          Configuration conf = new Configuration();
          conf.setBoolean(SafetensorsReader.MMAP, mmap);
          for (int round = 1; round <= ROUNDS; round++) {
            long start = System.nanoTime();
            try (SafetensorsReader r = SafetensorsReader.open(file.toString(), conf)) {
              for (String name : r.tensors().keySet()) {
                r.readFloats(name, dst.clear());
              }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf(
                Locale.ROOT,
                "%-4s %-6s round %d: %5d MB file in %.3f s = %6.0f MB/s of file,"
                    + " %6.0f M floats/s%n",
                dtype,
                mmap ? "mmap" : "stream",
                round,
                Files.size(file) >> 20,
                seconds,
                Files.size(file) / 1e6 / seconds,
                (double) perTensor * TENSORS / 1e6 / seconds);
          }
        }
        Files.delete(file);
      }
    } finally {
      try (var files = Files.list(dir)) {
        for (Path p : (Iterable<Path>) files::iterator) {
          Files.delete(p);
        }
      }
      Files.delete(dir);
    }
  }

  private static Path write(Path dir, DType dtype, int perTensor) {
    float[] values = new float[perTensor];
    SplittableRandom random = new SplittableRandom(1);
    for (int i = 0; i < perTensor; i++) {
      values[i] = (float) random.nextGaussian() * 0.02f;
    }
    SafetensorsWriter writer = new SafetensorsWriter();
    for (int t = 0; t < TENSORS; t++) {
      writer.add("model.layers." + t + ".mlp.weight", dtype, new long[] {perTensor}, values);
    }
    Path file = dir.resolve(dtype + ".safetensors");
    long start = System.nanoTime();
    writer.writeTo(file.toString(), new Configuration());
    System.out.printf(
        Locale.ROOT, "%-4s wrote %s in %.1f s%n", dtype, file, (System.nanoTime() - start) / 1e9);
    return file;
  }
}
