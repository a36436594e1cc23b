import MetricFormats

/// Takes parsed metrics and writes them in the output format, routing every finding (from the
/// parser or the serializer) through ``Diagnostics`` with the input position it belongs to.
///
/// It also warns once per run about a timestamp that looks like the wrong precision.
public final class SerializingHandler: MetricHandler {
    /// Set once the output format is known (with `send`'s default it follows the detected input).
    public var serializer: (any MetricSerializer)? {
        get { owner?.current ?? nil }
        set {
            owner = newValue.map { SerializingHandler.box($0) }
            box = owner.map { Unmanaged.passUnretained($0) }
        }
    }
    /// The serializer in a class specialized for its type, so a call per metric goes straight to it
    /// (a mutating call through `any MetricSerializer` checks its box's uniqueness every time).
    /// `owner` keeps it; `box` reaches it per metric without counting a reference.
    private var owner: SerializerBox?
    private var box: Unmanaged<SerializerBox>?
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
    /// The bytes of the line being parsed, valid only while it is parsed (nil otherwise): a
    /// serializer finding is placed in it by ``SourceLocator``, so only a finding costs a scan.
    public var currentText: UnsafeBufferPointer<UInt8>? {
        get { position.text }
        set { position.text = newValue }
    }
    /// The format of the input, for ``SourceLocator``; nil places findings at column 1.
    public var inputFormat: MetricFormat? {
        get { position.format }
        set { position.format = newValue }
    }

    /// Sets the line being parsed and its bytes; ``leaveLine()`` after it was parsed.
    @inline(__always)
    public func enterLine(_ number: Int, _ text: UnsafeBufferPointer<UInt8>) {
        position.line = number
        position.text = text
    }

    /// The line's bytes are about to go away: later findings are placed at column 1.
    @inline(__always)
    public func leaveLine() {
        position.text = nil
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
        var text: UnsafeBufferPointer<UInt8>?
        var format: MetricFormat?
        /// Set while a metric with an ``MetricOrigin`` is written.
        var origin: MetricOrigin?

        /// The line and column of a serializer finding: where its subject was read.
        func place(_ d: inout Diagnostic) {
            let subject = d.subject ?? .record
            if let origin {
                (d.line, d.column) = origin.position(of: subject)
                return
            }
            d.line = line
            if let text, let format {
                d.column = SourceLocator.column(of: subject, in: text, format: format)
            } else {
                d.column = 1
            }
        }
    }
    private let position = Position()
    /// A constant, so that handing it to the serializer per metric costs no reference counting.
    private let context: SerializerContext
    /// The time given to metrics without a timestamp where the output needs one.
    public var now: Int64 {
        get { clock.nanoseconds }
        set { clock.nanoseconds = newValue }
    }
    private let clock: SerializerClock

    public init(serializer: (any MetricSerializer)?, sink: ByteSink, diagnostics: Diagnostics, precisionFlag: String? = nil, now: Int64) {
        self.owner = serializer.map { SerializingHandler.box($0) }
        self.box = owner.map { Unmanaged.passUnretained($0) }
        self.sink = sink
        self.diagnostics = diagnostics
        self.precisionFlag = precisionFlag
        let clock = SerializerClock(now)
        self.clock = clock
        self.context = SerializerContext(clock: clock) { [position] d in
            var d = d
            if d.line == nil { position.place(&d) }
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
            var d = Diagnostic.warning(.timestamp, text)
            position.place(&d)
            diagnostics.report(d, source: source)
        }
        box?._withUnsafeGuaranteedRef { $0.serialize(metric, into: &sink.buffer, context: context) }
        sink.flushIfNeeded()
    }

    public func handle(_ metric: Metric, origin: MetricOrigin) {
        position.origin = origin
        handle(metric)
        position.origin = nil
    }

    /// A metric written by a direct path (``InfluxDirect``) into ``sink``'s buffer.
    public func countDirect() {
        metricsIn += 1
        sink.flushIfNeeded()
    }

    public func report(_ diagnostic: Diagnostic) {
        diagnostics.report(diagnostic, source: source)
    }

    /// End of all input: lets the serializer write what it holds, and flushes.
    public func finish() {
        owner?.finish(into: &sink.buffer, context: context)
        sink.flush()
    }
}

/// A serializer held by reference, so that ``SerializingHandler`` calls it without copying it or
/// checking its uniqueness; ``TypedSerializerBox`` is the one for each serializer type.
private class SerializerBox {
    var current: (any MetricSerializer)? { nil }
    func serialize(_ metric: Metric, into out: inout [UInt8], context: SerializerContext) {}
    func finish(into out: inout [UInt8], context: SerializerContext) {}
}

private final class TypedSerializerBox<S: MetricSerializer>: SerializerBox {
    var serializer: S
    init(_ serializer: S) { self.serializer = serializer }
    override var current: (any MetricSerializer)? { serializer }
    override func serialize(_ metric: Metric, into out: inout [UInt8], context: SerializerContext) {
        serializer.serialize(metric, into: &out, context: context)
    }
    override func finish(into out: inout [UInt8], context: SerializerContext) {
        serializer.finish(into: &out, context: context)
    }
}

extension SerializingHandler {
    fileprivate static func box<S: MetricSerializer>(_ serializer: S) -> SerializerBox { TypedSerializerBox(serializer) }
}
