-- variant_effects: one row per (run, variant suite, judge, rate): the variant suite's macro rate
-- minus its base suite's, over the questions included on both sides (paired by question_id), with
-- a paired cluster bootstrap (questions resampled, then each drawn question's answers on both
-- sides; B = ${bootstrap_replicates}, seed ${bootstrap_seed}) computed by embench_paired_bootstrap
-- where each group's rows are. A variant suite is one whose questions name the suite they render
-- (questions.variant_of); a run not sampled on both gets no row.
WITH variant_suites AS (
  SELECT DISTINCT suite_id, variant_of, variant
  FROM ${db}.questions
  WHERE variant_of IS NOT NULL
),
sides AS (
  SELECT q.run_id, v.variant_of AS base_suite_id, v.suite_id, v.variant, q.judge_id, q.judge_name,
         q.rate_name, 'variant' AS side, q.question_id, q.k, q.n
  FROM ${db}.question_rates q
  JOIN variant_suites v ON q.suite_id = v.suite_id
  WHERE q.included
  UNION ALL
  SELECT q.run_id, v.variant_of AS base_suite_id, v.suite_id, v.variant, q.judge_id, q.judge_name,
         q.rate_name, 'base' AS side, q.question_id, q.k, q.n
  FROM ${db}.question_rates q
  JOIN variant_suites v ON q.suite_id = v.variant_of
  WHERE q.included
),
paired AS (
  SELECT run_id, base_suite_id, suite_id, variant, judge_id, rate_name,
         max(judge_name) AS judge_name,
         embench_paired_bootstrap(concat_ws('|', run_id, suite_id, judge_id, rate_name),
                                  side, question_id, k, n) AS d
  FROM (SELECT /*+ REPARTITION(${parallelism}, run_id) */ * FROM sides)
  GROUP BY run_id, base_suite_id, suite_id, variant, judge_id, rate_name
)
SELECT run_id, base_suite_id, suite_id, variant, judge_id, judge_name, rate_name,
       d.pairedQuestions AS n_questions,
       d.base AS base_rate, d.variant AS variant_rate, d.difference AS difference,
       d.lo AS ci_lo, d.hi AS ci_hi,
       CAST(${bootstrap_replicates} AS INT) AS bootstrap_replicates,
       CAST(${bootstrap_seed} AS BIGINT) AS bootstrap_seed
FROM paired
-- a (run, variant) whose two sides share no included question has nothing to compare
WHERE d.pairedQuestions > 0
