package org.embench.train;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.embench.UserException;
import org.embench.data.InputFiles;
import org.embench.model.io.DType;
import org.embench.model.io.SafetensorsReader;
import org.embench.model.io.SafetensorsWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Training checkpoints under a directory: {@code checkpoint-<step>/} holds every trainable value
 * with AdamW's moments (float32, exact) and the step log so far, and a {@code _COMPLETE} marker
 * written last, so a checkpoint cut short is never resumed from. The two newest are kept.
 */
final class Checkpoints {
  private static final Logger LOG = LoggerFactory.getLogger(Checkpoints.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PREFIX = "checkpoint-";
  private static final String TENSORS = "state.safetensors";
  private static final String STEPS = "steps.json";
  private static final String COMPLETE = "_COMPLETE";

  /** Prefix of full fine-tuning's embeddings, norms and head in the state file. */
  private static final String PARTS = "part.";

  /** Prefix of other state a run keeps (early stopping's best parameters), values only. */
  private static final String EXTRA = "extra.";

  /** Where a resumed run continues. */
  record State(int step, List<Trainer.StepLog> logs) {}

  private final String dir;
  private final Configuration conf;

  Checkpoints(String dir, Configuration conf) {
    this.dir = dir;
    this.conf = conf;
  }

  void save(int step, Map<String, TrainableLinear> params, List<Trainer.StepLog> logs) {
    save(step, params, Map.of(), logs);
  }

  /**
   * With full fine-tuning's other parts ({@link FullParts}), stored under {@value #PARTS} + tensor
   * name.
   */
  void save(
      int step,
      Map<String, TrainableLinear> params,
      Map<String, TrainableLinear> parts,
      List<Trainer.StepLog> logs) {
    save(step, params, parts, logs, Map.of());
  }

  /** With {@code extra} float arrays by name, stored under {@value #EXTRA} + name. */
  void save(
      int step,
      Map<String, TrainableLinear> params,
      Map<String, TrainableLinear> parts,
      List<Trainer.StepLog> logs,
      Map<String, float[]> extra) {
    String target = dir + "/" + PREFIX + step;
    SafetensorsWriter w = new SafetensorsWriter().metadata("step", String.valueOf(step));
    for (String key : Backprop.keys(params)) {
      add(w, key, params.get(key));
    }
    parts.forEach((name, p) -> add(w, PARTS + name, p));
    extra.forEach((name, v) -> w.add(EXTRA + name, DType.F32, new long[] {v.length}, v));
    try {
      w.writeTo(target + "/" + TENSORS, conf);
      FileSystem fs = new Path(target).getFileSystem(conf);
      try (OutputStream o = fs.create(new Path(target, STEPS), true)) {
        o.write(JSON.writeValueAsBytes(logs));
      }
      fs.create(new Path(target, COMPLETE), true).close();
      List<Integer> done = completeSteps(fs);
      for (int old : done.subList(0, Math.max(0, done.size() - 2))) {
        fs.delete(new Path(dir, PREFIX + old), true);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot write checkpoint " + target + ": " + e.getMessage(), e);
    }
  }

  private static void add(SafetensorsWriter w, String key, TrainableLinear p) {
    for (int t = 0; t < p.values.length; t++) {
      long[] shape = {p.values[t].length};
      w.add(key + ".value." + t, DType.F32, shape, p.values[t]);
      w.add(key + ".m." + t, DType.F32, shape, p.m[t]);
      w.add(key + ".v." + t, DType.F32, shape, p.v[t]);
    }
  }

  State restoreLatest(Map<String, TrainableLinear> params) {
    return restoreLatest(params, Map.of());
  }

  /**
   * Loads the newest complete checkpoint into {@code params} and {@code parts}; null when there is
   * none. A damaged checkpoint, or one of another configuration, is reported and the one before it
   * is used.
   */
  State restoreLatest(Map<String, TrainableLinear> params, Map<String, TrainableLinear> parts) {
    return restoreLatest(params, parts, Map.of());
  }

  /** Also fills {@code extra}'s arrays from the values saved under their names. */
  State restoreLatest(
      Map<String, TrainableLinear> params,
      Map<String, TrainableLinear> parts,
      Map<String, float[]> extra) {
    try {
      Path root = new Path(dir);
      FileSystem fs = root.getFileSystem(conf);
      if (!fs.exists(root)) {
        return null;
      }
      List<Integer> steps = completeSteps(fs);
      for (int i = steps.size() - 1; i >= 0; i--) {
        String target = dir + "/" + PREFIX + steps.get(i);
        try {
          restore(target, params, parts, extra);
          List<Trainer.StepLog> logs =
              JSON.readValue(
                  InputFiles.readString(target + "/" + STEPS, conf),
                  new TypeReference<List<Trainer.StepLog>>() {});
          return new State(steps.get(i), logs);
        } catch (UserException | IOException e) {
          LOG.warn(
              "checkpoint {} cannot be used ({}); trying an earlier one", target, e.getMessage());
        }
      }
      return null;
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot list checkpoints in " + dir + ": " + e.getMessage(), e);
    }
  }

  private void restore(
      String target,
      Map<String, TrainableLinear> params,
      Map<String, TrainableLinear> parts,
      Map<String, float[]> extra) {
    try (SafetensorsReader r = SafetensorsReader.open(target + "/" + TENSORS, conf)) {
      long stored = r.tensors().keySet().stream().filter(n -> n.startsWith(PARTS)).count();
      if (stored != 3L * parts.size()) {
        // Parts of another full_train would otherwise be ignored silently.
        throw new UserException(
            target
                + " holds "
                + stored / 3
                + " trained embedding, norm or head tensors, the run"
                + " trains "
                + parts.size()
                + ": it was written for another configuration");
      }
      for (String name : extra.keySet()) {
        if (!r.tensors().containsKey(EXTRA + name)) {
          // Checked before anything is restored: a run that goes on from scratch starts clean.
          throw new UserException(
              target + " has no " + EXTRA + name + ": it was written for another configuration");
        }
      }
      params.forEach((key, p) -> restore(r, target, key, p));
      parts.forEach((name, p) -> restore(r, target, PARTS + name, p));
      extra.forEach((name, v) -> copy(r, target, EXTRA + name, v));
    }
  }

  private static void restore(SafetensorsReader r, String target, String key, TrainableLinear p) {
    for (int t = 0; t < p.values.length; t++) {
      copy(r, target, key + ".value." + t, p.values[t]);
      copy(r, target, key + ".m." + t, p.m[t]);
      copy(r, target, key + ".v." + t, p.v[t]);
    }
  }

  private static void copy(SafetensorsReader r, String target, String name, float[] into) {
    if (!r.tensors().containsKey(name)) {
      throw new UserException(
          target + " has no " + name + ": it was written for another configuration");
    }
    float[] v = r.readFloats(name);
    if (v.length != into.length) {
      throw new UserException(
          target + ": " + name + " has " + v.length + " values, the run needs " + into.length);
    }
    System.arraycopy(v, 0, into, 0, v.length);
  }

  private List<Integer> completeSteps(FileSystem fs) throws IOException {
    List<Integer> steps = new ArrayList<>();
    Path root = new Path(dir);
    if (!fs.exists(root)) {
      return steps;
    }
    for (FileStatus s : fs.listStatus(root)) {
      String n = s.getPath().getName();
      if (s.isDirectory() && n.startsWith(PREFIX) && fs.exists(new Path(s.getPath(), COMPLETE))) {
        try {
          steps.add(Integer.parseInt(n.substring(PREFIX.length())));
        } catch (NumberFormatException e) {
          LOG.debug("ignoring {}: not a checkpoint directory", n);
        }
      }
    }
    steps.sort(Integer::compare);
    return steps;
  }
}
