import ArgumentParser
import MetricFormats

/// Flags of the prometheus parser and serializer.
struct PrometheusFlags: FormatFlagGroup {
    static let formats: [MetricFormat] = [.prometheus]

    @Option(
        help: ArgumentHelp(
            "Input: 1 gives one metric per sample named after it (fields counter/gauge/value; a histogram or summary is one metric with bounds or quantiles, count and sum as fields); 2 gives measurement 'prometheus' with the metric name as field and le/quantile as tags. Default 2, as Telegraf's prometheus parser (its prometheus input plugin defaults to 1).",
            valueName: "1|2"))
    var prometheusMetricVersion: Int?

    @Flag(inversion: .prefixedNo, help: "Input: drop sample timestamps (Telegraf's prometheus_ignore_timestamp; default off).")
    var prometheusIgnoreTimestamp: Bool?

    @Flag(
        inversion: .prefixedNo,
        help:
            "Input: tag each typed sample metric_type=counter|gauge|histogram|summary (default off), so influx, JSON or CSV output carries the type and a prometheus output reads it back. Without it those formats have no type and the families come back untyped (which Pushgateway refuses for a family it holds as a counter or gauge). An input label metric_type is replaced."
    )
    var prometheusTypeTag: Bool?

    @Flag(inversion: .prefixedNo, help: "Output: write each sample's timestamp in milliseconds (default off, as Telegraf).")
    var prometheusExportTimestamp: Bool?

    @Flag(
        inversion: .prefixedNo,
        help:
            "Output: sort families by name and series by labels (default off, as Telegraf; unsorted output keeps first-seen order). Output is written at the end of input either way: memory grows with the number of series, not the input size."
    )
    var prometheusSortMetrics: Bool?

    @Flag(inversion: .prefixedNo, help: "Output: string fields become labels (default off, as Telegraf); otherwise each string field is reported once and skipped.")
    var prometheusStringAsLabel: Bool?

    @Flag(
        inversion: .prefixedNo,
        help:
            "Output: no # HELP lines; # TYPE lines stay (Telegraf's prometheus_compact_encoding; default off). HELP is Telegraf's fixed text, except that convert from prometheus to prometheus keeps the input's HELP texts (and its le and quantile spellings, which Telegraf rewrites: le=\"1.0\" stays, not le=\"1\")."
    )
    var prometheusCompactEncoding: Bool?

    @Option(
        help: ArgumentHelp(
            "Output: write families whose name matches this glob (* and ?) as counters, repeatable (Telegraf's prometheus_metric_types.counter). Without a match a family keeps the type its input gave (a Prometheus # TYPE line, a metric_type tag from StatsD or --prometheus-type-tag), else untyped.",
            valueName: "glob"))
    var prometheusMetricTypesCounter: [String] = []

    @Option(
        help: ArgumentHelp(
            "Output: write families whose name matches this glob as gauges, repeatable; wins over a counter match (Telegraf's prometheus_metric_types.gauge).", valueName: "glob"))
    var prometheusMetricTypesGauge: [String] = []

    var givenFlags: [String] {
        var out: [String] = []
        if prometheusMetricVersion != nil { out.append("--prometheus-metric-version") }
        if prometheusIgnoreTimestamp != nil { out.append("--prometheus-ignore-timestamp") }
        if prometheusTypeTag != nil { out.append("--prometheus-type-tag") }
        if prometheusExportTimestamp != nil { out.append("--prometheus-export-timestamp") }
        if prometheusSortMetrics != nil { out.append("--prometheus-sort-metrics") }
        if prometheusStringAsLabel != nil { out.append("--prometheus-string-as-label") }
        if prometheusCompactEncoding != nil { out.append("--prometheus-compact-encoding") }
        if !prometheusMetricTypesCounter.isEmpty { out.append("--prometheus-metric-types-counter") }
        if !prometheusMetricTypesGauge.isEmpty { out.append("--prometheus-metric-types-gauge") }
        return out
    }

    func apply(to options: inout FormatOptions) throws {
        if let v = prometheusMetricVersion {
            guard v == 1 || v == 2 else {
                throw ValidationError("--prometheus-metric-version: must be 1 or 2, not \(v) (example: --prometheus-metric-version 1)")
            }
            options.prometheus.metricVersion = v
        }
        if let v = prometheusIgnoreTimestamp { options.prometheus.ignoreTimestamp = v }
        if let v = prometheusTypeTag { options.prometheus.typeTag = v }
        if let v = prometheusExportTimestamp { options.prometheus.exportTimestamp = v }
        if let v = prometheusSortMetrics { options.prometheus.sortMetrics = v }
        if let v = prometheusStringAsLabel { options.prometheus.stringAsLabel = v }
        if let v = prometheusCompactEncoding { options.prometheus.compactEncoding = v }
        options.prometheus.metricTypesCounter = prometheusMetricTypesCounter
        options.prometheus.metricTypesGauge = prometheusMetricTypesGauge
    }
}
