-- Dashboard: Mux • Compaction [posthog-backfill:mux-compaction]
-- Compaction completion volume and effectiveness.

-- Compactions per day [posthog-backfill:mux-compaction/volume]
-- Completed compactions per day, last 30 days (one event per compaction request).
SELECT
    toDate(timestamp) AS day,
    count() AS compactions
FROM events
WHERE event = 'compaction_completed'
    AND timestamp >= now() - INTERVAL 30 DAY
GROUP BY day
ORDER BY day ASC
LIMIT 10000;

-- Compactions by source [posthog-backfill:mux-compaction/by-source]
-- Manual vs idle vs auto compactions per day, last 30 days.
SELECT
    toDate(timestamp) AS day,
    ifNull(toString(properties.compaction_source), '(none)') AS compaction_source,
    count() AS compactions
FROM events
WHERE event = 'compaction_completed'
    AND timestamp >= now() - INTERVAL 30 DAY
GROUP BY day, compaction_source
ORDER BY day ASC, compaction_source ASC
LIMIT 10000;

-- Compaction effectiveness by model [posthog-backfill:mux-compaction/effectiveness-by-model]
-- Per model and source, last 30 days: compactions, median token buckets before (input) and after (output), the average output/input ratio (lower is a stronger compaction) and the median duration bucket in seconds. Buckets are powers of two (base-2), so medians are too.
SELECT
    ifNull(toString(properties.model), '(none)') AS model,
    ifNull(toString(properties.compaction_source), '(none)') AS compaction_source,
    count() AS compactions,
    median(toFloat(properties.input_tokens_b2)) AS median_input_tokens_b2,
    median(toFloat(properties.output_tokens_b2)) AS median_output_tokens_b2,
    round(avg(toFloat(properties.output_tokens_b2) / nullIf(toFloat(properties.input_tokens_b2), 0)), 3) AS avg_output_to_input,
    median(toFloat(properties.duration_b2)) AS median_duration_b2_s
FROM events
WHERE event = 'compaction_completed'
    AND timestamp >= now() - INTERVAL 30 DAY
GROUP BY model, compaction_source
ORDER BY compactions DESC, model, compaction_source
LIMIT 100;
