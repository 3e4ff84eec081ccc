package org.embench.model.io;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.embench.model.GenerationConfig;
import org.embench.model.ModelConfig;

/**
 * Writes a Hugging Face model directory that transformers and {@link CheckpointWeights} load:
 * config.json (its {@code torch_dtype} set to the dtype written), an optional
 * generation_config.json, and the weights as one model.safetensors or, given a maximum shard size,
 * as {@code model-0000i-of-0000n.safetensors} shards with an index. Tensors are added first
 * (referenced, not copied) and written by {@link #write}.
 */
public final class CheckpointWriter {
  private static final Map<DType, String> TORCH_DTYPES =
      Map.of(DType.F32, "float32", DType.BF16, "bfloat16", DType.F16, "float16");

  private record Tensor(String name, long[] shape, FloatBuffer data) {}

  private final String dir;
  private final Configuration conf;
  private final ModelConfig config;
  private final Map<String, Tensor> tensors = new LinkedHashMap<>();
  private DType dtype = DType.F32;
  private long maxShardBytes;
  private GenerationConfig generationConfig;

  public CheckpointWriter(String dir, Configuration conf, ModelConfig config) {
    this.dir = dir;
    this.conf = conf;
    this.config = config;
  }

  /** The dtype of every tensor written (F32 unless set). */
  public CheckpointWriter dtype(DType dtype) {
    if (!dtype.isFloat()) {
      throw new IllegalArgumentException(
          "cannot write a checkpoint in " + dtype + "; supported: " + DType.floatTypeNames());
    }
    this.dtype = dtype;
    return this;
  }

  /**
   * Splits the weights into shards of at most this many bytes of tensor data (a bigger tensor gets
   * a shard of its own).
   */
  public CheckpointWriter maxShardBytes(long maxShardBytes) {
    if (maxShardBytes <= 0) {
      throw new IllegalArgumentException("maxShardBytes must be positive, found " + maxShardBytes);
    }
    this.maxShardBytes = maxShardBytes;
    return this;
  }

  public CheckpointWriter generationConfig(GenerationConfig generationConfig) {
    this.generationConfig = generationConfig;
    return this;
  }

  public CheckpointWriter add(String name, long[] shape, float[] data) {
    return add(name, shape, FloatBuffer.wrap(data));
  }

  /** Adds the values from the position to the limit of {@code data}. */
  public CheckpointWriter add(String name, long[] shape, FloatBuffer data) {
    if (tensors.containsKey(name)) {
      throw new IllegalArgumentException("tensor '" + name + "' was already added");
    }
    SafetensorsWriter.checkShape(name, shape, data.remaining());
    tensors.put(name, new Tensor(name, shape.clone(), data.duplicate()));
    return this;
  }

  /**
   * Writes the directory. config.json goes last, so a directory whose writing was cut short is not
   * taken for a model. A weights file of the other layout is removed: readers prefer
   * model.safetensors, so a stale one would shadow new shards.
   */
  public void write() {
    List<SafetensorsWriter> shards = shards();
    if (shards.size() == 1) {
      HadoopFiles.deleteIfExists(new Path(dir, Checkpoint.WEIGHTS_INDEX), conf);
      shards.get(0).writeTo(new Path(dir, Checkpoint.WEIGHTS).toString(), conf);
    } else {
      HadoopFiles.deleteIfExists(new Path(dir, Checkpoint.WEIGHTS), conf);
      Map<String, String> weightMap = new LinkedHashMap<>();
      long totalSize = 0;
      for (int i = 0; i < shards.size(); i++) {
        String file = String.format("model-%05d-of-%05d.safetensors", i + 1, shards.size());
        shards.get(i).writeTo(new Path(dir, file).toString(), conf);
        for (String name : shards.get(i).names()) {
          weightMap.put(name, file);
        }
        totalSize += shards.get(i).dataBytes();
      }
      HadoopFiles.writeString(
          new Path(dir, Checkpoint.WEIGHTS_INDEX),
          new ShardIndex(weightMap, totalSize).toJson(),
          conf);
    }
    if (generationConfig != null) {
      HadoopFiles.writeString(
          new Path(dir, Checkpoint.GENERATION_CONFIG), generationConfig.toJson(), conf);
    }
    ModelConfig written = config.toBuilder().torchDtype(TORCH_DTYPES.get(dtype)).build();
    HadoopFiles.writeString(new Path(dir, Checkpoint.CONFIG), written.toJson(), conf);
  }

  /**
   * Tensors in the order added, a new shard started when the next tensor would overflow this one.
   */
  private List<SafetensorsWriter> shards() {
    List<SafetensorsWriter> shards = new ArrayList<>();
    SafetensorsWriter shard = newShard();
    for (Tensor t : tensors.values()) {
      long bytes = dtype.byteSize(t.data().remaining());
      if (maxShardBytes > 0 && shard.dataBytes() > 0 && shard.dataBytes() + bytes > maxShardBytes) {
        shards.add(shard);
        shard = newShard();
      }
      shard.add(t.name(), dtype, t.shape(), t.data());
    }
    shards.add(shard);
    return shards;
  }

  /** transformers refuses safetensors files without {@code format: pt} metadata. */
  private static SafetensorsWriter newShard() {
    return new SafetensorsWriter().metadata("format", "pt");
  }
}
