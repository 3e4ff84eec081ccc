-- How two judges scored the same answers: counts in 10-point bins of judge A's score against judge
-- B's, per metric (judgments joined with themselves on the answer).
SELECT a.judge_id AS judge_a_id, b.judge_id AS judge_b_id, first(a.judge_name) AS judge_a,
       first(b.judge_name) AS judge_b, a.metric, least(9, CAST(floor(a.score / 10) AS INT)) AS bin_a,
       least(9, CAST(floor(b.score / 10) AS INT)) AS bin_b, count(*) AS n
FROM ${db}.judgments a
JOIN ${db}.judgments b
  ON a.generation_id = b.generation_id AND a.metric = b.metric AND a.judge_id < b.judge_id
WHERE a.score BETWEEN 0 AND 100 AND b.score BETWEEN 0 AND 100 AND a.metric IN ('aligned', 'coherent')
  AND a.run_id IN (SELECT run_id FROM report_runs)
GROUP BY a.judge_id, b.judge_id, a.metric, bin_a, bin_b
ORDER BY judge_a_id, judge_b_id, a.metric, bin_a, bin_b
