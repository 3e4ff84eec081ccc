/**
 * Capability tasks: what a fine-tuned model can still do besides being (mis)aligned. A task reads
 * items from a source (a JSONL or Parquet file, a prepared data set's split, or project-made
 * synthetic items), and scores each one for a run: multiple choice by log-likelihood ({@code
 * choice}), greedy generation against a reference ({@code exact}), the negative log-likelihood of
 * reference answers ({@code nll}), or a judge's verdict on sampled answers ({@code judged}). Kinds
 * are registered by name in {@link org.embench.capability.CapabilityTasks}; the capability stage
 * ({@code org.embench.stage.capability.CapabilityJob}) writes one row per (run, task, item).
 */
package org.embench.capability;
