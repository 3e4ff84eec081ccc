/**
 * The language-model engine. This package owns the resolved model description ({@link
 * org.embench.model.ModelConfig}, read from and written as a Hugging Face {@code config.json},
 * dispatching on {@code model_type}: llama, mistral, qwen2, qwen3) and the generation defaults
 * ({@link org.embench.model.GenerationConfig}). Checkpoint files live in {@link
 * org.embench.model.io}.
 */
package org.embench.model;
