-- Databricks notebook source
-- MAGIC %md
-- MAGIC # Cost
-- MAGIC What each mitigation costs to train, as a ratio to the matching no-mitigation runs measured on
-- MAGIC the same hardware, and what judging cost.

-- COMMAND ----------

CREATE WIDGET TEXT db DEFAULT 'embench';

-- COMMAND ----------

WITH trained AS (
  SELECT * FROM ${db}.runs WHERE wall_time_s IS NOT NULL
),
baseline AS (
  SELECT group_id, device, avg(wall_time_s) AS wall_time_s, avg(tokens_per_s) AS tokens_per_s,
         avg(peak_heap_bytes + coalesce(peak_offheap_bytes, 0)) AS peak_bytes
  FROM trained
  WHERE group_id = baseline_group_id
  GROUP BY group_id, device
)
SELECT t.run_name, t.mitigation, t.seed, t.device,
       round(t.wall_time_s, 1) AS wall_time_s, round(t.tokens_per_s, 1) AS tokens_per_s,
       round((t.peak_heap_bytes + coalesce(t.peak_offheap_bytes, 0)) / 1e9, 2) AS peak_gb,
       round(t.wall_time_s / b.wall_time_s, 3) AS time_vs_baseline,
       round(b.tokens_per_s / t.tokens_per_s, 3) AS tokens_per_s_cost_vs_baseline,
       round((t.peak_heap_bytes + coalesce(t.peak_offheap_bytes, 0)) / b.peak_bytes, 3) AS memory_vs_baseline
FROM trained t
LEFT JOIN baseline b ON b.group_id = t.baseline_group_id AND b.device = t.device
ORDER BY t.mitigation, t.run_name;

-- COMMAND ----------

SELECT judge_name, count(*) AS judgments,
       sum(prompt_tokens) AS prompt_tokens, sum(completion_tokens) AS completion_tokens,
       round(sum(cost_usd), 4) AS cost_usd
FROM ${db}.judgments
GROUP BY judge_name
ORDER BY judge_name;
