import ArgumentParser
import MetricFormats

/// Flags of the wavefront parser and serializer.
struct WavefrontFlags: FormatFlagGroup {
    static let formats: [MetricFormat] = [.wavefront]

    var givenFlags: [String] { [] }

    func apply(to options: inout FormatOptions) throws {}
}
