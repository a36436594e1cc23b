/// Options of the Influx line-protocol parser and serializer, named after Telegraf's.
public struct InfluxOptions: Sendable {
    /// Unit of the integer timestamps on the wire (Telegraf's `influx_timestamp_precision`): the parser
    /// multiplies input timestamps by it, the serializer writes timestamps in it.
    public var precision: TimestampPrecision = .nanoseconds
    /// Write fields sorted by key instead of in metric order (`influx_sort_fields`).
    public var sortFields = false
    /// Write unsigned integers with the `u` suffix (`influx_uint_support`). Off by default, as in
    /// Telegraf: InfluxDB 1.x rejects `1u` (and over UDP drops the whole datagram that holds it), so
    /// a uint is written as `i`; one above Int64.max is reported and skipped, never clamped.
    public var uintSupport = false
    /// Leave the timestamp off every line (`influx_omit_timestamp`).
    public var omitTimestamp = false
    /// Longest output line in bytes, newline included; 0 is unlimited (`influx_max_line_bytes`).
    /// A longer metric is split over several lines that repeat the series and the timestamp.
    public var maxLineBytes = 0

    public init() {}
}
