/// The wire formats metricat reads and writes, by the name used on the command line; what each one
/// is and does is its ``FormatDescriptor``, in the format's folder.
public enum MetricFormat: String, Sendable, CaseIterable {
    case influx
    case json
    case wavefront
    case statsd
    case graphite
    case prometheus
    case csv

    /// Everything else about the format, declared in its folder.
    public var descriptor: FormatDescriptor {
        switch self {
        case .influx: return .influx
        case .json: return .json
        case .wavefront: return .wavefront
        case .statsd: return .statsd
        case .graphite: return .graphite
        case .prometheus: return .prometheus
        case .csv: return .csv
        }
    }

    /// A parser for this format configured with `options`.
    /// - Throws: ``FormatError/invalidOption(_:_:)`` when an option's value is unusable (a bad template).
    public func makeParser(_ options: FormatOptions) throws(FormatError) -> any MetricParser {
        try descriptor.makeParser(options)
    }

    /// A serializer for this format configured with `options`.
    public func makeSerializer(_ options: FormatOptions) throws(FormatError) -> any MetricSerializer {
        try descriptor.makeSerializer(options)
    }
}

/// Errors in configuring a format (not in the data: data problems are ``Diagnostic``s).
public enum FormatError: Error, Equatable, CustomStringConvertible {
    /// `--flag`: what is wrong with its value.
    case invalidOption(String, String)

    public var description: String {
        switch self {
        case .invalidOption(let flag, let reason): return "\(flag): \(reason)"
        }
    }
}

/// Every format's options in one value, so one command line configures whichever format is in play.
/// Names follow Telegraf's options (`json_name_key` is `json.nameKey`, flag `--json-name-key`).
public struct FormatOptions: Sendable {
    /// Tags added to every parsed metric where the input has none of that key
    /// (for Wavefront they override parsed tags, as Telegraf does). Telegraf's `default_tags`.
    public var defaultTags: [Tag] = []
    /// Longest accepted input line or record in bytes.
    public var maxLineBytes: Int = 1 << 20
    /// Serializer name prefix (Telegraf's `prefix` for graphite and wavefront).
    public var prefix: String = ""
    /// Measurement name for formats whose input carries none (Telegraf's `metric_name`, JSON and CSV).
    public var metricName: String?
    /// Telegraf graphite-style templates (`filter template tags`), for the graphite parser and
    /// serializer and the StatsD parser (Telegraf's `templates`).
    public var templates: [String] = []

    public var influx = InfluxOptions()
    public var json = JSONOptions()
    public var wavefront = WavefrontOptions()
    public var statsd = StatsDOptions()
    public var graphite = GraphiteOptions()
    public var prometheus = PrometheusOptions()
    public var csv = CSVOptions()

    public init() {}
}
