package org.embench.jobs;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Serializable;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.embench.data.ChatMessage;
import org.embench.mitigation.Mitigation;
import org.embench.mitigation.MitigationContext;
import org.embench.mitigation.Mitigations;
import org.embench.model.LanguageModel;
import org.embench.train.Adapters;
import org.embench.train.TokenizedExample;
import org.embench.train.TrainConfig;
import org.embench.train.Trainer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The work of one train task: one run. Loads the base model (once per JVM), applies the
 * mitigation, trains with checkpoints under the adapter folder (so a killed task resumes), writes
 * the adapter, and returns the run's row and its steps as JSON. A failure becomes a failed run
 * with its error; it never stops the other tasks.
 */
final class TrainTask implements MapPartitionsFunction<Row, Row>, Serializable {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(TrainTask.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One output row: {@code kind} "run" or "step", and the row as JSON. */
  static final StructType OUTPUT = DataTypes.createStructType(List.of(
      DataTypes.createStructField("kind", DataTypes.StringType, false),
      DataTypes.createStructField("json", DataTypes.StringType, false)));

  private final Broadcast<Map<String, List<List<ChatMessage>>>> datasets;
  private final HadoopConf conf;

  TrainTask(Broadcast<Map<String, List<List<ChatMessage>>>> datasets, HadoopConf conf) {
    this.datasets = datasets;
    this.conf = conf;
  }

  @Override
  public Iterator<Row> call(Iterator<Row> input) throws IOException {
    List<Row> out = new ArrayList<>();
    while (input.hasNext()) {
      RunRecord run = JSON.readValue(input.next().getString(0), RunRecord.class);
      out.addAll(train(run));
    }
    return out.iterator();
  }

  private List<Row> train(RunRecord run) throws IOException {
    List<Row> out = new ArrayList<>();
    long start = System.nanoTime();
    try {
      TrainConfig cfg = TrainConfig.fromMap(JSON.readValue(run.trainConfigJson(), Map.class), "run " + run.runName());
      @SuppressWarnings("unchecked")
      Map<String, Object> params = JSON.readValue(run.mitigationParamsJson(), Map.class);
      Mitigation mitigation = Mitigations.create(run.mitigation(), params);
      LanguageModel model = LanguageModel.cached(run.model(), conf.get());
      MitigationContext ctx = new MitigationContext(model, datasets.value(), cfg, run.seed(), conf.get());
      List<List<ChatMessage>> conversations = mitigation.trainingData(ctx.dataset(run.datasetId(), "run " + run.runName()), ctx);
      List<TokenizedExample> data = ctx.tokenize(conversations);
      LOG.info("train run {}: {} examples, mitigation {}", run.runName(), data.size(), run.mitigation());
      Trainer trainer = new Trainer(model.weights(), model.engine(), new Trainer.Setup(cfg, run.seed(),
          mitigation.hooks(ctx), mitigation.referenceTerms(ctx), run.adapterPath() + "/_checkpoints", conf.get(),
          log -> LOG.info("train run {}: step {} loss {} lr {}", run.runName(), log.step(),
              String.format("%.4f", log.loss()), String.format("%.2e", log.learningRate()))));
      Trainer.Result result = trainer.train(data);
      mitigation.afterTraining(result.params(), ctx);
      Adapters.write(run.adapterPath(), result.params(), cfg, run.model(), conf.get());
      new Path(run.adapterPath(), "_checkpoints").getFileSystem(conf.get())
          .delete(new Path(run.adapterPath(), "_checkpoints"), true);
      for (Trainer.StepLog s : result.steps()) {
        out.add(RowFactory.create("step", JSON.writeValueAsString(Map.of("run_id", run.runId(), "log", s))));
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      RunRecord done = new RunRecord(run.runId(), run.runName(), run.kind(), run.groupId(), run.baselineGroupId(),
          run.model(), run.datasetId(), run.mitigation(), run.mitigationParamsJson(), run.seed(), run.trainConfigJson(),
          run.adapterPath(), "finished", null, seconds, result.tokens(), result.tokens() / Math.max(1e-9, seconds),
          result.peakHeapBytes(), result.peakOffheapBytes(), Device.describe(), null);
      out.add(RowFactory.create("run", JSON.writeValueAsString(done)));
    } catch (RuntimeException | IOException e) {
      LOG.error("train run {} failed: {}", run.runName(), e.toString());
      StringWriter trace = new StringWriter();
      e.printStackTrace(new PrintWriter(trace));
      String error = e.getMessage() == null ? e.toString() : e.getMessage();
      out.add(RowFactory.create("run", JSON.writeValueAsString(run.withStatus("failed",
          error + "\n" + trace.toString().lines().limit(12).reduce("", (a, b) -> a + b + "\n")))));
    }
    return out;
  }
}
