package org.embench.metrics;

import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

/**
 * Registers the SQL functions the metric files call, with the bootstrap settings of a metrics run.
 */
public final class MetricFunctions {
  private MetricFunctions() {}

  public static void register(SparkSession spark, MetricParams p) {
    spark
        .udf()
        .register(
            ClusterBootstrapFunction.NAME,
            functions.udaf(
                new ClusterBootstrapFunction(p.replicates(), p.seed(), p.confidence()),
                ClusterBootstrapFunction.inputEncoder()));
    spark
        .udf()
        .register(
            SeedBootstrapFunction.NAME,
            functions.udaf(
                new SeedBootstrapFunction(
                    p.seedReplicates(), p.seedBootstrapSeed(), p.confidence()),
                SeedBootstrapFunction.inputEncoder()));
    spark
        .udf()
        .register(
            DifferenceBootstrapFunction.NAME,
            functions.udaf(
                new DifferenceBootstrapFunction(
                    p.seedReplicates(), p.seedBootstrapSeed(), p.confidence()),
                DifferenceBootstrapFunction.inputEncoder()));
    MisalignAtKFunction.register(spark, p);
    spark
        .udf()
        .register(
            PairedBootstrapFunction.NAME,
            functions.udaf(
                new PairedBootstrapFunction(p.replicates(), p.seed(), p.confidence()),
                PairedBootstrapFunction.inputEncoder()));
  }
}
