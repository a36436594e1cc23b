import MetricFormats

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// One input's way through a ``RecordPipeline``: a file or stdin, a stream connection, or the
/// datagrams of one format. It frames bytes into lines (or takes lines framed by the listener),
/// decides the format from the first bytes when none was given, and keeps one parser for its whole
/// life, so caches learned on one line serve the next.
public final class RecordStream {
    /// The name findings are reported under: a path, `-`, or a peer address.
    public var name: String
    /// The input format, once given or decided.
    public private(set) var format: MetricFormat?
    /// Set when the format could not be told or its parser not made: the stream reads nothing more
    /// through ``feed(_:)`` (``feedLine(_:)`` tries detection again on its next line).
    public private(set) var refused = false
    /// Lines longer than this are reported and skipped by ``feedLine(_:)`` (``feed(_:)`` frames with
    /// the format options' limit).
    public var maxLineBytes: Int
    /// Held strongly: the pipeline keeps no stream, so there is no cycle, and a strong `let` is read
    /// without the reference counting an `unowned` one costs on every access.
    let pipeline: RecordPipeline
    private var parser: (any MetricParser)?
    private var framer: LineFramer
    /// The start of an input held until detection has enough of it.
    private var sniffed: [UInt8] = []
    /// The number of the last line handed to ``feedLine(_:)`` in the current text.
    private var lineNumber = 0

    init(pipeline: RecordPipeline, name: String, format: MetricFormat?) {
        self.pipeline = pipeline
        self.name = name
        maxLineBytes = pipeline.options.format.maxLineBytes
        framer = LineFramer(maxLineBytes: pipeline.options.format.maxLineBytes)
        if let format { _ = start(format, line: 1) }
    }

    /// Makes the parser for `format`; false (reported) when its options do not fit.
    private func start(_ format: MetricFormat, line: Int) -> Bool {
        do {
            parser = try pipeline.makeParser(format)
            self.format = format
            return true
        } catch {
            pipeline.diagnostics.report(.error(line: line, column: 1, error.message), source: name)
            refused = true
            return false
        }
    }

    /// Detects the format of `bytes`, the start of the input, and makes its parser.
    private func decide(_ bytes: [UInt8], line: Int) -> Bool {
        guard let chosen = pipeline.detect(bytes, name: name, line: line) else {
            refused = true
            return false
        }
        return start(chosen, line: line)
    }

    /// Bytes of a stream (a file, stdin, a pipe) in any chunks: framed into lines and parsed.
    /// Returns false once the stream is refused or `--strict` stopped the run.
    public func feed(_ chunk: UnsafeBufferPointer<UInt8>) -> Bool {
        if parser == nil {
            guard !refused else { return false }
            // Hold the start of the input until the format is known.
            sniffed.append(contentsOf: chunk)
            guard FormatDetector.hasEnough(sniffed) else { return true }
            guard decide(sniffed, line: 1) else { return false }
            let held = sniffed
            sniffed = []
            held.withUnsafeBufferPointer { frame($0) }
        } else {
            frame(chunk)
        }
        return !pipeline.diagnostics.shouldStop
    }

    /// End of the input: the last line without a newline, and the record still open, are handled.
    public func finish() {
        if parser == nil && !refused {
            // A short input: decide on what there is.
            if sniffed.allSatisfy({ ASCII.isWhitespace($0) }) { return }
            guard decide(sniffed, line: 1) else { return }
            let held = sniffed
            sniffed = []
            held.withUnsafeBufferPointer { frame($0) }
        }
        guard var p = parser.take() else { return }
        defer { parser = p }
        if pipeline.diagnostics.shouldStop { return }
        let output = pipeline.output
        let front = pipeline.front
        output.source = name
        framer.finish { event in
            if case .line(let bytes, let number) = event {
                output.enterLine(number, bytes)
                pipeline.onLine?(number)
            }
            p.handle(event, handler: front)
            output.leaveLine()
        }
        p.finish(into: front)
    }

    /// Frames a chunk and parses its lines; the direct path takes the lines it can copy.
    ///
    /// The parser is moved into a local for the loop: a mutating call on it then needs no
    /// exclusivity check per line and its box stays uniquely referenced.
    private func frame(_ chunk: UnsafeBufferPointer<UInt8>) {
        guard var p = parser.take() else { return }
        defer { parser = p }
        let output = pipeline.output
        let front = pipeline.front
        let diagnostics = pipeline.diagnostics
        let direct = pipeline.direct
        let onLine = pipeline.onLine
        output.source = name
        framer.feed(chunk) { event in
            if diagnostics.shouldStop { return }
            if case .line(let bytes, let number) = event {
                output.enterLine(number, bytes)
                onLine?(number)
                if let direct, p.isBetweenRecords, direct.transcode(bytes, into: &output.sink.buffer) {
                    p.lineWentDirect()
                    output.leaveLine()
                    output.countDirect()
                    return
                }
            }
            p.handle(event, handler: front)
            output.leaveLine()
        }
    }

