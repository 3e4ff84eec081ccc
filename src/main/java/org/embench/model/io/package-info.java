/**
 * Checkpoint IO for the model engine: Hugging Face model directories on a local path or any Hadoop
 * URI. This package owns the safetensors format ({@link org.embench.model.io.SafetensorsReader},
 * {@link org.embench.model.io.SafetensorsWriter}, {@link org.embench.model.io.DType} and its
 * F16/BF16 conversions), the directory layout ({@link org.embench.model.io.Checkpoint}: config
 * files, one weights file or index-named shards) and reading and writing whole checkpoints ({@link
 * org.embench.model.io.CheckpointWeights}, {@link org.embench.model.io.CheckpointWriter}). Weights
 * come out as floats, streamed into caller-owned (off-heap) buffers; turning them into tensors is
 * the engine's job. A bad checkpoint is a {@link org.embench.UserException} naming the file and
 * tensor.
 */
package org.embench.model.io;
