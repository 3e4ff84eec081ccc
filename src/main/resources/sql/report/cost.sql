-- Time and memory ratios to the no-mitigation runs of the same seeds (scoreboard; the same for every
-- suite and judge of a group, so one row per group).
SELECT DISTINCT model, dataset_id, mitigation, mitigation_params_json, group_id, n_cost_pairs,
       time_ratio, time_ratio_ci_lo, time_ratio_ci_hi, memory_ratio, memory_ratio_ci_lo, memory_ratio_ci_hi
FROM ${db}.scoreboard
WHERE group_id IN (SELECT group_id FROM report_runs)
ORDER BY model, dataset_id, mitigation <> 'none', mitigation, mitigation_params_json
