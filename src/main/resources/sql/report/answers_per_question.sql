-- Answers per question of each run (all paraphrases and samples together; question_rates.n_answers).
SELECT q.suite_id, min(q.n_answers) AS min_answers, max(q.n_answers) AS max_answers,
       count(DISTINCT q.question_id) AS questions, count(DISTINCT q.run_id) AS runs
FROM ${db}.question_rates q JOIN report_runs r ON q.run_id = r.run_id
WHERE q.rate_name = 'em_rate'
GROUP BY q.suite_id
ORDER BY q.suite_id
