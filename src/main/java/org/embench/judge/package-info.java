/**
 * Judges: the {@code Judge} extension point, its three kinds and the score aggregation of
 * PROTOCOL.md (expected value over the integer tokens 0..100 of the judge's top log-probabilities,
 * null below 0.25 numeric mass). {@code OpenAiCompatibleJudge} calls a Chat Completions endpoint
 * with retries, rate limits and an in-flight cap; {@code LocalModelJudge} reads the next-token
 * distribution of a local checkpoint; {@code OfflineJudge} makes up deterministic numbers for smoke
 * tests. Every kind ends each request in a {@code Verdict}: a score, a null score below the numeric
 * mass, or a failure status, never a failure disguised as a score.
 */
package org.embench.judge;
