import ArgumentParser
import MetricFormats

/// Flags of the influx parser and serializer, named after Telegraf's `influx_*` options.
struct InfluxFlags: FormatFlagGroup {
    static let formats: [MetricFormat] = [.influx]

    @Option(
        name: [.customLong("influx-timestamp-precision"), .customLong("precision")],
        help: ArgumentHelp(
            "Unit of line-protocol timestamps (also written 1ns, 1us, 1ms, 1s). Input timestamps are multiplied by it; output timestamps are written in it. Default ns.",
            valueName: "unit"))
    var influxTimestampPrecision: PrecisionArgument?

    @Flag(inversion: .prefixedNo, help: "Write fields sorted by key instead of in metric order (default off).")
    var influxSortFields: Bool?

    @Flag(
        inversion: .prefixedNo,
        help:
            "Write unsigned integers with the 'u' suffix, for InfluxDB 2.x/3.x. Default off, as in Telegraf: InfluxDB 1.x rejects 1u (over UDP it drops the whole datagram), so a uint is written as an integer ('i'); one above 9223372036854775807 is reported and skipped, never clamped."
    )
    var influxUintSupport: Bool?

    @Flag(inversion: .prefixedNo, help: "Write no timestamps; the receiver assigns its own (default off).")
    var influxOmitTimestamp: Bool?

    @Option(
        help: ArgumentHelp(
            "Longest output line in bytes, newline included; longer metrics are split over several lines that repeat the series and timestamp, as Telegraf does. 0 (default) is unlimited.",
            valueName: "bytes"))
    var influxMaxLineBytes: ByteSize<OutputLineBytes>?

    var givenFlags: [String] {
        var flags: [String] = []
        if influxTimestampPrecision != nil { flags.append("--influx-timestamp-precision") }
        if influxSortFields != nil { flags.append("--influx-sort-fields") }
        if influxUintSupport != nil { flags.append("--influx-uint-support") }
        if influxOmitTimestamp != nil { flags.append("--influx-omit-timestamp") }
        if influxMaxLineBytes != nil { flags.append("--influx-max-line-bytes") }
        return flags
    }

    func apply(to options: inout FormatOptions) throws {
        if let influxTimestampPrecision { options.influx.precision = influxTimestampPrecision.precision }
        if let influxSortFields { options.influx.sortFields = influxSortFields }
        if let influxUintSupport { options.influx.uintSupport = influxUintSupport }
        if let influxOmitTimestamp { options.influx.omitTimestamp = influxOmitTimestamp }
        if let influxMaxLineBytes { options.influx.maxLineBytes = influxMaxLineBytes.bytes }
    }
}
