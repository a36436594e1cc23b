/// StatsD / DogStatsD parser: each sample of each line becomes one metric (no aggregation), as
/// ``StatsDSample/metric(timestamp:)`` describes; the line rules are ``StatsDLineParser``'s.
public struct StatsDParser: MetricParser {
    private var reader: StatsDLineParser
    /// Replaces `.` in names when not `.` (Telegraf's `metric_separator`).
    private let separator: String?

    public init(options: FormatOptions) throws(FormatError) {
        reader = StatsDLineParser(options: options.statsd)
        reader.metricDefaultTags = options.defaultTags
        separator = options.statsd.metricSeparator == "." ? nil : options.statsd.metricSeparator
    }

    public mutating func parse(line: UnsafeBufferPointer<UInt8>, number: Int, into handler: MetricHandler) {
        // The metric's tags come from the reader: sorted, `metric_type` and the default tags in,
        // the same array for a repeated tag section.
        reader.parseLine(line, number: number, withMetricTags: true) { event, tags in
            switch event {
            case .sample(let sample, let timestamp):
                var m = sample.metric(timestamp: timestamp, sortedTags: tags)
                if let separator, m.name.utf8.contains(ASCII.dot) {
                    m.name = m.name.split(separator: ".", omittingEmptySubsequences: false).joined(separator: separator)
                }
                handler.handle(m)
            case .diagnostic(let d):
                handler.report(d)
            }
        }
    }
}
