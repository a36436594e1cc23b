import ArgumentParser
import MetricFormats

/// Flags of the csv parser and serializer.
struct CSVFlags: FormatFlagGroup {
    static let formats: [MetricFormat] = [.csv]

    var givenFlags: [String] { [] }

    func apply(to options: inout FormatOptions) throws {}
}
