-- Dashboard: Mux • Compaction [posthog-backfill:mux-compaction]
-- Compaction completion volume and effectiveness, from live events only (nothing is backfilled). Days are UTC days.

-- Compactions per day [posthog-backfill:mux-compaction/volume]
-- Completed compactions per UTC day, last 30 days (one event per compaction request).
SELECT
    toDate(toTimeZone(timestamp, 'UTC')) AS day,
    count() AS compactions
FROM events
WHERE event = 'compaction_completed'
    AND timestamp >= now() - INTERVAL 30 DAY
GROUP BY day
ORDER BY day ASC
LIMIT 10000;

-- Compactions by source [posthog-backfill:mux-compaction/by-source]
-- Manual vs idle vs auto compactions per UTC day, last 30 days.
SELECT
    toDate(toTimeZone(timestamp, 'UTC')) AS day,
    ifNull(toString(properties.compaction_source), '(none)') AS compaction_source,
    count() AS compactions
FROM events
WHERE event = 'compaction_completed'
    AND timestamp >= now() - INTERVAL 30 DAY
GROUP BY day, compaction_source
ORDER BY day ASC, compaction_source ASC
LIMIT 10000;

-- Compaction effectiveness by model [posthog-backfill:mux-compaction/effectiveness-by-model]
-- Per model and source, last 30 days: compactions, median token buckets before (input) and after (output), the average output/input ratio (lower is a stronger compaction) and the median duration bucket in seconds. Medians are exact (medianExact: one of the values, never interpolated or sampled), so a median of base-2 buckets is itself a power of two; the ratio is an average of bucket ratios, a rough guide.
SELECT
    ifNull(toString(properties.model), '(none)') AS model,
    ifNull(toString(properties.compaction_source), '(none)') AS compaction_source,
    count() AS compactions,
    medianExact(toFloat(properties.input_tokens_b2)) AS median_input_tokens_b2,
    medianExact(toFloat(properties.output_tokens_b2)) AS median_output_tokens_b2,
    round(avg(toFloat(properties.output_tokens_b2) / nullIf(toFloat(properties.input_tokens_b2), 0)), 3) AS avg_output_to_input,
    medianExact(toFloat(properties.duration_b2)) AS median_duration_b2_s
FROM events
WHERE event = 'compaction_completed'
    AND timestamp >= now() - INTERVAL 30 DAY
GROUP BY model, compaction_source
ORDER BY compactions DESC, model, compaction_source
LIMIT 100;