    /// One line framed by the caller (a listener's stream line, or a line of a datagram), without
    /// its `\n`. Lines are numbered from 1 until ``endText()``.
    public func feedLine(_ line: UnsafeBufferPointer<UInt8>) {
        lineNumber += 1
        if parser == nil {
            // Each line gets its own try until one tells the format.
            refused = false
            guard decide(Array(line) + [0x0A], line: lineNumber) else { return }
        }
        let output = pipeline.output
        output.source = name
        output.enterLine(lineNumber, line)
        defer { output.leaveLine() }
        pipeline.onLine?(lineNumber)
        if line.count > maxLineBytes {
            pipeline.front.report(.error(line: lineNumber, column: maxLineBytes + 1, "line longer than \(maxLineBytes) bytes: skipped (raise --max-line)"))
            return
        }
        if let direct = pipeline.direct, parser!.isBetweenRecords, direct.transcode(line, into: &output.sink.buffer) {
            parser!.lineWentDirect()
            output.countDirect()
            return
        }
        parser!.parse(line: line, number: lineNumber, into: pipeline.front)
    }

    /// A whole text (a datagram): its lines, split at `\n`, as ``feedLine(_:)`` takes them one by one,
    /// then ``endText()``. Returns the number of its non-empty lines.
    ///
    /// A datagram of one line is the common case, so this is the per-datagram cost of decoding: what
    /// every line needs is fetched once for the text, and the parser is worked on in place, in its
    /// existential box, instead of being moved out and back (two copies of the box per datagram).
    @discardableResult
    public func feedText(_ text: UnsafeBufferPointer<UInt8>) -> Int {
        guard text.baseAddress != nil else { return 0 }
        var lines = 0
        // `format` is set exactly when the parser is (comparing the optional existential with nil
        // would copy it).
        if format == nil {
            // Not started (detection failed so far): each line gets its own try.
            Self.forEachLine(text) { line in
                if !Self.isBlank(line) { lines += 1 }
                feedLine(line)
            }
            endText()
        } else {
            lines = parser!.parseText(text, through: pipeline, name: name, maxLineBytes: maxLineBytes)
            lineNumber = 0
        }
        return lines
    }

    /// A line with nothing in it, not counted as one: empty, or only the `\r` of a CRLF ending.
    @inline(__always)
    static func isBlank(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
        line.count == 0 || (line.count == 1 && line[0] == 0x0D)
    }

    /// Calls `body` with each line of `text` (split at `\n`, the newline left out).
    @inline(__always)
    static func forEachLine(_ text: UnsafeBufferPointer<UInt8>, _ body: (UnsafeBufferPointer<UInt8>) -> Void) {
        guard let base = text.baseAddress else { return }
        var start = 0
        while start < text.count {
            var end = text.count
            if let hit = memchr(base + start, 0x0A, text.count - start) {
                end = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
            }
            body(UnsafeBufferPointer(start: base + start, count: end - start))
            start = end + 1
        }
    }

    /// End of a whole text (a datagram): a record still open ends here, and numbering starts again.
    public func endText() {
        lineNumber = 0
        guard parser != nil else { return }
        pipeline.output.source = name
        parser!.finish(into: pipeline.front)
    }
}

extension MetricParser {
    /// The lines of `text` through `pipeline` (the body of ``RecordStream/feedText(_:)``): each is
    /// copied by the direct path when it can be, otherwise parsed; the record still open is ended.
    /// Returns the number of non-empty lines.
    fileprivate mutating func parseText(_ text: UnsafeBufferPointer<UInt8>, through pipeline: RecordPipeline, name: String, maxLineBytes limit: Int) -> Int {
        let output = pipeline.output
        let front = pipeline.front
        let direct = pipeline.direct
        let onLine = pipeline.onLine
        let diagnostics = pipeline.diagnostics
        output.source = name
        var number = 0
        var lines = 0
        RecordStream.forEachLine(text) { line in
            number += 1
            if !RecordStream.isBlank(line) { lines += 1 }
            // --strict: after the first bad line the rest of the text is not read.
            if diagnostics.shouldStop { return }
            output.enterLine(number, line)
            onLine?(number)
            if line.count > limit {
                front.report(.error(line: number, column: limit + 1, "line longer than \(limit) bytes: skipped (raise --max-line)"))
            } else if let direct, isBetweenRecords, direct.transcode(line, into: &output.sink.buffer) {
                lineWentDirect()
                output.countDirect()
            } else {
                parse(line: line, number: number, into: front)
            }
            output.leaveLine()
        }
        finish(into: front)
        return lines
    }
}
