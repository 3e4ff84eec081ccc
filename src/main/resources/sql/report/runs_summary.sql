-- The report's runs: how many of each kind and status, and their seeds.
SELECT kind, status, count(*) AS runs, count(DISTINCT model) AS models,
       concat_ws(', ', sort_array(collect_set(CAST(seed AS STRING)))) AS seeds
FROM report_runs
GROUP BY kind, status
ORDER BY kind, status
