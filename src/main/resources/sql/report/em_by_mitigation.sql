-- EM rate of each mitigation group with its seed-bootstrap interval (scoreboard), beside the untrained
-- base model's rate on the same suite and judge (its suite_rates row) as a reference.
SELECT s.model, s.dataset_id, s.suite_id, s.judge_id, s.judge_name, s.mitigation, s.mitigation_params_json,
       s.group_id, s.n_seeds, s.em_rate, s.em_ci_lo, s.em_ci_hi, s.em_definition, s.em_vs_none, s.em_vs_none_ci_lo,
       s.em_vs_none_ci_hi, s.coherence_rate, b.base_em_rate, b.base_ci_lo, b.base_ci_hi
FROM ${db}.scoreboard s
LEFT JOIN (
  SELECT r.model, q.suite_id, q.judge_id, max(q.macro_rate) AS base_em_rate, max(q.macro_ci_lo) AS base_ci_lo,
         max(q.macro_ci_hi) AS base_ci_hi
  FROM ${db}.suite_rates q JOIN report_runs r ON q.run_id = r.run_id
  WHERE r.kind = 'base' AND q.rate_name = 'em_rate'
  GROUP BY r.model, q.suite_id, q.judge_id) b
  ON b.model = s.model AND b.suite_id = s.suite_id AND b.judge_id = s.judge_id
WHERE s.group_id IN (SELECT group_id FROM report_runs)
ORDER BY s.model, s.dataset_id, s.suite_id, s.judge_name, s.judge_id, s.mitigation <> 'none', s.mitigation,
         s.mitigation_params_json
