import ArgumentParser
import MetricFormats

/// Flags of the json parser and serializer.
struct JSONFlags: FormatFlagGroup {
    static let formats: [MetricFormat] = [.json]

    var givenFlags: [String] { [] }

    func apply(to options: inout FormatOptions) throws {}
}
