/// What a serializer may need besides the metric: the time to use when a metric has none, and
/// where to say that a value or a name could not be written as it was.
public struct SerializerContext {
    /// Nanoseconds since the epoch; used by formats that must write a timestamp. Read from
    /// ``clock`` when there is one (a listener moves it as datagrams arrive).
    public var now: Int64 {
        get { clock?.nanoseconds ?? fixedNow }
        set { fixedNow = newValue }
    }
    private var fixedNow: Int64
    /// A time the owner moves on while the context stays the same value.
    public let clock: SerializerClock?
    /// Receives errors (a value skipped) and warnings (a name sanitized).
    public var report: (Diagnostic) -> Void

    public init(now: Int64, report: @escaping (Diagnostic) -> Void = { _ in }) {
        fixedNow = now
        clock = nil
        self.report = report
    }

    public init(clock: SerializerClock, report: @escaping (Diagnostic) -> Void = { _ in }) {
        fixedNow = clock.nanoseconds
        self.clock = clock
        self.report = report
    }
}

/// The time a ``SerializerContext`` gives metrics without a timestamp, moved by its owner: a
/// listener stamps each metric with the time its datagram or line arrived, as Telegraf does.
public final class SerializerClock: @unchecked Sendable {
    public var nanoseconds: Int64
    public init(_ nanoseconds: Int64) { self.nanoseconds = nanoseconds }
}

/// A serializer of one wire format that appends to a caller-owned buffer.
///
/// A value the format cannot carry (a string in StatsD, NaN in JSON) is reported through the
/// context and skipped; a metric with nothing left to write produces no bytes and an error.
public protocol MetricSerializer {
    mutating func serialize(_ metric: Metric, into out: inout [UInt8], context: SerializerContext)
    /// End of output: formats that group or sort (Prometheus) write what they hold.
    mutating func finish(into out: inout [UInt8], context: SerializerContext)
}

extension MetricSerializer {
    public mutating func finish(into out: inout [UInt8], context: SerializerContext) {}
}

extension MetricSerializer {
    /// Serializes metrics to a String; for tests and small outputs.
    public mutating func render(_ metrics: [Metric], now: Int64 = 0, report: @escaping (Diagnostic) -> Void = { _ in }) -> String {
        var out: [UInt8] = []
        let context = SerializerContext(now: now, report: report)
        for m in metrics { serialize(m, into: &out, context: context) }
        finish(into: &out, context: context)
        return String(decoding: out, as: UTF8.self)
    }
}
