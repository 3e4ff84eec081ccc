-- mitigation_effects: one row per (mitigated group, suite, judge, rate): the group's mean rate minus
-- its matching no-mitigation baseline's, with a bootstrap interval (B = ${seed_bootstrap_replicates}).
-- Runs are paired by seed where seeds occur on both sides; otherwise the sides are resampled apart.
WITH run_rates AS (
  SELECT r.group_id, r.baseline_group_id, r.mitigation, r.seed,
         s.suite_id, s.judge_id, s.judge_name, s.rate_name, s.macro_rate
  FROM ${db}.suite_rates s
  JOIN ${db}.runs r ON r.run_id = s.run_id
),
mitigated_groups AS (
  SELECT DISTINCT group_id, baseline_group_id, mitigation
  FROM run_rates
  WHERE group_id <> baseline_group_id
),
sides AS (
  SELECT m.group_id, m.baseline_group_id, m.mitigation, m.suite_id, m.judge_id, m.judge_name,
         m.rate_name, 'mitigated' AS side, m.seed, m.macro_rate
  FROM run_rates m
  WHERE m.group_id <> m.baseline_group_id
  UNION ALL
  SELECT g.group_id, g.baseline_group_id, g.mitigation, b.suite_id, b.judge_id, b.judge_name,
         b.rate_name, 'baseline' AS side, b.seed, b.macro_rate
  FROM mitigated_groups g
  JOIN run_rates b ON b.group_id = g.baseline_group_id
)
SELECT group_id, baseline_group_id, mitigation, suite_id, judge_id, judge_name, rate_name,
       d.mitigated AS mitigated_rate, d.baseline AS baseline_rate, d.difference AS difference,
       d.lo AS ci_lo, d.hi AS ci_hi, d.paired AS paired,
       d.mitigatedRuns AS n_mitigated, d.baselineRuns AS n_baseline
FROM (
  SELECT group_id, baseline_group_id, mitigation, suite_id, judge_id, rate_name,
         max(judge_name) AS judge_name,
         embench_difference_bootstrap(concat_ws('|', group_id, suite_id, judge_id, rate_name),
                                      side, seed, macro_rate) AS d
  FROM sides
  GROUP BY group_id, baseline_group_id, mitigation, suite_id, judge_id, rate_name
  -- A group whose baseline has no run with this rate (no none runs, e.g. an import of mitigated
  -- answers only, or a rate with no included question) gets no effect row.
  HAVING count_if(side = 'mitigated' AND macro_rate IS NOT NULL) > 0
     AND count_if(side = 'baseline' AND macro_rate IS NOT NULL) > 0
)
