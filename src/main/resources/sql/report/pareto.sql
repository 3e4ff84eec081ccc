-- EM rate against alignment tax, with in-domain learning and the Pareto flag (scoreboard).
SELECT model, dataset_id, suite_id, judge_id, judge_name, mitigation, mitigation_params_json, group_id,
       em_rate, em_ci_lo, em_ci_hi, tax, tax_ci_lo, tax_ci_hi, n_benign_tasks, in_domain_task,
       in_domain_higher_is_better, in_domain_score, in_domain_vs_base, pareto
FROM ${db}.scoreboard
WHERE group_id IN (SELECT group_id FROM report_runs)
ORDER BY model, dataset_id, suite_id, judge_name, judge_id, mitigation <> 'none', mitigation, mitigation_params_json
