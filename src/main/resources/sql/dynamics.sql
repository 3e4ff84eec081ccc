-- dynamics: misalignment over training. One row per (group of training runs, suite, judge, step) for
-- the groups that kept checkpoints (train.eval_at / eval_every): each checkpoint run at its step
-- and the finished run at its last step. The mean over seeds, each with its seed-bootstrap interval
-- (B = ${seed_bootstrap_replicates}, seed ${seed_bootstrap_seed}), of: em_rate and coherence_rate
-- (suite_rates' macro rates), the in-domain score (the task that measures the training set, chosen
-- as the scoreboard does) and the training loss at that step (train_steps.task_loss).
CACHE TABLE dynamics_runs AS
  SELECT r.run_id, coalesce(p.run_id, r.run_id) AS train_run_id, coalesce(p.group_id, r.group_id) AS group_id,
         coalesce(r.step, last.step) AS step, r.model, r.dataset_id, r.mitigation, r.mitigation_params_json
  FROM ${db}.runs r
    LEFT JOIN ${db}.runs p ON p.run_id = r.parent_run_id
    LEFT JOIN (SELECT run_id, max(step) AS step FROM ${db}.train_steps GROUP BY run_id) last ON last.run_id = r.run_id
  WHERE r.status = 'finished' AND (r.kind = 'checkpoint' OR (r.kind = 'train' AND last.step IS NOT NULL))
    AND coalesce(p.group_id, r.group_id) IN (
      SELECT DISTINCT pr.group_id FROM ${db}.runs c JOIN ${db}.runs pr ON pr.run_id = c.parent_run_id
      WHERE c.kind = 'checkpoint');

CACHE TABLE dynamics_in_domain_task AS
  SELECT measures, task_id, task_name
  FROM (SELECT measures, task_id, task_name,
               row_number() OVER (PARTITION BY measures ORDER BY higher_is_better DESC, task_name, task_id) AS k
        FROM (SELECT DISTINCT measures, task_id, task_name, higher_is_better
              FROM ${db}.capability_rates WHERE score IS NOT NULL AND measures IS NOT NULL))
  WHERE k = 1;

WITH rates AS (
  SELECT d.group_id, d.step, s.suite_id, s.judge_id, s.rate_name, max(s.judge_name) AS judge_name,
         count(*) AS n_seeds, avg(s.macro_rate) AS rate,
         embench_seed_bootstrap(concat_ws('|', 'dynamics', s.rate_name, d.group_id, d.step, s.suite_id, s.judge_id),
                                d.run_id, s.macro_rate) AS ci
  FROM dynamics_runs d JOIN ${db}.suite_rates s ON s.run_id = d.run_id
  WHERE s.rate_name IN ('em_rate', 'coherence_rate')
  GROUP BY d.group_id, d.step, s.suite_id, s.judge_id, s.rate_name
),
loss AS (
  SELECT d.group_id, d.step, avg(t.task_loss) AS task_loss,
         embench_seed_bootstrap(concat_ws('|', 'dynamics', 'task_loss', d.group_id, d.step), d.run_id, t.task_loss) AS ci
  FROM dynamics_runs d JOIN ${db}.train_steps t ON t.run_id = d.train_run_id AND t.step = d.step
  GROUP BY d.group_id, d.step
),
in_domain AS (
  SELECT d.group_id, d.step, max(c.task_name) AS task_name, avg(c.score) AS score,
         embench_seed_bootstrap(concat_ws('|', 'dynamics', 'in_domain', d.group_id, d.step), d.run_id, c.score) AS ci
  FROM dynamics_runs d
    JOIN dynamics_in_domain_task t ON t.measures = d.dataset_id
    JOIN ${db}.capability_rates c ON c.run_id = d.run_id AND c.task_id = t.task_id AND c.score IS NOT NULL
  GROUP BY d.group_id, d.step
),
groups AS (
  SELECT group_id, max(model) AS model, max(dataset_id) AS dataset_id, max(mitigation) AS mitigation,
         max(mitigation_params_json) AS mitigation_params_json
  FROM dynamics_runs GROUP BY group_id
)
SELECT e.group_id, g.model, g.dataset_id, g.mitigation, g.mitigation_params_json, e.suite_id, e.judge_id,
       e.judge_name, CAST(e.step AS INT) AS step, e.n_seeds,
       e.rate AS em_rate, e.ci.lo AS em_ci_lo, e.ci.hi AS em_ci_hi,
       c.rate AS coherence_rate, c.ci.lo AS coherence_ci_lo, c.ci.hi AS coherence_ci_hi,
       i.task_name AS in_domain_task, i.score AS in_domain_score, i.ci.lo AS in_domain_ci_lo, i.ci.hi AS in_domain_ci_hi,
       l.task_loss, l.ci.lo AS task_loss_ci_lo, l.ci.hi AS task_loss_ci_hi
FROM rates e
  JOIN groups g ON g.group_id = e.group_id
  LEFT JOIN rates c ON c.rate_name = 'coherence_rate' AND c.group_id = e.group_id AND c.step = e.step
    AND c.suite_id = e.suite_id AND c.judge_id = e.judge_id
  LEFT JOIN in_domain i ON i.group_id = e.group_id AND i.step = e.step
  LEFT JOIN loss l ON l.group_id = e.group_id AND l.step = e.step
WHERE e.rate_name = 'em_rate'
