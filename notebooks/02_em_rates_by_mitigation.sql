-- Databricks notebook source
-- MAGIC %md
-- MAGIC # EM rates by mitigation
-- MAGIC Groups of runs that differ only by seed, with a bootstrap interval over seeds (one seed: a
-- MAGIC zero-width interval, flagged). Rates are defined in `data-schemas/README.md`.

-- COMMAND ----------

CREATE WIDGET TEXT db DEFAULT 'embench';
CREATE WIDGET TEXT rate DEFAULT 'em_rate';

-- COMMAND ----------

SELECT model, dataset_id, mitigation, suite_id, judge_name, n_seeds,
       round(mean_rate, 4) AS rate, round(ci_lo, 4) AS ci_lo, round(ci_hi, 4) AS ci_hi, single_seed
FROM ${db}.group_rates
WHERE rate_name = '${rate}'
ORDER BY model, dataset_id, suite_id, judge_name, mitigation;

-- COMMAND ----------

-- MAGIC %md
-- MAGIC ## Each mitigation against its no-mitigation baseline
-- MAGIC Negative differences mean the mitigation lowered the rate; `paired` says whether runs were
-- MAGIC matched by seed.

-- COMMAND ----------

SELECT e.mitigation, e.suite_id, e.judge_name,
       round(e.mitigated_rate, 4) AS mitigated, round(e.baseline_rate, 4) AS baseline,
       round(e.difference, 4) AS difference, round(e.ci_lo, 4) AS ci_lo, round(e.ci_hi, 4) AS ci_hi,
       e.paired, e.n_mitigated, e.n_baseline
FROM ${db}.mitigation_effects e
WHERE e.rate_name = '${rate}'
ORDER BY e.suite_id, e.judge_name, e.difference;

-- COMMAND ----------

-- MAGIC %md
-- MAGIC ## Per run
-- MAGIC Macro rate (mean over questions) and pooled rate, each with its cluster-bootstrap interval.

-- COMMAND ----------

SELECT r.run_name, r.mitigation, r.seed, s.suite_id, s.judge_name, s.n_questions, s.n,
       round(s.macro_rate, 4) AS macro, round(s.macro_ci_lo, 4) AS macro_lo, round(s.macro_ci_hi, 4) AS macro_hi,
       round(s.pooled_rate, 4) AS pooled, round(s.pooled_ci_lo, 4) AS pooled_lo, round(s.pooled_ci_hi, 4) AS pooled_hi
FROM ${db}.suite_rates s
JOIN ${db}.runs r ON r.run_id = s.run_id
WHERE s.rate_name = '${rate}'
ORDER BY r.mitigation, r.run_name, s.suite_id;
