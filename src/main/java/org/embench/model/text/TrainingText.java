package org.embench.model.text;

import java.util.List;

/**
 * A chat rendered for supervised fine-tuning.
 *
 * @param text the chat as the model sees it
 * @param lossSpans the characters of {@code text} to compute loss on, in order and disjoint: each
 *     assistant message and the end-of-turn token after it; {@link EncodedText#mask} turns them
 *     into a per-token mask
 */
public record TrainingText(String text, List<TextSpan> lossSpans) {}
