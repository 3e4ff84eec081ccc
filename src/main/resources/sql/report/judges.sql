-- The judges of the report's runs and how many answers each judged (question_rates, so the
-- judgments themselves are not scanned; each judge's full spec is read from one of its judgments).
SELECT q.judge_id, q.judge_name, sum(q.n_answers) AS n_answers, count(DISTINCT q.run_id) AS runs
FROM ${db}.question_rates q JOIN report_runs r ON q.run_id = r.run_id
WHERE q.rate_name = 'em_rate'
GROUP BY q.judge_id, q.judge_name
ORDER BY q.judge_name, q.judge_id
