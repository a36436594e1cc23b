import ArgumentParser
import MetricFormats

/// Flags of the graphite parser and serializer.
struct GraphiteFlags: FormatFlagGroup {
    static let formats: [MetricFormat] = [.graphite]

    var givenFlags: [String] { [] }

    func apply(to options: inout FormatOptions) throws {}
}
