using Prometheus;

namespace Fog.Services.View;

/// <summary>The view server's Prometheus metrics (process-wide, as prometheus-net's default registry is).</summary>
internal static class ViewMetrics
{
    public static readonly Counter RecordsLoaded = Metrics.CreateCounter("fog_view_records_loaded_total", "Records loaded into the view enclave's oblivious map.");

    public static readonly Counter BlocksLoaded = Metrics.CreateCounter("fog_view_blocks_loaded_total", "(Ingress key, block) pairs loaded into the view enclave.");

    public static readonly Counter LoadFailures = Metrics.CreateCounter("fog_view_load_failures_total", "Blocks the enclave refused to load (malformed records or a full map); loading under that key stops.");

    public static readonly Counter DatabaseErrors = Metrics.CreateCounter("fog_view_database_errors_total", "Recovery DB errors seen by the loader or by queries.");

    public static readonly Counter Queries = Metrics.CreateCounter("fog_view_queries_total", "View queries by outcome.", new CounterConfiguration { LabelNames = ["outcome"] });

    public static readonly Histogram SearchKeysPerQuery = Metrics.CreateHistogram(
        "fog_view_search_keys_per_query",
        "Search keys per answered query.",
        new HistogramConfiguration { Buckets = [0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 500, 1000, 2000, 5000] });

    public static readonly Histogram QueryDuration = Metrics.CreateHistogram(
        "fog_view_query_duration_seconds",
        "Time to answer a query (events from the DB and the enclave's oblivious reads).",
        new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.001, 2, 14) });

    public static readonly Gauge MapRecords = Metrics.CreateGauge("fog_view_omap_records", "Records in the view enclave's oblivious map.");

    public static readonly Gauge MapCapacity = Metrics.CreateGauge("fog_view_omap_capacity", "Slots in the view enclave's oblivious map (about 75 % usable).");

    public static readonly Gauge MapFillRatio = Metrics.CreateGauge("fog_view_omap_fill_ratio", "Records / capacity of the oblivious map; restart with a larger --omap-capacity well before 0.75.");

    public static readonly Gauge HighestProcessedBlockCount = Metrics.CreateGauge("fog_view_highest_processed_block_count", "Every record of every block below this count is loaded.");

    public static readonly Gauge LastKnownBlockCount = Metrics.CreateGauge("fog_view_last_known_block_count", "The highest block loaded under any ingress key, plus one.");

    public static readonly Gauge Ready = Metrics.CreateGauge("fog_view_ready", "1 once the first full load from the recovery DB finished and queries are answered.");

    public static void ObserveQuery(string outcome) => Queries.WithLabels(outcome).Inc();
}
