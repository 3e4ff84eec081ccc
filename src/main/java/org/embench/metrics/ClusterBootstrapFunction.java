package org.embench.metrics;

import java.io.Serializable;
import java.util.ArrayList;
import org.apache.spark.sql.Encoder;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.expressions.Aggregator;
import scala.Tuple4;

/**
 * SQL aggregate {@code embench_cluster_bootstrap(key, question_id, k, n)}: the cluster-bootstrap
 * interval of a suite's macro and pooled rate from its per-question counts, computed where the
 * group's rows are (no raw rows reach the driver). {@code key} names the output row and seeds it.
 * Returns {@code struct<macroHi, macroLo, pooledHi, pooledLo>}.
 */
public final class ClusterBootstrapFunction
    extends Aggregator<
        Tuple4<String, String, Long, Long>,
        ClusterBootstrapFunction.Buffer,
        ClusterBootstrapFunction.Result> {
  private static final long serialVersionUID = 1L;
  public static final String NAME = "embench_cluster_bootstrap";

  private final int replicates;
  private final long seed;
  private final double confidence;

  public ClusterBootstrapFunction(int replicates, long seed, double confidence) {
    this.replicates = replicates;
    this.seed = seed;
    this.confidence = confidence;
  }

  /** The per-question counts of one group. */
  public static final class Buffer implements Serializable {
    private static final long serialVersionUID = 1L;
    String key;
    final ArrayList<Bootstrap.QuestionCount> questions = new ArrayList<>();
  }

  /** The interval ends (a Java bean, for Spark's bean encoder). */
  public static final class Result implements Serializable {
    private static final long serialVersionUID = 1L;
    private double macroLo;
    private double macroHi;
    private double pooledLo;
    private double pooledHi;

    public double getMacroLo() {
      return macroLo;
    }

    public void setMacroLo(double v) {
      macroLo = v;
    }

    public double getMacroHi() {
      return macroHi;
    }

    public void setMacroHi(double v) {
      macroHi = v;
    }

    public double getPooledLo() {
      return pooledLo;
    }

    public void setPooledLo(double v) {
      pooledLo = v;
    }

    public double getPooledHi() {
      return pooledHi;
    }

    public void setPooledHi(double v) {
      pooledHi = v;
    }
  }

  @Override
  public Buffer zero() {
    return new Buffer();
  }

  @Override
  public Buffer reduce(Buffer b, Tuple4<String, String, Long, Long> row) {
    if (b.key == null) {
      b.key = row._1();
    }
    b.questions.add(new Bootstrap.QuestionCount(row._2(), row._3(), row._4()));
    return b;
  }

  @Override
  public Buffer merge(Buffer a, Buffer b) {
    if (a.key == null) {
      a.key = b.key;
    }
    a.questions.addAll(b.questions);
    return a;
  }

  @Override
  public Result finish(Buffer b) {
    Bootstrap.ClusterInterval ci =
        Bootstrap.cluster(b.questions, replicates, seed, confidence, b.key);
    Result r = new Result();
    r.setMacroLo(ci.macroLo());
    r.setMacroHi(ci.macroHi());
    r.setPooledLo(ci.pooledLo());
    r.setPooledHi(ci.pooledHi());
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

  public static Encoder<Tuple4<String, String, Long, Long>> inputEncoder() {
    return Encoders.tuple(Encoders.STRING(), Encoders.STRING(), Encoders.LONG(), Encoders.LONG());
  }
}
