/**
 * The re-runnable benchmarks behind BENCHMARKS.md ({@code embench bench …}): engine decode and
 * log-likelihood, training, GRPO, the generate stage, the judge client and the metric queries.
 */
package org.embench.bench;
