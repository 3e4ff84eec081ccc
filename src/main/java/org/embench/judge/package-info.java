/**
 * Judges: the {@code Judge} extension point and the score aggregation of PROTOCOL.md (expected value
 * over the integer tokens 0..100 of the judge's top log-probabilities, null below 0.25 numeric mass).
 */
package org.embench.judge;
