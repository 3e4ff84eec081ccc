-- capability_rates: one row per (run, capability task): the mean item score with a
-- ${confidence} interval. Tasks scored 0/1 (choice, exact, judged) get a Wilson interval; nll (a
-- mean per-token loss per item) gets a bootstrap over items (B = ${bootstrap_replicates}, seed
-- ${bootstrap_seed}). Items without a score (status other than 'ok') count in n_items only.
WITH counted AS (
  SELECT run_id, task_id,
         max(task_name) AS task_name, max(task_kind) AS task_kind, max(measures) AS measures,
         max(higher_is_better) AS higher_is_better,
         count(*) AS n_items,
         count(score) AS n_scored,
         sum(score) AS score_sum
  FROM ${db}.capability
  GROUP BY run_id, task_id
),
booted AS (
  SELECT run_id, task_id,
         embench_seed_bootstrap(concat_ws('|', 'capability', run_id, task_id), item_id, score) AS ci
  FROM ${db}.capability
  WHERE score IS NOT NULL AND task_kind = 'nll'
  GROUP BY run_id, task_id
),
rated AS (
  SELECT c.*,
         c.score_sum / nullif(c.n_scored, 0) AS p,
         CAST(${wilson_z} AS DOUBLE) * ${wilson_z} / nullif(c.n_scored, 0) AS z2n,
         b.ci
  FROM counted c LEFT JOIN booted b ON b.run_id = c.run_id AND b.task_id = c.task_id
)
SELECT run_id, task_id, task_name, task_kind, measures, higher_is_better,
       n_items, n_scored, n_items - n_scored AS n_unscored,
       p AS score,
       CASE WHEN n_scored = 0 THEN NULL
            WHEN task_kind = 'nll' THEN ci.lo
            ELSE (p + z2n / 2 - ${wilson_z} * sqrt(p * (1 - p) / n_scored + z2n / (4 * n_scored))) / (1 + z2n)
       END AS ci_lo,
       CASE WHEN n_scored = 0 THEN NULL
            WHEN task_kind = 'nll' THEN ci.hi
            ELSE (p + z2n / 2 + ${wilson_z} * sqrt(p * (1 - p) / n_scored + z2n / (4 * n_scored))) / (1 + z2n)
       END AS ci_hi,
       CASE WHEN task_kind = 'nll' THEN 'bootstrap' ELSE 'wilson' END AS ci_method
FROM rated
