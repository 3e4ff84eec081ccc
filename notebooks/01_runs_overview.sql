-- Databricks notebook source
-- MAGIC %md
-- MAGIC # Runs overview
-- MAGIC One row per run (trained, base or imported) with what the pipeline has produced for it so far,
-- MAGIC then the judges' outcomes. Set the `db` widget to the database embench registered its tables in.

-- COMMAND ----------

CREATE WIDGET TEXT db DEFAULT 'embench';

-- COMMAND ----------

SELECT r.run_name, r.kind, r.model, r.dataset_id, r.mitigation, r.seed, r.status,
       coalesce(g.generations, 0) AS generations,
       coalesce(j.judgments, 0) AS judgments,
       coalesce(j.not_scored, 0) AS not_scored
FROM ${db}.runs r
LEFT JOIN (SELECT run_id, count(*) AS generations FROM ${db}.generations GROUP BY run_id) g
  ON g.run_id = r.run_id
LEFT JOIN (SELECT run_id, count(*) AS judgments, count_if(score IS NULL) AS not_scored
           FROM ${db}.judgments GROUP BY run_id) j
  ON j.run_id = r.run_id
ORDER BY r.mitigation, r.run_name;

-- COMMAND ----------

-- MAGIC %md
-- MAGIC ## Judge outcomes
-- MAGIC A null score is never a zero: `low_numeric_mass` is how CODE and REFUSAL answers drop out; any
-- MAGIC other status is a failure recorded as data.

-- COMMAND ----------

SELECT judge_name, metric, status, count(*) AS judgments, round(avg(score), 2) AS mean_score
FROM ${db}.judgments
GROUP BY judge_name, metric, status
ORDER BY judge_name, metric, status;
