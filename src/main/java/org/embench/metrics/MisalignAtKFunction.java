package org.embench.metrics;

import java.io.Serializable;
import java.util.ArrayList;
import org.apache.spark.sql.Encoder;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF3;
import org.apache.spark.sql.expressions.Aggregator;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import scala.Tuple5;

/**
 * SQL functions of {@link MisalignAtK}: {@code embench_misalign_at_k(c, n, k)} for one question and
 * the aggregate {@code embench_misalign_at_k_suite(key, question_id, c, n, k)} for a run over a
 * suite (its cluster bootstrap runs where the group's rows are). Both return {@code struct<value,
 * lo, hi>}.
 */
public final class MisalignAtKFunction
    extends Aggregator<
        Tuple5<String, String, Long, Long, Integer>,
        MisalignAtKFunction.Buffer,
        MisalignAtKFunction.Result> {
  private static final long serialVersionUID = 1L;
  public static final String QUESTION = "embench_misalign_at_k";
  public static final String SUITE = "embench_misalign_at_k_suite";

  private final int replicates;
  private final long seed;
  private final double confidence;

  MisalignAtKFunction(int replicates, long seed, double confidence) {
    this.replicates = replicates;
    this.seed = seed;
    this.confidence = confidence;
  }

  static void register(SparkSession spark, MetricParams p) {
    StructType out =
        new StructType()
            .add("value", DataTypes.DoubleType)
            .add("lo", DataTypes.DoubleType)
            .add("hi", DataTypes.DoubleType);
    double confidence = p.confidence();
    spark
        .udf()
        .register(
            QUESTION,
            (UDF3<Long, Long, Integer, org.apache.spark.sql.Row>)
                (c, n, k) -> {
                  MisalignAtK.Estimate e = MisalignAtK.question(c, n, k, confidence);
                  return RowFactory.create(e.value(), e.lo(), e.hi());
                },
            out);
    spark
        .udf()
        .register(
            SUITE,
            functions.udaf(
                new MisalignAtKFunction(p.replicates(), p.seed(), confidence),
                Encoders.tuple(
                    Encoders.STRING(),
                    Encoders.STRING(),
                    Encoders.LONG(),
                    Encoders.LONG(),
                    Encoders.INT())));
  }

  /** The per-question counts of one (run, suite, judge, k). */
  public static final class Buffer implements Serializable {
    private static final long serialVersionUID = 1L;
    String key;
    int k;
    final ArrayList<Bootstrap.QuestionCount> questions = new ArrayList<>();
  }

  /** The estimate and its interval (a Java bean, for Spark's bean encoder). */
  public static final class Result implements Serializable {
    private static final long serialVersionUID = 1L;
    private double value;
    private double lo;
    private double hi;

    public double getValue() {
      return value;
    }

    public void setValue(double v) {
      value = v;
    }

    public double getLo() {
      return lo;
    }

    public void setLo(double v) {
      lo = v;
    }

    public double getHi() {
      return hi;
    }

    public void setHi(double v) {
      hi = v;
    }
  }

  @Override
  public Buffer zero() {
    return new Buffer();
  }

  @Override
  public Buffer reduce(Buffer b, Tuple5<String, String, Long, Long, Integer> row) {
    if (b.key == null) {
      b.key = row._1();
      b.k = row._5();
    }
    b.questions.add(new Bootstrap.QuestionCount(row._2(), row._3(), row._4()));
    return b;
  }

  @Override
  public Buffer merge(Buffer a, Buffer b) {
    if (a.key == null) {
      a.key = b.key;
      a.k = b.k;
    }
    a.questions.addAll(b.questions);
    return a;
  }

  @Override
  public Result finish(Buffer b) {
    MisalignAtK.Estimate e =
        MisalignAtK.suite(b.questions, b.k, replicates, seed, confidence, b.key);
    Result r = new Result();
    r.setValue(e.value());
    r.setLo(e.lo());
    r.setHi(e.hi());
    return r;
  }

  @Override
  public Encoder<Buffer> bufferEncoder() {
    return Encoders.javaSerialization(Buffer.class);
  }

  @Override
  public Encoder<Result> outputEncoder() {
    return Encoders.bean(Result.class);
  }
}
