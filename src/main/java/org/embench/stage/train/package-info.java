/**
 * Stage 2: train the run matrix (SFT and GRPO runs, one Spark task per run) and record the runs.
 */
package org.embench.stage.train;
