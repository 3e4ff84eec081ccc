-- Task loss by step, averaged over the seeds of each group (train_steps), with its range over seeds.
SELECT r.model, r.dataset_id, r.mitigation, r.mitigation_params_json, r.group_id, t.step,
       count(*) AS n_seeds, avg(t.task_loss) AS task_loss, min(t.task_loss) AS task_loss_min,
       max(t.task_loss) AS task_loss_max
FROM ${db}.train_steps t JOIN report_runs r ON t.run_id = r.run_id
GROUP BY r.model, r.dataset_id, r.mitigation, r.mitigation_params_json, r.group_id, t.step
ORDER BY r.model, r.dataset_id, r.mitigation <> 'none', r.mitigation, r.mitigation_params_json, r.group_id, t.step
