import ArgumentParser
import MetricFormats

/// Flags of the influx parser and serializer.
struct InfluxFlags: FormatFlagGroup {
    static let formats: [MetricFormat] = [.influx]

    var givenFlags: [String] { [] }

    func apply(to options: inout FormatOptions) throws {}
}
