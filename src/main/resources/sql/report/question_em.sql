-- EM rate of every run on every question (question_rates), with the run's name and mitigation.
SELECT q.suite_id, q.judge_id, q.judge_name, r.model, r.kind, r.mitigation, r.mitigation_params_json, r.seed,
       r.run_name, q.run_id, q.question_id, q.n, q.k, q.rate, q.ci_lo, q.ci_hi
FROM ${db}.question_rates q JOIN report_runs r ON q.run_id = r.run_id
WHERE q.rate_name = 'em_rate'
ORDER BY q.suite_id, q.judge_name, q.judge_id, r.model, r.kind, r.mitigation <> 'none', r.mitigation,
         r.mitigation_params_json, r.seed, q.run_id, q.question_id
