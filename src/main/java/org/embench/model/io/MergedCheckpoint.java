package org.embench.model.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.IOUtils;
import org.embench.UserException;

/**
 * Writes a Hugging Face model directory that is a base model with some of its tensors changed (full
 * fine-tuning's W + ΔW): every tensor of the base under its own name, in its own dtype and shard
 * file, the updated ones with the update added in float32 first, and the base's config.json, shard
 * index and tokenizer and generation files copied as they are. So the copy loads wherever the base
 * does (transformers, {@code generate --model}), tied embeddings stay tied (a tied head is not a
 * tensor of its own), and an unchanged tensor keeps its exact bits. One tensor is in memory (as
 * float32) at a time.
 */
public final class MergedCheckpoint {
  /** The files besides config and weights that are copied when the base has them. */
  public static final List<String> SIDE_FILES =
      List.of(
          Checkpoint.GENERATION_CONFIG,
          "tokenizer.json",
          "tokenizer_config.json",
          "special_tokens_map.json",
          "chat_template.jinja",
          "chat_template.json",
          "added_tokens.json",
          "vocab.json",
          "merges.txt",
          "tokenizer.model");

  private MergedCheckpoint() {}

  /**
   * Writes {@code base} with {@code updates} (tensor name → values to add, as many as the tensor
   * has) added into {@code out}. config.json goes last, so a copy cut short is not taken for a
   * model.
   */
  public static void write(
      String base, String out, Map<String, float[]> updates, Configuration conf) {
    Path single = new Path(base, Checkpoint.WEIGHTS);
    Path index = new Path(base, Checkpoint.WEIGHTS_INDEX);
    List<String> files = new ArrayList<>();
    if (HadoopFiles.isFile(single, conf)) {
      files.add(Checkpoint.WEIGHTS);
    } else if (HadoopFiles.isFile(index, conf)) {
      files.addAll(
          new LinkedHashSet<>(
              ShardIndex.parse(HadoopFiles.readString(index, conf), index.toString())
                  .weightMap()
                  .values()));
    } else {
      throw new UserException(
          "no " + Checkpoint.WEIGHTS + " or " + Checkpoint.WEIGHTS_INDEX + " in " + base);
    }
    try (CheckpointWeights all = CheckpointWeights.open(base, conf)) {
      Set<String> unknown = new LinkedHashSet<>(updates.keySet());
      unknown.removeAll(all.names());
      if (!unknown.isEmpty()) {
        throw new IllegalArgumentException(
            "updates of tensors that " + base + " does not have: " + unknown);
      }
    }
    for (String file : files) {
      try (SafetensorsReader r = SafetensorsReader.open(new Path(base, file).toString(), conf)) {
        SafetensorsWriter w = new SafetensorsWriter();
        r.metadata().forEach(w::metadata);
        w.metadata("format", "pt");
        for (TensorInfo t : r.tensors().values()) {
          if (!t.dtype().isFloat()) {
            throw new UserException(
                base
                    + "/"
                    + file
                    + ": tensor "
                    + t.name()
                    + " is "
                    + t.dtype()
                    + "; only checkpoints of "
                    + DType.floatTypeNames()
                    + " tensors can be merged");
          }
          float[] delta = updates.get(t.name());
          if (delta != null && delta.length != t.numel()) {
            throw new IllegalArgumentException(
                "update of "
                    + t.name()
                    + " has "
                    + delta.length
                    + " values; the"
                    + " tensor has "
                    + t.numel());
          }
          // Read (and merged) only when written: one tensor in memory at a time.
          w.addLater(
              t.name(),
              t.dtype(),
              t.shape(),
              () -> {
                float[] v = r.readFloats(t.name());
                if (delta != null) {
                  for (int i = 0; i < v.length; i++) {
                    v[i] += delta[i];
                  }
                }
                return v;
              });
        }
        w.writeTo(new Path(out, file).toString(), conf);
      }
    }
    // The other layout's weights would shadow (model.safetensors) or confuse (an index) the new
    // ones.
    if (files.size() == 1 && files.get(0).equals(Checkpoint.WEIGHTS)) {
      HadoopFiles.deleteIfExists(new Path(out, Checkpoint.WEIGHTS_INDEX), conf);
    } else {
      HadoopFiles.deleteIfExists(new Path(out, Checkpoint.WEIGHTS), conf);
      copy(index, new Path(out, Checkpoint.WEIGHTS_INDEX), conf);
    }
    for (String f : SIDE_FILES) {
      if (HadoopFiles.isFile(new Path(base, f), conf)) {
        copy(new Path(base, f), new Path(out, f), conf);
      }
    }
    copy(new Path(base, Checkpoint.CONFIG), new Path(out, Checkpoint.CONFIG), conf);
  }

  private static void copy(Path from, Path to, Configuration conf) {
    try (InputStream in = HadoopFiles.fileSystem(from, conf).open(from);
        OutputStream o = HadoopFiles.create(to, conf)) {
      IOUtils.copyBytes(in, o, 1 << 16, false);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot copy " + from + " to " + to + ": " + e.getMessage(), e);
    }
  }
}
