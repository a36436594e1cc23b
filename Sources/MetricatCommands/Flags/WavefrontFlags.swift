import ArgumentParser
import MetricFormats

/// Flags of the wavefront parser and serializer (Telegraf's `wavefront_*` serializer options).
struct WavefrontFlags: FormatFlagGroup {
    static let formats: [MetricFormat] = [.wavefront]

    @Flag(inversion: .prefixedNo, help: "Keep ',' and '/' in output names and tag keys instead of replacing them with '-' (Telegraf's wavefront_use_strict).")
    var wavefrontUseStrict: Bool?

    @Option(
        help: ArgumentHelp(
            "Tag whose value becomes the output source when the metric has no 'source' tag; repeatable or comma-separated, first present wins; the 'host' value then moves to tag 'telegraf_host' (Telegraf's wavefront_source_override).",
            valueName: "tag"))
    var wavefrontSourceOverride: [String] = []

    @Flag(inversion: .prefixedNo, help: "Keep '_' in output names instead of turning it into '.' (Telegraf's wavefront_disable_prefix_conversion).")
    var wavefrontDisablePrefixConversion: Bool?

    var givenFlags: [String] {
        var out: [String] = []
        if wavefrontUseStrict != nil { out.append("--wavefront-use-strict") }
        if !wavefrontSourceOverride.isEmpty { out.append("--wavefront-source-override") }
        if wavefrontDisablePrefixConversion != nil { out.append("--wavefront-disable-prefix-conversion") }
        return out
    }

    func apply(to options: inout FormatOptions) throws {
        if let wavefrontUseStrict { options.wavefront.useStrict = wavefrontUseStrict }
        if let wavefrontDisablePrefixConversion { options.wavefront.disablePrefixConversion = wavefrontDisablePrefixConversion }
        var keys: [String] = []
        for value in wavefrontSourceOverride {
            for part in value.split(separator: ",", omittingEmptySubsequences: false) {
                let key = String(part.drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed())
                guard !key.isEmpty else {
                    throw ValidationError("--wavefront-source-override: empty tag name in '\(value)' (example: --wavefront-source-override instanceid,hostname)")
                }
                keys.append(key)
            }
        }
        if !keys.isEmpty { options.wavefront.sourceOverride = keys }
    }
}
