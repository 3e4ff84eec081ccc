-- Databricks notebook source
-- MAGIC %md
-- MAGIC # Scoreboard
-- MAGIC The four axes a mitigation is judged on, one row per (model, training set, mitigation, suite,
-- MAGIC judge): EM rate, in-domain learning (against the base model and against `none`), alignment tax
-- MAGIC on the benign sets, and cost ratios to `none`, each with its interval; `pareto` marks the rows no
-- MAGIC other row beats on every axis. Definitions: README, "The scoreboard"; SQL: `sql/scoreboard.sql`.

-- COMMAND ----------

CREATE WIDGET TEXT db DEFAULT 'embench';

-- COMMAND ----------

SELECT regexp_extract(model, '([^/]+)/*$', 1) AS model, dataset_id AS trained_on, mitigation, suite_id,
       judge_name, n_seeds,
       round(em_rate, 4) AS em_rate, round(em_ci_lo, 4) AS em_lo, round(em_ci_hi, 4) AS em_hi,
       round(em_vs_none, 4) AS em_vs_none, round(coherence_rate, 4) AS coherence,
       in_domain_task, round(in_domain_score, 4) AS in_domain,
       round(in_domain_vs_base, 4) AS in_domain_vs_base,
       round(in_domain_vs_none, 4) AS in_domain_vs_none,
       round(in_domain_vs_none_ci_lo, 4) AS vs_none_lo, round(in_domain_vs_none_ci_hi, 4) AS vs_none_hi,
       round(tax, 4) AS tax, round(tax_ci_lo, 4) AS tax_lo, round(tax_ci_hi, 4) AS tax_hi,
       round(time_ratio, 3) AS time_x, round(time_ratio_ci_lo, 3) AS time_lo, round(time_ratio_ci_hi, 3) AS time_hi,
       round(memory_ratio, 3) AS memory_x, n_cost_pairs, pareto
FROM ${db}.scoreboard
ORDER BY judge_name, suite_id, model, trained_on, em_rate;

-- COMMAND ----------

-- MAGIC %md
-- MAGIC Each run's score on each capability task, with its interval (Wilson for 0/1 scores, a bootstrap
-- MAGIC over items for nll), next to what the run trained on.

-- COMMAND ----------

SELECT r.run_name, r.kind, r.dataset_role, r.mitigation, r.seed, c.task_name, c.task_kind, c.measures,
       c.n_scored, c.n_unscored, round(c.score, 4) AS score, round(c.ci_lo, 4) AS ci_lo,
       round(c.ci_hi, 4) AS ci_hi, c.ci_method
FROM ${db}.capability_rates c
JOIN ${db}.runs r ON r.run_id = c.run_id
ORDER BY c.task_name, r.kind, r.dataset_role, r.mitigation, r.seed;

-- COMMAND ----------

-- MAGIC %md
-- MAGIC Where each run's time went: model load, mitigation setup, the optimizer steps and the work after
-- MAGIC training, and the speed over the steps after the warm-up.

-- COMMAND ----------

SELECT run_name, mitigation, dataset_role, seed, device,
       round(model_load_s, 2) AS load_s, round(setup_s, 2) AS setup_s, round(steps_s, 2) AS steps_s,
       round(after_s, 2) AS after_s, round(wall_time_s, 2) AS wall_s, timed_steps,
       round(tokens_per_s, 1) AS tokens_per_s,
       round((peak_heap_bytes + coalesce(peak_offheap_bytes, 0)) / 1e9, 3) AS peak_gb
FROM ${db}.runs
WHERE kind = 'train' AND status = 'finished'
ORDER BY dataset_role, mitigation, seed;
