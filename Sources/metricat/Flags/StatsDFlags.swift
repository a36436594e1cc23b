import ArgumentParser
import MetricFormats

/// Flags of the statsd parser and serializer.
struct StatsDFlags: FormatFlagGroup {
    static let formats: [MetricFormat] = [.statsd]

    var givenFlags: [String] { [] }

    func apply(to options: inout FormatOptions) throws {}
}
