package org.embench.judge;

/**
 * One successful external call, stored in the {@code judge_calls} table so that the same call (same
 * model, prompt and parameters) is never paid for twice.
 *
 * @param callKey {@link Judge#callKey}
 * @param requestJson the request body sent (without credentials)
 * @param responseJson the response body received
 */
public record JudgeCall(
    String callKey,
    String judgeModel,
    String requestJson,
    String responseJson,
    int httpStatus,
    int attempts,
    long latencyMs) {}
