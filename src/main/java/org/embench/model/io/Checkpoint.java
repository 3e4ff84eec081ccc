package org.embench.model.io;

import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.embench.UserException;
import org.embench.model.GenerationConfig;
import org.embench.model.ModelConfig;

/**
 * The files of a Hugging Face model directory (local path or Hadoop URI) and how to read its
 * configuration. Weights are read with {@link CheckpointWeights}, written with {@link
 * CheckpointWriter}.
 */
public final class Checkpoint {
  public static final String CONFIG = "config.json";
  public static final String GENERATION_CONFIG = "generation_config.json";
  public static final String WEIGHTS = "model.safetensors";
  public static final String WEIGHTS_INDEX = "model.safetensors.index.json";

  private Checkpoint() {}

  /** The model's config.json; a directory without one is a {@link UserException}. */
  public static ModelConfig readConfig(String dir, Configuration conf) {
    Path file = new Path(dir, CONFIG);
    if (!HadoopFiles.isFile(file, conf)) {
      throw new UserException(
          "no " + CONFIG + " in " + dir + "; is it a Hugging Face model directory?");
    }
    return ModelConfig.parse(HadoopFiles.readString(file, conf), file.toString());
  }

  /** The model's generation_config.json, which is optional. */
  public static Optional<GenerationConfig> readGenerationConfig(String dir, Configuration conf) {
    Path file = new Path(dir, GENERATION_CONFIG);
    if (!HadoopFiles.isFile(file, conf)) {
      return Optional.empty();
    }
    return Optional.of(GenerationConfig.parse(HadoopFiles.readString(file, conf), file.toString()));
  }
}
