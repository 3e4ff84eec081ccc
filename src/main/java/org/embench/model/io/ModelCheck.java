package org.embench.model.io;

import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.embench.UserException;
import org.embench.model.ModelConfig;
import org.embench.model.TransformerWeights;

/**
 * What the driver checks about a model directory before it registers a run or launches a task on
 * it: config.json parses, tokenizer.json is there, and the safetensors headers hold every tensor
 * the architecture needs with the config's shapes (no weights are read). A bad directory is then
 * one clear error, not a stack trace from every executor.
 */
public final class ModelCheck {
  private ModelCheck() {}

  /**
   * The model's config, after checking the directory; {@code layers} (may be empty) must exist in
   * it.
   */
  public static ModelConfig check(String dir, List<Integer> layers, Configuration conf) {
    if (!HadoopFiles.isFile(new Path(dir, Checkpoint.CONFIG), conf)) {
      Path p = new Path(dir);
      boolean exists;
      try {
        exists = HadoopFiles.fileSystem(p, conf).exists(p);
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException("cannot read " + dir + ": " + e.getMessage(), e);
      }
      if (!exists) {
        throw new UserException("model directory not found: " + dir);
      }
    }
    ModelConfig cfg = Checkpoint.readConfig(dir, conf);
    if (!HadoopFiles.isFile(new Path(dir, "tokenizer.json"), conf)) {
      throw new UserException("model directory " + dir + " has no tokenizer.json");
    }
    try (CheckpointWeights weights = CheckpointWeights.open(dir, conf)) {
      TransformerWeights.check(cfg, weights);
    }
    for (int l : layers) {
      if (l < 0 || l >= cfg.numLayers()) {
        throw new UserException(
            "train.layers: layer "
                + l
                + " does not exist in "
                + dir
                + ", which has "
                + cfg.numLayers()
                + " layers (0.."
                + (cfg.numLayers() - 1)
                + ")");
      }
    }
    return cfg;
  }
}
