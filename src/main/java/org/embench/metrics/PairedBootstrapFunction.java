package org.embench.metrics;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Encoder;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.expressions.Aggregator;
import scala.Tuple5;

/**
 * SQL aggregate {@code embench_paired_bootstrap(key, side, question_id, k, n)} with side 'base' or
 * 'variant': the variant's macro rate minus the base's over the questions both sides have, with the
 * paired cluster-bootstrap interval of {@link Bootstrap#pairedCluster}. A question on one side only
 * is left out; a group without a question on both sides gets {@code pairedQuestions = 0} and NaNs.
 */
public final class PairedBootstrapFunction
    extends Aggregator<
        Tuple5<String, String, String, Long, Long>,
        PairedBootstrapFunction.Buffer,
        PairedBootstrapFunction.Result> {
  private static final long serialVersionUID = 1L;
  public static final String NAME = "embench_paired_bootstrap";
  public static final String BASE = "base";
  public static final String VARIANT = "variant";

  private final int replicates;
  private final long seed;
  private final double confidence;

  public PairedBootstrapFunction(int replicates, long seed, double confidence) {
    this.replicates = replicates;
    this.seed = seed;
    this.confidence = confidence;
  }

  /** Each side's counts by question: {k, n}. */
  public static final class Buffer implements Serializable {
    private static final long serialVersionUID = 1L;
    String key;
    final TreeMap<String, long[]> base = new TreeMap<>();
    final TreeMap<String, long[]> variant = new TreeMap<>();
  }

  /** The difference and its interval (a Java bean). */
  public static final class Result implements Serializable {
    private static final long serialVersionUID = 1L;
    private double base;
    private double variant;
    private double difference;
    private double lo;
    private double hi;
    private int pairedQuestions;

    public double getBase() {
      return base;
    }

    public void setBase(double v) {
      base = v;
    }

    public double getVariant() {
      return variant;
    }

    public void setVariant(double v) {
      variant = v;
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

    public int getPairedQuestions() {
      return pairedQuestions;
    }

    public void setPairedQuestions(int v) {
      pairedQuestions = v;
    }
  }

  @Override
  public Buffer zero() {
    return new Buffer();
  }

  @Override
  public Buffer reduce(Buffer b, Tuple5<String, String, String, Long, Long> row) {
    if (b.key == null) {
      b.key = row._1();
    }
    if (row._4() == null || row._5() == null || row._5() <= 0) {
      return b;
    }
    long[] counts = {row._4(), row._5()};
    switch (row._2()) {
      case BASE -> put(b.base, row._3(), counts, b.key);
      case VARIANT -> put(b.variant, row._3(), counts, b.key);
      default ->
          throw new IllegalArgumentException(
              NAME + ": side must be 'base' or 'variant', got '" + row._2() + "'");
    }
    return b;
  }

  private static void put(Map<String, long[]> side, String question, long[] counts, String key) {
    if (side.putIfAbsent(question, counts) != null) {
      throw new IllegalArgumentException(
          NAME + " of " + key + ": question " + question + " twice on one side");
    }
  }

  @Override
  public Buffer merge(Buffer a, Buffer b) {
    if (a.key == null) {
      a.key = b.key;
    }
    b.base.forEach((q, c) -> put(a.base, q, c, a.key));
    b.variant.forEach((q, c) -> put(a.variant, q, c, a.key));
    return a;
  }

  @Override
  public Result finish(Buffer b) {
    List<Bootstrap.PairedCount> pairs = new ArrayList<>();
    b.base.forEach(
        (q, c) -> {
          long[] v = b.variant.get(q);
          if (v != null) {
            pairs.add(new Bootstrap.PairedCount(q, c[0], c[1], v[0], v[1]));
          }
        });
    Result r = new Result();
    if (pairs.isEmpty()) {
      // Spark finishes every group before the SQL's WHERE drops it (n_questions = 0).
      r.setBase(Double.NaN);
      r.setVariant(Double.NaN);
      r.setDifference(Double.NaN);
      r.setLo(Double.NaN);
      r.setHi(Double.NaN);
      return r;
    }
    Bootstrap.PairedDifference d =
        Bootstrap.pairedCluster(pairs, replicates, seed, confidence, b.key);
    r.setBase(d.base());
    r.setVariant(d.variant());
    r.setDifference(d.difference());
    r.setLo(d.lo());
    r.setHi(d.hi());
    r.setPairedQuestions(d.nQuestions());
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

  public static Encoder<Tuple5<String, String, String, Long, Long>> inputEncoder() {
    return Encoders.tuple(
        Encoders.STRING(), Encoders.STRING(), Encoders.STRING(), Encoders.LONG(), Encoders.LONG());
  }
}
