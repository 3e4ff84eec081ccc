/**
 * Text in and out of the model engine: the tokenizer of a model directory, its chat template, and
 * incremental decoding while sampling.
 *
 * <ul>
 *   <li>{@link org.embench.model.text.Tokenizer} runs a Hugging Face {@code tokenizer.json} with
 *       the Rust {@code tokenizers} library (through DJL, offline), encoding exactly the given
 *       text: no special tokens added, no truncation, special-token text mapped to its id, as
 *       transformers does with {@code add_special_tokens=False}.
 *   <li>{@link org.embench.model.text.ChatTemplate} renders {@code chat_template} with Jinjava set
 *       up to match transformers' jinja2 environment, and finds the spans of a rendered chat that a
 *       supervised fine-tune computes loss on ({@link org.embench.model.text.TrainingText}).
 *   <li>{@link org.embench.model.text.StreamDecoder} turns sampled ids into text without splitting
 *       a character that spans several byte-level tokens.
 *   <li>{@link org.embench.model.text.ByteLevelBpeBuilder} makes the small tokenizer of the
 *       project's own tiny test models.
 * </ul>
 *
 * <p>Known differences from jinja2, none of which the chat templates of the common model families
 * (Qwen 2.5/3, Llama 3/3.1/3.2, Mistral) depend on: None prints as an empty string and a key
 * holding None counts as undefined; attribute access on an undefined value yields undefined rather
 * than an error; {@code %} string formatting, backslash-u escapes in string literals, slices with a
 * step other than {@code [::-1]}, {@code for … else} and the {@code min}/{@code max} filters are
 * not supported (the last three fail with an error rather than render differently); {@code +} of a
 * number and a string concatenates instead of failing. Templates cannot include other templates.
 */
package org.embench.model.text;
