/// Options of the Prometheus parser and serializer, named after Telegraf's.
public struct PrometheusOptions: Sendable {
    /// Parser: how samples become metrics (Telegraf's `prometheus_metric_version`).
    /// 1: measurement = metric name, fields `counter`/`gauge`/`value`, a histogram or summary is one
    /// metric with its bounds or quantiles as fields plus `count` and `sum`.
    /// 2 (Telegraf's parser default): measurement `prometheus`, field = metric name, `le` and
    /// `quantile` as tags.
    public var metricVersion: Int = 2
    /// Parser: drop the sample timestamps (Telegraf's `prometheus_ignore_timestamp`).
    public var ignoreTimestamp = false
    /// Parser: add the tag `metric_type` (`counter`, `gauge`, `histogram`, `summary`) to typed
    /// samples, so a format without types carries them and the Prometheus output reads them back.
    public var typeTag = false
    /// Parser and serializer of one Prometheus to Prometheus conversion share it: the input's
    /// `# HELP` texts and `le`/`quantile` spellings are written back as they came. nil otherwise.
    public var passThrough: PrometheusPassThrough?

    /// Serializer: write each sample's timestamp in milliseconds (`prometheus_export_timestamp`).
    public var exportTimestamp = false
    /// Serializer: sort families by name and series by labels (`prometheus_sort_metrics`);
    /// otherwise both come in the order they first appeared.
    public var sortMetrics = false
    /// Serializer: string fields become labels (`prometheus_string_as_label`); otherwise they are
    /// reported and skipped.
    public var stringAsLabel = false
    /// Serializer: family names (globs with `*` and `?`) written as counters, whatever the metric says
    /// (Telegraf's `prometheus_metric_types.counter`).
    public var metricTypesCounter: [String] = []
    /// Serializer: family names written as gauges; a gauge match wins over a counter match
    /// (Telegraf's `prometheus_metric_types.gauge`).
    public var metricTypesGauge: [String] = []
    /// Serializer: no `# HELP` lines, `# TYPE` lines stay (`prometheus_compact_encoding`).
    public var compactEncoding = false

    public init() {}
}
