/**
 * The pipeline's stages, one package each ({@code prepare}, {@code train}, {@code generate}, {@code
 * judge}, {@code capability}, {@code metrics}), each holding its Spark job and the task its
 * executors run. Jobs are thin: they read tables, call the packages that hold the logic, and write
 * tables through {@link org.embench.table.Warehouse}; every job is idempotent and resumable. This
 * package holds what the stages share: the {@code runs} row ({@link org.embench.stage.RunRecord}),
 * Spark sessions and cluster settings, the executors' engine sizing, and the failure points tests
 * arm.
 */
package org.embench.stage;
