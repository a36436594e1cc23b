/// Options of the Influx line-protocol parser and serializer, named after Telegraf's.
public struct InfluxOptions: Sendable {
    /// Unit of the integer timestamps on the wire (Telegraf's `influx_timestamp_precision`): the parser
    /// multiplies input timestamps by it, the serializer writes timestamps in it.
    public var precision: TimestampPrecision = .nanoseconds
    /// Write fields sorted by key instead of in metric order (`influx_sort_fields`).
    public var sortFields = false
    /// Write unsigned integers with the `u` suffix (`influx_uint_support`). On by default in metricat so
    /// that `1u` survives a round trip; Telegraf's default is off, which writes them as `i`, clamped
    /// to Int64.max.
    public var uintSupport = true
    /// Leave the timestamp off every line (`influx_omit_timestamp`).
    public var omitTimestamp = false
    /// Longest output line in bytes, newline included; 0 is unlimited (`influx_max_line_bytes`).
    /// A longer metric is split over several lines that repeat the series and the timestamp.
    public var maxLineBytes = 0

    public init() {}
}
