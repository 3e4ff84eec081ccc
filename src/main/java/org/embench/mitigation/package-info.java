/**
 * Mitigations of emergent misalignment applied during fine-tuning, one class each, found by name
 * through {@link org.embench.mitigation.Mitigations}. A mitigation may change the training data
 * (inoculation, interleave), hook the residual stream during training only (persona_steer, caft),
 * add loss terms against the frozen base model (kl, ldifs), or change the adapter after training
 * (safelora, realign). Its resolved parameters are recorded on every run it produces.
 */
package org.embench.mitigation;
