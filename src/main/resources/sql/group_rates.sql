-- group_rates: one row per (group of runs that differ only by seed, suite, judge, rate). The group's
-- rate is the mean of its runs' macro rates; the interval is a bootstrap over seeds
-- (B = ${seed_bootstrap_replicates}, seed ${seed_bootstrap_seed}). One seed gives a zero-width
-- interval and single_seed = true.
WITH run_rates AS (
  SELECT r.group_id, r.baseline_group_id, r.model, r.dataset_id, r.mitigation, r.mitigation_params_json,
         s.run_id, s.suite_id, s.judge_id, s.judge_name, s.rate_name, s.macro_rate
  FROM ${db}.suite_rates s
  JOIN ${db}.runs r ON r.run_id = s.run_id
)
SELECT group_id, baseline_group_id, model, dataset_id, mitigation, mitigation_params_json,
       suite_id, judge_id, judge_name, rate_name, n_seeds, mean_rate,
       ci.lo AS ci_lo, ci.hi AS ci_hi, n_seeds = 1 AS single_seed
FROM (
  -- The group's attributes are the same on each of its runs; max() picks that value.
  SELECT group_id, suite_id, judge_id, rate_name,
         max(baseline_group_id) AS baseline_group_id, max(model) AS model, max(dataset_id) AS dataset_id,
         max(mitigation) AS mitigation, max(mitigation_params_json) AS mitigation_params_json,
         max(judge_name) AS judge_name,
         count(*) AS n_seeds,
         avg(macro_rate) AS mean_rate,
         embench_seed_bootstrap(concat_ws('|', group_id, suite_id, judge_id, rate_name),
                                run_id, macro_rate) AS ci
  FROM run_rates
  GROUP BY group_id, suite_id, judge_id, rate_name
)
