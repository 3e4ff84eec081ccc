package org.embench.mitigation;

import java.util.List;
import java.util.Map;
import org.embench.data.ChatMessage;
import org.embench.train.Backprop;
import org.embench.train.EarlyStop;
import org.embench.train.ReferenceTerms;
import org.embench.train.TrainableLinear;

/**
 * A method applied during fine-tuning to prevent emergent misalignment. Every method has a default,
 * so a mitigation implements only where it acts.
 */
public interface Mitigation {
  String name();

  /** The resolved parameters, defaults included: recorded as runs.mitigation_params_json. */
  Map<String, Object> params();

  /** The conversations training sees. */
  default List<List<ChatMessage>> trainingData(
      List<List<ChatMessage>> task, MitigationContext ctx) {
    return task;
  }

  /** Changes to the residual stream during training only (never at evaluation). */
  default Backprop.Hooks hooks(MitigationContext ctx) {
    return Backprop.Hooks.NONE;
  }

  /** Loss terms against the frozen base model. */
  default ReferenceTerms referenceTerms(MitigationContext ctx) {
    return ReferenceTerms.NONE;
  }

  /** When training stops before its schedule ends ({@code early_stop}); null for never. */
  default EarlyStop earlyStop(MitigationContext ctx) {
    return null;
  }

  /**
   * After training: may change the trained parameters in place (SafeLoRA) or train further
   * (realign).
   */
  default void afterTraining(Map<String, TrainableLinear> params, MitigationContext ctx) {}
}
