/// StatsD / DogStatsD parser: each sample of each line becomes one metric (no aggregation), as
/// ``StatsDSample/metric(timestamp:)`` describes; the line rules are ``StatsDLineParser``'s.
public struct StatsDParser: MetricParser {
    private var reader: StatsDLineParser
    private let defaultTags: [Tag]
    /// Replaces `.` in names when not `.` (Telegraf's `metric_separator`).
    private let separator: String?

    public init(options: FormatOptions) throws(FormatError) {
        reader = StatsDLineParser(options: options.statsd)
        defaultTags = options.defaultTags
        separator = options.statsd.metricSeparator == "." ? nil : options.statsd.metricSeparator
    }

    public mutating func parse(line: UnsafeBufferPointer<UInt8>, number: Int, into handler: MetricHandler) {
        let defaultTags = self.defaultTags
        reader.parse(line, number: number) { event in
            switch event {
            case .sample(let sample, let timestamp):
                var m = sample.metric(timestamp: timestamp)
                if let separator, m.name.utf8.contains(ASCII.dot) {
                    m.name = m.name.split(separator: ".", omittingEmptySubsequences: false).joined(separator: separator)
                }
                if !defaultTags.isEmpty {
                    var added = false
                    for t in defaultTags where m.tag(t.key) == nil {
                        m.tags.append(t)
                        added = true
                    }
                    if added { m.sortTags() }
                }
                handler.handle(m)
            case .diagnostic(let d):
                handler.report(d)
            }
        }
    }
}
