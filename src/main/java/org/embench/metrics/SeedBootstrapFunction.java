package org.embench.metrics;

import java.io.Serializable;
import java.util.TreeMap;
import org.apache.spark.sql.Encoder;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.expressions.Aggregator;
import scala.Tuple3;

/**
 * SQL aggregate {@code embench_seed_bootstrap(key, run_id, rate)}: the bootstrap interval over
 * seeds of a group's mean rate (one value per run). Returns {@code struct<hi, lo>}; one run gives a
 * zero-width interval.
 */
public final class SeedBootstrapFunction
    extends Aggregator<
        Tuple3<String, String, Double>,
        SeedBootstrapFunction.Buffer,
        SeedBootstrapFunction.Result> {
  private static final long serialVersionUID = 1L;
  public static final String NAME = "embench_seed_bootstrap";

  private final int replicates;
  private final long seed;
  private final double confidence;

  public SeedBootstrapFunction(int replicates, long seed, double confidence) {
    this.replicates = replicates;
    this.seed = seed;
    this.confidence = confidence;
  }

  /** Values by run id, so the order rows arrive in does not matter. */
  public static final class Buffer implements Serializable {
    private static final long serialVersionUID = 1L;
    String key;
    final TreeMap<String, Double> byRun = new TreeMap<>();
  }

  /** The interval ends (a Java bean). */
  public static final class Result implements Serializable {
    private static final long serialVersionUID = 1L;
    private double lo;
    private double hi;

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
  public Buffer reduce(Buffer b, Tuple3<String, String, Double> row) {
    if (b.key == null) {
      b.key = row._1();
    }
    if (row._3() != null) {
      b.byRun.put(row._2(), row._3());
    }
    return b;
  }

  @Override
  public Buffer merge(Buffer a, Buffer b) {
    if (a.key == null) {
      a.key = b.key;
    }
    a.byRun.putAll(b.byRun);
    return a;
  }

  @Override
  public Result finish(Buffer b) {
    double[] values = b.byRun.values().stream().mapToDouble(Double::doubleValue).toArray();
    Bootstrap.Interval ci = Bootstrap.mean(values, replicates, seed, confidence, b.key);
    Result r = new Result();
    r.setLo(ci.lo());
    r.setHi(ci.hi());
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

  public static Encoder<Tuple3<String, String, Double>> inputEncoder() {
    return Encoders.tuple(Encoders.STRING(), Encoders.STRING(), Encoders.DOUBLE());
  }
}
