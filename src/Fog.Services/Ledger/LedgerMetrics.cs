using Prometheus;

namespace Fog.Services.Ledger;

/// <summary>The ledger server's Prometheus metrics (process-wide, as prometheus-net's default registry is).</summary>
internal static class LedgerMetrics
{
    public static readonly Counter BlocksLoaded = Metrics.CreateCounter("fog_ledger_blocks_loaded_total", "Blocks whose key images are loaded into the ledger enclave.");

    public static readonly Counter KeyImagesLoaded = Metrics.CreateCounter("fog_ledger_key_images_loaded_total", "Key images loaded into the ledger enclave's oblivious map.");

    public static readonly Counter KeyImagesRejected = Metrics.CreateCounter("fog_ledger_key_images_rejected_total", "Key images the map cannot store (checks for them answer KeyImageError).");

    public static readonly Counter Requests = Metrics.CreateCounter("fog_ledger_requests_total", "Ledger requests by API and outcome.", new CounterConfiguration { LabelNames = ["api", "outcome"] });

    public static readonly Histogram KeyImagesPerQuery = Metrics.CreateHistogram(
        "fog_ledger_key_images_per_query",
        "Key images per answered check.",
        new HistogramConfiguration { Buckets = [0, 1, 2, 4, 8, 16, 32, 64, 100, 200, 500, 1000] });

    public static readonly Histogram OutputsPerRequest = Metrics.CreateHistogram(
        "fog_ledger_outputs_per_request",
        "Indices per answered GetOutputs request.",
        new HistogramConfiguration { Buckets = [0, 1, 2, 4, 8, 11, 16, 32, 64, 128, 256, 512, 1024, 2000] });

    public static readonly Histogram CheckDuration = Metrics.CreateHistogram(
        "fog_ledger_key_image_check_duration_seconds",
        "Time to answer a key-image check.",
        new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.0005, 2, 14) });

    public static readonly Gauge MapKeyImages = Metrics.CreateGauge("fog_ledger_omap_key_images", "Key images in the enclave's oblivious map.");

    public static readonly Gauge MapCapacity = Metrics.CreateGauge("fog_ledger_omap_capacity", "Slots in the enclave's oblivious map (about 75 % usable).");

    public static readonly Gauge MapFillRatio = Metrics.CreateGauge("fog_ledger_omap_fill_ratio", "Key images / capacity; restart with a larger --omap-capacity well before 0.75.");

    public static readonly Gauge NumBlocks = Metrics.CreateGauge("fog_ledger_loaded_block_count", "Blocks whose key images are all loaded (the num_blocks key-image checks report).");

    public static readonly Gauge Ready = Metrics.CreateGauge("fog_ledger_ready", "1 once the key images of every block present at start are loaded.");

    public static void Observe(string api, string outcome) => Requests.WithLabels(api, outcome).Inc();
}
