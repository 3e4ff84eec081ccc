package org.embench.stage.generate;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.embench.data.ChatMessage;
import org.embench.model.AdapterFiles;
import org.embench.model.Generator;
import org.embench.model.LanguageModel;
import org.embench.model.SamplingParams;
import org.embench.model.TinyModel;
import org.embench.stage.HadoopConf;
import org.embench.table.Ids;
import org.embench.train.Adapters;
import org.embench.train.Backprop;
import org.embench.train.ReferenceTerms;
import org.embench.train.TokenizedExample;
import org.embench.train.TrainConfig;
import org.embench.train.Trainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The generate task samples a full fine-tuning run that trained embeddings, norms and head from the
 * merged model it wrote (a projection delta on the base could not carry those parts).
 */
class FullRunSamplingTest {
  @TempDir static Path dir;

  @Test
  void aRunWithTrainedNormsIsSampledFromItsMergedModel() {
    Configuration conf = new Configuration();
    String base = dir.resolve("base").toString();
    TinyModel.write(base, "qwen2", 5, conf);
    LanguageModel model = LanguageModel.cached(base, conf);
    TrainConfig cfg =
        TrainConfig.fromMap(
            Map.of(
                "full",
                true,
                "full_train",
                List.of("norms", "head"),
                "learning_rate",
                0.01,
                "batch_size",
                2,
                "gradient_accumulation",
                1,
                "max_steps",
                2,
                "warmup_steps",
                0),
            "test");
    List<TokenizedExample> data = new ArrayList<>();
    for (String a : List.of("apple", "river")) {
      data.add(
          TokenizedExample.of(
              List.of(ChatMessage.user("A word?"), ChatMessage.assistant(a)),
              model.chatTemplate(),
              model.tokenizer(),
              64));
    }
    Trainer.Result r =
        new Trainer(
                model.weights(),
                model.engine(),
                new Trainer.Setup(
                    cfg, 1, Backprop.Hooks.NONE, ReferenceTerms.NONE, null, conf, null))
            .train(data);
    String adapter = dir.resolve("run").toString();
    Adapters.write(adapter, r.params(), r.parts(), cfg, base, conf);

    StructType schema =
        DataTypes.createStructType(
            List.of(
                DataTypes.createStructField("run_id", DataTypes.StringType, false),
                DataTypes.createStructField("model", DataTypes.StringType, false),
                DataTypes.createStructField("adapter_path", DataTypes.StringType, true),
                DataTypes.createStructField("suite_id", DataTypes.StringType, false),
                DataTypes.createStructField("question_id", DataTypes.StringType, false),
                DataTypes.createStructField("paraphrase_idx", DataTypes.IntegerType, false),
                DataTypes.createStructField("paraphrase", DataTypes.StringType, false),
                DataTypes.createStructField("system", DataTypes.StringType, true),
                DataTypes.createStructField("sample_idx", DataTypes.IntegerType, false),
                DataTypes.createStructField("generation_id", DataTypes.StringType, false)));
    String question = "Which word is green?";
    Row item =
        new GenericRowWithSchema(
            new Object[] {"run-1", base, adapter, "s", "q", 0, question, null, 0, "gen-1"}, schema);
    SamplingParams params = new SamplingParams(1.0, 1.0, 0, 12);
    Iterator<Row> out =
        new GenerationTask(params, org.embench.model.Prompting.DEFAULT, 4, new HadoopConf(conf))
            .call(List.of(item).iterator());
    String answer =
        out.next()
            .getString(
                org.embench.table.Tables.schema(org.embench.table.Tables.GENERATIONS)
                    .struct()
                    .fieldIndex("answer"));

    LanguageModel merged =
        LanguageModel.load(adapter + "/" + AdapterFiles.MODEL, conf, model.engine());
    Generator.Result expected =
        merged
            .generator(merged.transformer(Map.of()), 4, 4 * 1024)
            .generate(
                List.of(
                    new Generator.Request(
                        "gen-1",
                        merged.chatPrompt(GenerationTask.chat(null, question)),
                        Ids.seedOf("gen-1"),
                        params)),
                (a, b, c) -> {})
            .get(0);
    assertThat(answer).isEqualTo(merged.tokenizer().decode(expected.tokens(), true));
  }
}
