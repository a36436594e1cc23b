import MetricFormats

/// Takes parsed metrics and writes them in the output format, routing every finding (from the
/// parser or the serializer) through ``Diagnostics`` with the input position it belongs to.
///
/// It also warns once per run about a timestamp that looks like the wrong precision.
public final class SerializingHandler: MetricHandler {
    /// Set once the output format is known (with `send`'s default it follows the detected input).
    public var serializer: (any MetricSerializer)?
    public let sink: ByteSink
    public let diagnostics: Diagnostics
    /// The input name diagnostics show (`-` for stdin).
    public var source: String {
        get { position.source }
        set { position.source = newValue }
    }
    /// The line being parsed; serializer findings get this position.
    public var currentLine: Int {
        get { position.line }
        set { position.line = newValue }
    }
    /// The flag a precision warning names (`--precision` for line protocol); nil for formats whose
    /// timestamp unit is fixed or self-describing (no warning then).
    public var precisionFlag: String?
    /// Metrics handed in, and metrics that produced output.
    public private(set) var metricsIn = 0
    private var warnedPrecision = false
    /// Where serializer findings are reported from; shared with `context`'s closure.
    private final class Position {
        var source = "-"
        var line = 0
    }
    private let position = Position()
    /// A constant, so that handing it to the serializer per metric costs no reference counting.
    private let context: SerializerContext

    public init(serializer: (any MetricSerializer)?, sink: ByteSink, diagnostics: Diagnostics, precisionFlag: String? = nil, now: Int64) {
        self.serializer = serializer
        self.sink = sink
        self.diagnostics = diagnostics
        self.precisionFlag = precisionFlag
        self.context = SerializerContext(now: now) { [position] d in
            var d = d
            if d.line == nil { d.line = position.line }
            diagnostics.report(d, source: position.source)
        }
    }

    public func handle(_ metric: Metric) {
        metricsIn += 1
        // Only timestamps before 1970-04-26 as nanoseconds can look like another unit: the range test
        // keeps the per-metric cost to two compares (no call, no String copy of the flag).
        if !warnedPrecision, let ts = metric.timestamp, ts >= 100_000_000, ts < 10_000_000_000_000_000,
            let precisionFlag,
            let text = TimestampSanity.suspiciousPrecision(nanoseconds: ts, flag: precisionFlag)
        {
            warnedPrecision = true
            diagnostics.report(.warning(line: currentLine, text), source: source)
        }
        serializer?.serialize(metric, into: &sink.buffer, context: context)
        sink.flushIfNeeded()
    }

    public func report(_ diagnostic: Diagnostic) {
        diagnostics.report(diagnostic, source: source)
    }

    /// End of all input: lets the serializer write what it holds, and flushes.
    public func finish() {
        serializer?.finish(into: &sink.buffer, context: context)
        sink.flush()
    }
}
