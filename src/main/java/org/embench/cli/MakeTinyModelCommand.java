package org.embench.cli;

import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.embench.model.TinyModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "make-tiny-model",
    mixinStandardHelpOptions = true,
    description = {
      "Write a tiny random checkpoint (hidden 64, 2 layers) with a small byte-level BPE tokenizer the project "
          + "trains itself and a ChatML chat template. Its answers are noise: it exists to run the pipeline without a download."
    })
final class MakeTinyModelCommand implements Callable<Integer> {
  @Option(
      names = "--out",
      required = true,
      paramLabel = "DIR",
      description = "Directory to write (local path or Hadoop URI).")
  String out;

  @Option(
      names = "--arch",
      defaultValue = "qwen2",
      paramLabel = "ARCH",
      description = "qwen2, llama, mistral or qwen3. Default: ${DEFAULT-VALUE}.")
  String arch;

  @Option(
      names = "--seed",
      defaultValue = "0",
      paramLabel = "N",
      description = "Seed of the random weights. Default: ${DEFAULT-VALUE}.")
  long seed;

  @Override
  public Integer call() {
    TinyModel.write(out, arch, seed, new Configuration());
    System.out.println("wrote a tiny " + arch + " model to " + out);
    return 0;
  }
}
