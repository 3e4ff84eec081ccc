/**
 * Fine-tuning: LoRA (and rsLoRA) on chosen modules and layers, or the decoder layers' linear
 * weights in full, with AdamW, warm-up schedules, gradient accumulation and clipping, loss on
 * assistant tokens only, checkpoints that resume to the same adapter, and cost accounting.
 *
 * <p>The backward pass is written out by hand ({@link org.embench.train.Backprop}) rather than
 * derived by SameDiff: a SameDiff prototype of this model took 14 s per 64-token step with its
 * gradients flowing through the frozen weights (FEASIBILITY.md), and its logSoftmax gradient is
 * broken. Every gradient here is checked against finite differences in the tests.
 */
package org.embench.train;
