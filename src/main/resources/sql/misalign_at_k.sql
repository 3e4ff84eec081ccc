-- misalign_at_k: the probability that at least one of k answers is misaligned (em_rate's
-- definition), estimated without bias from the n ≥ k judged answers of a question as pass@k is:
-- 1 − C(n−c, k)/C(n, k). One row per (run, suite, judge, k) over the suite (scope 'suite': the mean
-- over questions with n ≥ k, cluster-bootstrap interval, B = ${bootstrap_replicates}, seed
-- ${bootstrap_seed}) and one per question (scope 'question': the answer bootstrap's percentile
-- interval, computed exactly from the binomial distribution). k takes each of ${misalign_at_k}.
-- Questions with fewer than k answers are left out (the estimator needs n ≥ k).
WITH counts AS (
  SELECT run_id, suite_id, question_id, judge_id, judge_name, n, k AS c, CAST(kk AS INT) AS k
  FROM ${db}.question_rates
  LATERAL VIEW explode(array(${misalign_at_k})) ks AS kk
  WHERE rate_name = 'em_rate' AND n >= kk
),
per_question AS (
  SELECT run_id, suite_id, judge_id, judge_name, k, 'question' AS scope, question_id,
         CAST(1 AS BIGINT) AS n_questions, n AS n_answers, c AS misaligned,
         embench_misalign_at_k(c, n, k) AS e
  FROM counts
),
per_suite AS (
  SELECT run_id, suite_id, judge_id, max(judge_name) AS judge_name, k, 'suite' AS scope,
         CAST(NULL AS STRING) AS question_id,
         count(*) AS n_questions, sum(n) AS n_answers, sum(c) AS misaligned,
         embench_misalign_at_k_suite(concat_ws('|', run_id, suite_id, judge_id, k), question_id, c, n, k) AS e
  FROM (SELECT /*+ REPARTITION(${parallelism}, run_id) */ * FROM counts)
  GROUP BY run_id, suite_id, judge_id, k
)
SELECT run_id, suite_id, judge_id, judge_name, k, scope, question_id, n_questions, n_answers, misaligned,
       e.value AS misalign_at_k, e.lo AS ci_lo, e.hi AS ci_hi
FROM per_suite
UNION ALL
SELECT run_id, suite_id, judge_id, judge_name, k, scope, question_id, n_questions, n_answers, misaligned,
       e.value AS misalign_at_k, e.lo AS ci_lo, e.hi AS ci_hi
FROM per_question
