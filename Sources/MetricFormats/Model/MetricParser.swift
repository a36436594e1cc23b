/// Receives what a parser produces: metrics and diagnostics, in input order.
public protocol MetricHandler: AnyObject {
    func handle(_ metric: Metric)
    /// A metric whose parts were read on earlier lines than the one being parsed (``MetricOrigin``).
    func handle(_ metric: Metric, origin: MetricOrigin)
    func report(_ diagnostic: Diagnostic)
}

extension MetricHandler {
    /// Handlers that place no findings ignore the origin.
    public func handle(_ metric: Metric, origin: MetricOrigin) { handle(metric) }
}

/// A streaming parser of one wire format, fed one line at a time.
///
/// Lines come without their terminator (`\n`, and a `\r` before it when the format allows CRLF is
/// the parser's to handle). A format whose records can span lines (a quoted string with a raw newline
/// in line protocol or CSV, a pretty-printed JSON object) keeps the pending part itself, bounded by
/// `maxRecordBytes`, and emits the record when it is complete.
public protocol MetricParser {
    /// Parses one line; `number` is its 1-based line number in the input.
    mutating func parse(line: UnsafeBufferPointer<UInt8>, number: Int, into handler: MetricHandler)
    /// End of input: a record still pending becomes an error.
    mutating func finish(into handler: MetricHandler)
    /// False while a record started on an earlier line is still open (the next line continues it).
    /// Mutating only so that asking through `any MetricParser` does not copy the parser.
    var isBetweenRecords: Bool { mutating get }
    /// A line between records that a ``DirectPath`` wrote instead: the parser counts it as read
    /// (a JSON input's first line may start with a byte order mark, a later one may not).
    mutating func lineWentDirect()
}

extension MetricParser {
    public mutating func finish(into handler: MetricHandler) {}
    public var isBetweenRecords: Bool { true }
    public mutating func lineWentDirect() {}
}

extension MetricParser {
    /// Parses a whole in-memory text, splitting it into lines; for tests, packets and small inputs.
    public mutating func parse(text bytes: some Collection<UInt8>, into handler: MetricHandler, maxLineBytes: Int = 1 << 20) {
        var framer = LineFramer(maxLineBytes: maxLineBytes)
        let array = Array(bytes)
        array.withUnsafeBufferPointer { buf in
            framer.feed(buf) { event in
                self.handle(event, handler: handler)
            }
        }
        framer.finish { event in self.handle(event, handler: handler) }
        finish(into: handler)
    }

    /// Applies one framer event: a line is parsed, an overlong line becomes an error.
    public mutating func handle(_ event: LineFramer.Event, handler: MetricHandler) {
        switch event {
        case .line(let line, let number):
            parse(line: line, number: number, into: handler)
        case .tooLong(let number, let limit):
            handler.report(.error(line: number, column: limit + 1, "line longer than \(limit) bytes: skipped (raise --max-line)"))
        }
    }
}

/// Collects everything a parser produces; for tests and small inputs.
public final class MetricCollector: MetricHandler {
    public private(set) var metrics: [Metric] = []
    public private(set) var diagnostics: [Diagnostic] = []
    /// The origin of each metric handed over with one, by index in ``metrics``.
    public private(set) var origins: [Int: MetricOrigin] = [:]
    public init() {}
    public func handle(_ metric: Metric) { metrics.append(metric) }
    public func handle(_ metric: Metric, origin: MetricOrigin) {
        origins[metrics.count] = origin
        metrics.append(metric)
    }
    public func report(_ diagnostic: Diagnostic) { diagnostics.append(diagnostic) }
    public var errors: [Diagnostic] { diagnostics.filter { $0.severity == .error } }
}
