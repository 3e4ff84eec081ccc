package org.embench.stage;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.embench.UserException;
import org.embench.config.ExperimentSpec;
import org.embench.data.InputFiles;
import org.embench.model.ModelConfig;
import org.embench.model.PeftAdapter;
import org.embench.model.io.ModelCheck;
import org.embench.stage.generate.GenerateJob;
import org.embench.table.Ids;
import org.embench.table.Warehouse;

/**
 * Published PEFT adapters as runs of kind {@code imported_adapter}. Each is checked on the driver
 * before its run row exists: the base model directory, then the adapter against the base model's
 * config (settings and modules the engine cannot apply, tensor shapes), so a bad adapter is one
 * clear error rather than a failure in every generate task.
 */
public final class ImportedAdapters {
  private static final ObjectMapper JSON = new ObjectMapper();

  private ImportedAdapters() {}

  /** The run of {@code adapter} on {@code model}, after checking both; nothing is written. */
  public static RunRecord check(String model, String adapter, String runName, Configuration conf) {
    ModelConfig cfg = ModelCheck.check(model, List.of(), conf);
    Path dir = new Path(adapter);
    try {
      FileSystem fs = dir.getFileSystem(conf);
      if (!fs.exists(dir)) {
        throw new UserException("adapter directory not found: " + adapter);
      }
      for (String file : List.of(PeftAdapter.CONFIG, PeftAdapter.WEIGHTS)) {
        Path path = new Path(dir, file);
        if (!fs.exists(path) || !fs.getFileStatus(path).isFile()) {
          boolean bin =
              file.equals(PeftAdapter.WEIGHTS) && fs.exists(new Path(dir, "adapter_model.bin"));
          throw new UserException(
              "adapter directory "
                  + adapter
                  + " has no "
                  + file
                  + "; a published adapter is a"
                  + " PEFT directory with "
                  + PeftAdapter.CONFIG
                  + " and "
                  + PeftAdapter.WEIGHTS
                  + (bin
                      ? " (adapter_model.bin is a pickle, which is not read: save it as safetensors)"
                      : ""));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + adapter + ": " + e.getMessage(), e);
    }
    PeftAdapter.read(adapter, conf, cfg);
    Map<String, Object> config;
    try {
      config =
          JSON.readValue(
              InputFiles.readString(adapter + "/" + PeftAdapter.CONFIG, conf),
              new com.fasterxml.jackson.core.type.TypeReference<
                  LinkedHashMap<String, Object>>() {});
    } catch (IOException e) {
      throw new UserException(
          adapter + "/" + PeftAdapter.CONFIG + ": not valid JSON: " + e.getMessage());
    }
    return RunRecord.importedAdapter(
        model,
        adapter,
        Ids.canonicalJson(config),
        PeftAdapter.contentHash(adapter, conf),
        runName != null ? runName : GenerateJob.lastSegment(adapter));
  }

  /** Checks every adapter of a spec, then writes their runs (all or none). */
  public static List<RunRecord> register(Warehouse w, List<ExperimentSpec.AdapterModel> adapters) {
    Configuration conf = w.spark().sparkContext().hadoopConfiguration();
    List<RunRecord> runs = new ArrayList<>();
    for (ExperimentSpec.AdapterModel a : adapters) {
      runs.add(check(a.path(), a.adapter(), a.name(), conf));
    }
    RunRecord.upsert(w, runs);
    return runs;
  }
}
