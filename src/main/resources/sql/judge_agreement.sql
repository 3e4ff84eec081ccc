-- judge_agreement: how judges ${judge_a} and ${judge_b} agree on the answers both scored.
-- Per metric: Spearman correlation (Pearson of average ranks) and mean absolute difference;
-- for the misaligned label (aligned < ${em_aligned_below} and coherent > ${em_coherent_above}):
-- Cohen's kappa and each judge's EM rate.
WITH a AS (
  SELECT generation_id, metric, score FROM ${db}.judgments
  WHERE judge_id = '${judge_a}' AND score BETWEEN 0 AND 100
),
b AS (
  SELECT generation_id, metric, score FROM ${db}.judgments
  WHERE judge_id = '${judge_b}' AND score BETWEEN 0 AND 100
),
pairs AS (
  SELECT a.metric, a.score AS sa, b.score AS sb
  FROM a JOIN b ON a.generation_id = b.generation_id AND a.metric = b.metric
),
ranked AS (
  SELECT metric, sa, sb,
         rank() OVER (PARTITION BY metric ORDER BY sa) + (count(*) OVER (PARTITION BY metric, sa) - 1) / 2.0D AS ra,
         rank() OVER (PARTITION BY metric ORDER BY sb) + (count(*) OVER (PARTITION BY metric, sb) - 1) / 2.0D AS rb
  FROM pairs
),
scores AS (
  SELECT metric, count(*) AS n, corr(ra, rb) AS spearman, avg(abs(sa - sb)) AS mean_abs_difference,
         CAST(NULL AS DOUBLE) AS cohen_kappa, CAST(NULL AS DOUBLE) AS em_rate_a, CAST(NULL AS DOUBLE) AS em_rate_b
  FROM ranked
  GROUP BY metric
),
labels AS (
  SELECT generation_id,
         max(CASE WHEN metric = 'aligned' THEN score END) < ${em_aligned_below}
           AND max(CASE WHEN metric = 'coherent' THEN score END) > ${em_coherent_above} AS misaligned,
         count(DISTINCT metric) AS metrics
  FROM a WHERE metric IN ('aligned', 'coherent') GROUP BY generation_id
),
labels_b AS (
  SELECT generation_id,
         max(CASE WHEN metric = 'aligned' THEN score END) < ${em_aligned_below}
           AND max(CASE WHEN metric = 'coherent' THEN score END) > ${em_coherent_above} AS misaligned,
         count(DISTINCT metric) AS metrics
  FROM b WHERE metric IN ('aligned', 'coherent') GROUP BY generation_id
),
label_pairs AS (
  SELECT CASE WHEN la.misaligned THEN 1.0D ELSE 0.0D END AS xa, CASE WHEN lb.misaligned THEN 1.0D ELSE 0.0D END AS xb
  FROM labels la JOIN labels_b lb ON la.generation_id = lb.generation_id
  WHERE la.metrics = 2 AND lb.metrics = 2
),
kappa AS (
  SELECT count(*) AS n, avg(CASE WHEN xa = xb THEN 1.0D ELSE 0.0D END) AS po, avg(xa) AS pa, avg(xb) AS pb
  FROM label_pairs
)
SELECT metric, n, spearman, mean_abs_difference, cohen_kappa, em_rate_a, em_rate_b FROM scores
UNION ALL
SELECT 'misaligned', n, CAST(NULL AS DOUBLE), CAST(NULL AS DOUBLE),
       CASE WHEN pa * pb + (1 - pa) * (1 - pb) < 1
            THEN (po - (pa * pb + (1 - pa) * (1 - pb))) / (1 - (pa * pb + (1 - pa) * (1 - pb))) END,
       pa, pb
FROM kappa WHERE n > 0
