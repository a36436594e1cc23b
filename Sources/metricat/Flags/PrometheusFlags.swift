import ArgumentParser
import MetricFormats

/// Flags of the prometheus parser and serializer.
struct PrometheusFlags: FormatFlagGroup {
    static let formats: [MetricFormat] = [.prometheus]

    var givenFlags: [String] { [] }

    func apply(to options: inout FormatOptions) throws {}
}
