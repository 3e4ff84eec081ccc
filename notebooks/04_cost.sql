-- Databricks notebook source
-- MAGIC %md
-- MAGIC # Cost
-- MAGIC What each mitigation costs to train, as a ratio to the matching no-mitigation runs measured on
-- MAGIC the same hardware, and what judging cost.

-- COMMAND ----------

CREATE WIDGET TEXT db DEFAULT 'embench';

-- COMMAND ----------

-- Each run against the none run of the same seed on the same device: speed over the steps after the
-- warm-up (tokens_per_s), peak memory, and where the wall time went. The scoreboard has the same
-- ratios averaged over seeds with intervals (from the lowest per-token step time of each run).
WITH trained AS (
  SELECT * FROM ${db}.runs WHERE kind = 'train' AND status = 'finished' AND tokens_per_s IS NOT NULL
)
SELECT t.run_name, t.mitigation, t.seed, t.device,
       round(t.tokens_per_s, 1) AS tokens_per_s,
       round(b.tokens_per_s / t.tokens_per_s, 3) AS step_time_vs_none,
       round((t.peak_heap_bytes + coalesce(t.peak_offheap_bytes, 0)) / 1e9, 2) AS peak_gb,
       round((t.peak_heap_bytes + coalesce(t.peak_offheap_bytes, 0))
             / (b.peak_heap_bytes + coalesce(b.peak_offheap_bytes, 0)), 3) AS memory_vs_none,
       round(t.model_load_s, 2) AS load_s, round(t.setup_s, 2) AS setup_s, round(t.steps_s, 2) AS steps_s,
       round(t.after_s, 2) AS after_s, round(t.wall_time_s, 1) AS wall_time_s
FROM trained t
LEFT JOIN trained b ON b.group_id = t.baseline_group_id AND b.seed = t.seed AND b.device = t.device
ORDER BY t.mitigation, t.run_name;

-- COMMAND ----------

SELECT judge_name, count(*) AS judgments,
       sum(prompt_tokens) AS prompt_tokens, sum(completion_tokens) AS completion_tokens,
       round(sum(cost_usd), 4) AS cost_usd
FROM ${db}.judgments
GROUP BY judge_name
ORDER BY judge_name;
