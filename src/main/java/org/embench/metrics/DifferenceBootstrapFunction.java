package org.embench.metrics;

import java.io.Serializable;
import java.util.ArrayList;
import org.apache.spark.sql.Encoder;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.expressions.Aggregator;
import scala.Tuple4;

/**
 * SQL aggregate {@code embench_difference_bootstrap(key, side, seed, rate)} with side 'mitigated'
 * or 'baseline': mitigated minus baseline mean rate with a bootstrap interval, paired by seed where
 * seeds match (see {@link Bootstrap#difference}).
 */
public final class DifferenceBootstrapFunction
    extends Aggregator<
        Tuple4<String, String, Long, Double>,
        DifferenceBootstrapFunction.Buffer,
        DifferenceBootstrapFunction.Result> {
  private static final long serialVersionUID = 1L;
  public static final String NAME = "embench_difference_bootstrap";
  public static final String MITIGATED = "mitigated";
  public static final String BASELINE = "baseline";

  private final int replicates;
  private final long seed;
  private final double confidence;

  public DifferenceBootstrapFunction(int replicates, long seed, double confidence) {
    this.replicates = replicates;
    this.seed = seed;
    this.confidence = confidence;
  }

  /** Both sides' runs. */
  public static final class Buffer implements Serializable {
    private static final long serialVersionUID = 1L;
    String key;
    final ArrayList<Bootstrap.SeededValue> mitigated = new ArrayList<>();
    final ArrayList<Bootstrap.SeededValue> baseline = new ArrayList<>();
  }

  /** The difference and its interval (a Java bean). */
  public static final class Result implements Serializable {
    private static final long serialVersionUID = 1L;
    private double mitigated;
    private double baseline;
    private double difference;
    private double lo;
    private double hi;
    private boolean paired;
    private long mitigatedRuns;
    private long baselineRuns;

    public double getMitigated() {
      return mitigated;
    }

    public void setMitigated(double v) {
      mitigated = v;
    }

    public double getBaseline() {
      return baseline;
    }

    public void setBaseline(double v) {
      baseline = v;
    }

    public double getDifference() {
      return difference;
    }

    public void setDifference(double v) {
      difference = v;
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

    public boolean isPaired() {
      return paired;
    }

    public void setPaired(boolean v) {
      paired = v;
    }

    public long getMitigatedRuns() {
      return mitigatedRuns;
    }

    public void setMitigatedRuns(long v) {
      mitigatedRuns = v;
    }

    public long getBaselineRuns() {
      return baselineRuns;
    }

    public void setBaselineRuns(long v) {
      baselineRuns = v;
    }
  }

  @Override
  public Buffer zero() {
    return new Buffer();
  }

  @Override
  public Buffer reduce(Buffer b, Tuple4<String, String, Long, Double> row) {
    if (b.key == null) {
      b.key = row._1();
    }
    if (row._4() == null) {
      return b;
    }
    Bootstrap.SeededValue v = new Bootstrap.SeededValue(row._3(), row._4());
    switch (row._2()) {
      case MITIGATED -> b.mitigated.add(v);
      case BASELINE -> b.baseline.add(v);
      default ->
          throw new IllegalArgumentException(
              NAME + ": side must be 'mitigated' or 'baseline', got '" + row._2() + "'");
    }
    return b;
  }

  @Override
  public Buffer merge(Buffer a, Buffer b) {
    if (a.key == null) {
      a.key = b.key;
    }
    a.mitigated.addAll(b.mitigated);
    a.baseline.addAll(b.baseline);
    return a;
  }

  @Override
  public Result finish(Buffer b) {
    if (b.mitigated.isEmpty() || b.baseline.isEmpty()) {
      // Spark finishes every group before HAVING drops it: a group with an empty side (no baseline
      // runs, or only null rates) gets NaNs here, and the SQL's HAVING (a side with a non-null
      // value on both sides) leaves it out of the table.
      Result r = new Result();
      r.setMitigated(Double.NaN);
      r.setBaseline(Double.NaN);
      r.setDifference(Double.NaN);
      r.setLo(Double.NaN);
      r.setHi(Double.NaN);
      r.setMitigatedRuns(b.mitigated.size());
      r.setBaselineRuns(b.baseline.size());
      return r;
    }
    Bootstrap.Difference d =
        Bootstrap.difference(b.mitigated, b.baseline, replicates, seed, confidence, b.key);
    Result r = new Result();
    r.setMitigated(d.mitigated());
    r.setBaseline(d.baseline());
    r.setDifference(d.difference());
    r.setLo(d.lo());
    r.setHi(d.hi());
    r.setPaired(d.paired());
    r.setMitigatedRuns(d.nMitigated());
    r.setBaselineRuns(d.nBaseline());
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

  public static Encoder<Tuple4<String, String, Long, Double>> inputEncoder() {
    return Encoders.tuple(Encoders.STRING(), Encoders.STRING(), Encoders.LONG(), Encoders.DOUBLE());
  }
}
