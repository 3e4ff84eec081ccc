/**
 * Metrics: the SQL files under {@code src/main/resources/sql/} that derive the metric tables, the
 * bootstrap aggregate functions they call, and the runner for SQL scripts and notebooks.
 */
package org.embench.metrics;
