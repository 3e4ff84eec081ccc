package org.embench.model.io;

import java.io.Closeable;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.embench.UserException;

/**
 * The weights of a Hugging Face model directory, from one {@code model.safetensors} or from the
 * shards a {@code model.safetensors.index.json} names, behind one name → tensor view. Opening reads
 * and checks every header (and that each indexed tensor is in its shard), so a broken checkpoint
 * fails before any weight is loaded.
 */
public final class CheckpointWeights implements Closeable {
  private final String dir;
  private final List<SafetensorsReader> files;
  private final Map<String, SafetensorsReader> byTensor;

  private CheckpointWeights(
      String dir, List<SafetensorsReader> files, Map<String, SafetensorsReader> byTensor) {
    this.dir = dir;
    this.files = files;
    this.byTensor = Collections.unmodifiableMap(byTensor);
  }

  public static CheckpointWeights open(String dir, Configuration conf) {
    Path single = new Path(dir, Checkpoint.WEIGHTS);
    Path index = new Path(dir, Checkpoint.WEIGHTS_INDEX);
    List<SafetensorsReader> files = new ArrayList<>();
    try {
      Map<String, SafetensorsReader> byTensor = new LinkedHashMap<>();
      if (HadoopFiles.isFile(single, conf)) {
        SafetensorsReader r = SafetensorsReader.open(single.toString(), conf);
        files.add(r);
        r.tensors().keySet().forEach(name -> byTensor.put(name, r));
      } else if (HadoopFiles.isFile(index, conf)) {
        ShardIndex shards = ShardIndex.parse(HadoopFiles.readString(index, conf), index.toString());
        Map<String, SafetensorsReader> byShard = new LinkedHashMap<>();
        for (var e : shards.weightMap().entrySet()) {
          SafetensorsReader r =
              byShard.computeIfAbsent(
                  e.getValue(),
                  shard -> {
                    SafetensorsReader opened = openShard(new Path(dir, shard), index, conf);
                    files.add(opened);
                    return opened;
                  });
          if (!r.tensors().containsKey(e.getKey())) {
            throw new UserException(
                index
                    + " puts tensor '"
                    + e.getKey()
                    + "' in "
                    + e.getValue()
                    + ", which does not have it");
          }
          byTensor.put(e.getKey(), r);
        }
      } else {
        throw new UserException(
            "no " + Checkpoint.WEIGHTS + " or " + Checkpoint.WEIGHTS_INDEX + " in " + dir);
      }
      return new CheckpointWeights(dir, List.copyOf(files), byTensor);
    } catch (RuntimeException e) {
      files.forEach(r -> closeQuietly(r, e));
      throw e;
    }
  }

  private static SafetensorsReader openShard(Path shard, Path index, Configuration conf) {
    if (!HadoopFiles.isFile(shard, conf)) {
      throw new UserException(
          index
              + " names shard "
              + shard.getName()
              + ", which is missing from "
              + shard.getParent());
    }
    return SafetensorsReader.open(shard.toString(), conf);
  }

  public String dir() {
    return dir;
  }

  /** Every tensor name, in file (or index) order. */
  public Set<String> names() {
    return byTensor.keySet();
  }

  public TensorInfo info(String name) {
    return reader(name).info(name);
  }

  public float[] readFloats(String name) {
    return reader(name).readFloats(name);
  }

  /** See {@link SafetensorsReader#readFloats(String, FloatBuffer)}. */
  public void readFloats(String name, FloatBuffer dst) {
    reader(name).readFloats(name, dst);
  }

  private SafetensorsReader reader(String name) {
    SafetensorsReader r = byTensor.get(name);
    if (r == null) {
      throw SafetensorsReader.unknownTensor(name, byTensor.keySet(), dir);
    }
    return r;
  }

  @Override
  public void close() {
    RuntimeException first = null;
    for (SafetensorsReader r : files) {
      try {
        r.close();
      } catch (RuntimeException e) {
        if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }

  private static void closeQuietly(SafetensorsReader r, RuntimeException cause) {
    try {
      r.close();
    } catch (RuntimeException e) {
      cause.addSuppressed(e);
    }
  }
}
