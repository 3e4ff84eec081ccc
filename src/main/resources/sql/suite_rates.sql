-- suite_rates: one row per (run, suite, judge, rate). macro_rate is the mean over included
-- questions of the question rate; pooled_rate is k / n over their answers. Both intervals come
-- from one cluster bootstrap (questions resampled, then answers within each question;
-- B = ${bootstrap_replicates}, seed ${bootstrap_seed}), computed by the embench_cluster_bootstrap
-- aggregate where each group's rows are. The REPARTITION hint spreads the groups over
-- ${parallelism} tasks (the bootstrap is the costly part; without it adaptive execution would put
-- the small input in one task).
WITH per_suite AS (
  SELECT run_id, suite_id, judge_id, rate_name,
         max(judge_name) AS judge_name,
         count(*) AS n_questions,
         sum(n) AS n,
         sum(k) AS k,
         avg(CAST(k AS DOUBLE) / n) AS macro_rate,
         CAST(sum(k) AS DOUBLE) / sum(n) AS pooled_rate,
         embench_cluster_bootstrap(concat_ws('|', run_id, suite_id, judge_id, rate_name),
                                   question_id, k, n) AS ci
  FROM (SELECT /*+ REPARTITION(${parallelism}, run_id) */ * FROM ${db}.question_rates WHERE included)
  GROUP BY run_id, suite_id, judge_id, rate_name
)
SELECT run_id, suite_id, judge_id, judge_name, rate_name, n_questions, n, k,
       macro_rate, ci.macroLo AS macro_ci_lo, ci.macroHi AS macro_ci_hi,
       pooled_rate, ci.pooledLo AS pooled_ci_lo, ci.pooledHi AS pooled_ci_hi,
       CAST(${bootstrap_replicates} AS INT) AS bootstrap_replicates,
       CAST(${bootstrap_seed} AS BIGINT) AS bootstrap_seed
FROM per_suite
