-- Dashboard: claude-mem • Activity [posthog-backfill:claude-mem-activity]
-- Installs over time, active installs and retention, including the months before live telemetry (reconstructed by posthog-backfill). Days are UTC days. Caveat: the months before live telemetry come only from installs that later ran a release with the backfill (survivorship): installs that churned before it are missing, so early periods undercount. Locations of backfilled events are where the upload happened, not where the activity was. Version slicing uses live events only: backfilled events carry the version of the day the backfill ran, not of the day they describe.

-- Weekly active installs [posthog-backfill:claude-mem-activity/weekly-active-installs]
-- Distinct installs active in each calendar week (Monday start, UTC), from historical_activity together with session_started. Caveat: the months before live telemetry come only from installs that later ran a release with the backfill (survivorship): installs that churned before it are missing, so early periods undercount.
SELECT
    toStartOfWeek(toTimeZone(timestamp, 'UTC'), 1) AS week,
    count(DISTINCT distinct_id) AS active_installs
FROM events
WHERE event IN ('historical_activity', 'session_started')
    AND timestamp >= now() - INTERVAL 104 WEEK
GROUP BY week
ORDER BY week ASC
LIMIT 10000;

-- Monthly active installs [posthog-backfill:claude-mem-activity/monthly-active-installs]
-- Distinct installs active in each calendar month (UTC), from historical_activity together with session_started. Caveat: the months before live telemetry come only from installs that later ran a release with the backfill (survivorship): installs that churned before it are missing, so early periods undercount.
SELECT
    toStartOfMonth(toTimeZone(timestamp, 'UTC')) AS month,
    count(DISTINCT distinct_id) AS active_installs
FROM events
WHERE event IN ('historical_activity', 'session_started')
    AND timestamp >= now() - INTERVAL 36 MONTH
GROUP BY month
ORDER BY month ASC
LIMIT 10000;

-- Adoption curve [posthog-backfill:claude-mem-activity/adoption]
-- New installs per week (UTC) and the running total: each install counted once, at its earliest install_inferred or install_completed with is_update = false. Caveat: the months before live telemetry come only from installs that later ran a release with the backfill (survivorship): installs that churned before it are missing, so early periods undercount.
SELECT
    week,
    new_installs,
    sum(new_installs) OVER (ORDER BY week ASC ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS total_installs
FROM (
    SELECT
        first_week AS week,
        count() AS new_installs
    FROM (
        SELECT
            distinct_id,
            toStartOfWeek(toTimeZone(min(timestamp), 'UTC'), 1) AS first_week
        FROM events
        WHERE (event = 'install_inferred' OR (event = 'install_completed' AND toString(properties.is_update) = 'false'))
        GROUP BY distinct_id
    )
    GROUP BY week
)
ORDER BY week ASC
LIMIT 10000;

-- Weekly cohort retention [posthog-backfill:claude-mem-activity/weekly-retention]
-- Installs grouped by the week of their first_active_date (installs without one: their first event), and the percentage of each cohort active N weeks later. Caveat: the months before live telemetry come only from installs that later ran a release with the backfill (survivorship): installs that churned before it are missing, so early periods undercount. Early cohorts therefore look more retained than they were: their installs that churned before the backfill shipped are missing.
SELECT
    cohort_week,
    count(DISTINCT distinct_id) AS installs,
    round(100 * countIf(weeks_since = 0) / count(DISTINCT distinct_id), 1) AS week_0,
    round(100 * countIf(weeks_since = 1) / count(DISTINCT distinct_id), 1) AS week_1,
    round(100 * countIf(weeks_since = 2) / count(DISTINCT distinct_id), 1) AS week_2,
    round(100 * countIf(weeks_since = 3) / count(DISTINCT distinct_id), 1) AS week_3,
    round(100 * countIf(weeks_since = 4) / count(DISTINCT distinct_id), 1) AS week_4,
    round(100 * countIf(weeks_since = 5) / count(DISTINCT distinct_id), 1) AS week_5,
    round(100 * countIf(weeks_since = 6) / count(DISTINCT distinct_id), 1) AS week_6,
    round(100 * countIf(weeks_since = 7) / count(DISTINCT distinct_id), 1) AS week_7,
    round(100 * countIf(weeks_since = 8) / count(DISTINCT distinct_id), 1) AS week_8
FROM (
    SELECT
        activity.distinct_id AS distinct_id,
        cohorts.cohort_week AS cohort_week,
        dateDiff('week', cohorts.cohort_week, activity.week) AS weeks_since
    FROM (
        SELECT DISTINCT distinct_id, toStartOfWeek(toTimeZone(timestamp, 'UTC'), 1) AS week
        FROM events
        WHERE event IN ('historical_activity', 'session_started')
            AND timestamp >= toStartOfWeek(now() - INTERVAL 26 WEEK, 1)
    ) AS activity
    INNER JOIN (
        SELECT
            distinct_id,
            toStartOfWeek(ifNull(minIf(toDate(properties.first_active_date), event = 'install_inferred'), toDate(toTimeZone(min(timestamp), 'UTC'))), 1) AS cohort_week
        FROM events
        WHERE event IN ('install_inferred', 'historical_activity', 'session_started')
        GROUP BY distinct_id
    ) AS cohorts ON activity.distinct_id = cohorts.distinct_id
    WHERE activity.week >= cohorts.cohort_week
)
WHERE cohort_week >= toStartOfWeek(now() - INTERVAL 26 WEEK, 1)
GROUP BY cohort_week
ORDER BY cohort_week ASC
LIMIT 10000;

-- Weekly installs by version [posthog-backfill:claude-mem-activity/installs-by-version]
-- Distinct installs per version each week (UTC), from live events only. Version slicing uses live events only: backfilled events carry the version of the day the backfill ran, not of the day they describe.
SELECT
    toStartOfWeek(toTimeZone(timestamp, 'UTC'), 1) AS week,
    ifNull(toString(properties.version), '(none)') AS app_version,
    count(DISTINCT distinct_id) AS installs
FROM events
WHERE event IN ('session_started', 'install_completed')
    AND ifNull(toString(properties.backfilled), '') != 'true'
    AND timestamp >= now() - INTERVAL 26 WEEK
GROUP BY week, app_version
ORDER BY week ASC, installs DESC
LIMIT 10000;
