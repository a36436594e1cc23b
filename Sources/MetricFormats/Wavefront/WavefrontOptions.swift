/// Options of the Wavefront parser and serializer, named after Telegraf's `wavefront_*` options.
public struct WavefrontOptions: Sendable {
    /// `wavefront_use_strict`: keep `,` and `/` in names and tag keys instead of replacing them with `-`.
    public var useStrict = false
    /// `wavefront_source_override`: tag keys, in order, whose value becomes the point's source when the
    /// metric has no `source` tag; the `host` value then moves to the tag `telegraf_host`.
    public var sourceOverride: [String] = []
    /// `wavefront_disable_prefix_conversion`: keep `_` in names instead of turning it into `.`.
    public var disablePrefixConversion = false

    public init() {}
}
