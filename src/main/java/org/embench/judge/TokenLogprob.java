package org.embench.judge;

/**
 * One of a judge's top tokens and its natural-log probability (the judgments.top_logprobs struct).
 */
public record TokenLogprob(String token, double logprob) {}
