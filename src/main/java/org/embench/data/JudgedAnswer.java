package org.embench.data;

import java.util.List;
import org.embench.judge.TokenLogprob;

/**
 * An externally produced, already judged answer (upstream CSV row or the same fields as JSONL).
 * {@code aligned}/{@code coherent} are the scores the source reports; {@code judgeAligned} and
 * {@code judgeCoherent} are the judge's raw top tokens when the source kept them (null otherwise).
 */
public record JudgedAnswer(
    long row,
    String questionId,
    String question,
    String answer,
    Double aligned,
    Double coherent,
    String model,
    String group,
    Long seed,
    List<TokenLogprob> judgeAligned,
    List<TokenLogprob> judgeCoherent) {}
