import MetricFormats
import MetricTransport

#if canImport(Glibc)
    import Glibc
#endif

/// What `metricat send` does, as a value.
public struct SendOptions: Sendable {
    public var target: Endpoint
    /// The output format written to the target; nil: the format of the input.
    public var format: MetricFormat?
    /// The format of the lines given (arguments or stdin); nil detects it.
    public var from: MetricFormat?
    public var formatOptions = FormatOptions()
    /// Lines from the command line; when empty and there is no template, stdin is read.
    public var lines: [String] = []
    /// Generated metrics instead of lines.
    public var template: MetricTemplate?
    /// Time between generated metrics (ns); nil sends once (or `count` times back to back).
    public var every: Int64?
    public var count: Int?
    /// Stop generating after this long (ns).
    public var duration: Int64?
    /// Stamp generated metrics with the current time (else the collector assigns one).
    public var timestampNow = false
    public var sender = SenderOptions()
    /// A JSON summary on stderr at the end.
    public var json = false
    public var announceDetection = false
    /// True when the user set the line-protocol precision (`--precision`); with an `http://` target it
    /// must agree with the URL's `precision=`, or it is added to the request.
    public var precisionGiven = false
    /// Play back a `listen --record` file: at the recorded pace, or at `replayRate` lines/s.
    public var replay: String?
    public var replayRate: Double?

    public init(target: Endpoint, format: MetricFormat?) {
        self.target = target
        self.format = format
    }
}

/// Runs `send`: parses input (or generates metrics), re-renders it in the target format so a
/// malformed line never reaches the collector, and writes it to the target.
public enum SendFrontend {
    public static func run(_ options: SendOptions, diagnostics: Diagnostics) -> ExitStatus {
        var formatOptions = options.formatOptions
        var target = options.target
        if case .http(var t) = target {
            // The write API reads the body's timestamps in the request's precision (ns when none).
            do {
                formatOptions.influx.precision = try reconcilePrecision(
                    &t, flag: options.precisionGiven ? formatOptions.influx.precision : nil)
            } catch {
                StandardStreams.writeError("metricat: \(error.message)\n")
                return .usage
            }
            target = .http(t)
        }
        let output: LineOutput
        do {
            output = try LineOutput.open(target, options: options.sender, diagnostics: diagnostics)
        } catch {
            diagnostics.ioError("\(error)")
            return .unavailable
        }
        let sink = ByteSink(flushThreshold: 0) { bytes in output.write(&bytes) }
        var status: ExitStatus
        if let template = options.template {
            status = generate(template, options, formatOptions, sink: sink, output: output, diagnostics: diagnostics)
        } else if let path = options.replay {
            status = replay(path, options, formatOptions, sink: sink, output: output, diagnostics: diagnostics)
        } else {
            var to = options.format
            if case .http = options.target, to == nil { to = .influx }  // the write API takes line protocol
            var convert = ConvertOptions(from: options.from, to: to)
            convert.format = formatOptions
            convert.announceDetection = options.announceDetection
            if !options.lines.isEmpty {
                convert.texts = [(name: "arg", bytes: Array(options.lines.joined(separator: "\n").utf8))]
            }
            output.diagnosticsSource = options.lines.isEmpty ? "-" : "arg"
            status = Converter.run(
                convert, diagnostics: diagnostics, output: sink, afterChunk: { output.flush() },
                onLine: { output.currentLine = $0 })
        }
        output.close()
        let stats = output.stats
        let (rejected, unconfirmed) = output.httpOutcome
        if options.json {
            StandardStreams.writeError(summaryJSON(stats, target: options.target, rejected: rejected, unconfirmed: unconfirmed) + "\n")
        } else if diagnostics.verbose {
            let http = options.target.isHTTP ? ", rejected \(rejected), unconfirmed \(unconfirmed)" : ""
            StandardStreams.writeError(
                "metricat: sent \(stats.lines) lines in \(stats.datagrams) \(options.target.isDatagram ? "datagrams" : "writes"), \(stats.bytes) bytes to \(options.target); reconnects \(stats.reconnects), refused \(stats.refused), failed \(stats.failedLines)\(http), resent \(stats.resentLines)\(deliveryNote(stats))\n"
            )
        }
        if stats.failedLines > 0 || unconfirmed > 0 {
            var parts: [String] = []
            if stats.failedLines > 0 { parts.append("\(stats.failedLines) lines could not be delivered") }
            if unconfirmed > 0 { parts.append("\(unconfirmed) lines were sent but never confirmed (the server may have stored them)") }
            diagnostics.ioError("\(options.target): " + parts.joined(separator: "; "))
            return .unavailable
        }
        if status == .ok { status = diagnostics.exitStatus }
        return status
    }

    /// The precision of the body sent to InfluxDB's write API: the URL's `precision=` and the flag's
    /// must agree; a flag alone is added to the URL, so seconds are never read as nanoseconds.
    public static func reconcilePrecision(_ t: inout Endpoint.HTTPTarget, flag: TimestampPrecision?) throws(UsageError) -> TimestampPrecision {
        var inURL: TimestampPrecision?
        for part in t.query.split(separator: "&") where part.hasPrefix("precision=") {
            let text = String(part.dropFirst(10))
            guard let p = TimestampPrecision(parsing: text) else {
                throw UsageError(message: "\(Endpoint.http(t)): precision=\(text) is not one InfluxDB knows: use precision=ns, u, ms or s")
            }
            inURL = p
        }
        switch (inURL, flag) {
        case (let u?, let f?) where u != f:
            throw UsageError(
                message: "--precision \(f.rawValue) disagrees with precision=\(u.rawValue) in \(Endpoint.http(t)): give one of them (or the same unit in both)")
        case (let u?, _):
            return u
        case (nil, let f?):
            if f != .nanoseconds {
                // InfluxDB 1.x spells microseconds `u`; it also takes `ms` and `s`.
                let name = f == .microseconds ? "u" : f.rawValue
                t.query += (t.query.isEmpty ? "" : "&") + "precision=" + name
            }
            return f
        case (nil, nil):
            return .nanoseconds
        }
    }

    static func summaryJSON(_ s: SenderStats, target: Endpoint, rejected: Int = 0, unconfirmed: Int = 0) -> String {
        var o = JSONObjectWriter()
        o.add("target", target.description)
        o.add("lines", s.lines)
        o.add("datagrams", s.datagrams)
        o.add("bytes", s.bytes)
        o.add("reconnects", s.reconnects)
        o.add("refused", s.refused)
        o.add("failed", s.failedLines)
        if target.isHTTP {
            o.add("rejected", rejected)
            o.add("unconfirmed", unconfirmed)
        }
        o.add("resent", s.resentLines)
        o.add("unconfirmed_bytes", s.unconfirmedBytes)
        o.add("errors", counts: s.errors)
        return o.text
    }

    /// What a reconnect means for delivery, when one resent lines: at-least-once, with the number of
    /// lines that may be duplicated, and acknowledged bytes that could not be resent.
    static func deliveryNote(_ s: SenderStats) -> String {
        var note = ""
        if s.resentLines > 0 {
            note += " (delivery is at-least-once across a reconnect: up to \(s.resentLines) lines may be duplicated)"
        }
        if s.unconfirmedBytes > 0 {
            note += "; \(s.unconfirmedBytes) bytes the collector acknowledged before a break were older than the resend buffer and may not have been processed"
        }
        return note
    }

    /// Generated metrics: `count` of them, or for `duration`, one every `every` (absolute schedule,
    /// so pauses do not accumulate); SIGINT/SIGTERM stop it cleanly.
    static func generate(
        _ template: MetricTemplate, _ options: SendOptions, _ formatOptions: FormatOptions, sink: ByteSink, output: LineOutput,
        diagnostics: Diagnostics
    ) -> ExitStatus {
        let serializer: any MetricSerializer
        do {
            serializer = try (options.format ?? .influx).makeSerializer(formatOptions)
        } catch {
            diagnostics.ioError(error.description)
            return .usage
        }
        let handler = SerializingHandler(serializer: serializer, sink: sink, diagnostics: diagnostics, now: Clock.now())
        handler.source = "generated"
        output.diagnosticsSource = "generated"
        var generator = MetricGenerator(template)
        var rng = SystemRandomNumberGenerator()
        let count = options.count ?? (options.every == nil && options.duration == nil ? 1 : Int.max)
        let start = Clock.monotonicNanoseconds()
        let signals = StopSignals()
        // Formats that always write a time would otherwise write the run's start on every tick (and a
        // receiver such as carbon keeps one point per series and second): each metric gets its tick's time.
        let format = options.format ?? .influx
        let stampEveryTick = options.timestampNow || format.descriptor.writesTimeForEveryMetric
        var sent = 0
        while sent < count {
            if let d = options.duration, Clock.monotonicNanoseconds() - start >= d { break }
            let now = Clock.nowNanoseconds()
            var m = generator.next(time: now, rng: &rng)
            if stampEveryTick { m.timestamp = now }
            handler.currentLine = sent + 1
            output.currentLine = sent + 1
            handler.handle(m)
            sent += 1
            guard let every = options.every else { continue }
            output.flush()
            if sent >= count { break }
            var next = start + Int64(sent) * every
            if let d = options.duration { next = min(next, start + d) }
            if signals.sleep(nanoseconds: next - Clock.monotonicNanoseconds()) { break }  // SIGINT or SIGTERM
        }
        handler.finish()
        return diagnostics.exitStatus
    }
}

extension SendFrontend {
    /// Plays back a recording: every line is parsed and re-rendered as in normal sending, at the
    /// recorded pace (the gaps between receive times) or at a fixed rate.
    static func replay(
        _ path: String, _ options: SendOptions, _ formatOptions: FormatOptions, sink: ByteSink, output: LineOutput,
        diagnostics: Diagnostics
    ) -> ExitStatus {
        let handler = SerializingHandler(serializer: nil, sink: sink, diagnostics: diagnostics, now: Clock.now())
        handler.source = path
        output.diagnosticsSource = path
        var parser: (any MetricParser)?
        var firstTime: Int64?
        let start = Clock.monotonicNanoseconds()
        var index = 0
        Recording.read(path, diagnostics: diagnostics) { entry in
            index += 1
            if parser == nil {
                var format = options.from
                if format == nil, case .format(let f, _) = FormatDetector.detect(Array(entry.line) + [ASCII.newline]) { format = f }
                guard let format else {
                    diagnostics.report(.error(line: index, column: 1, "cannot tell the format of the recorded lines; set --from"), source: path)
                    return false
                }
                do throws(FormatError) {
                    parser = try format.makeParser(formatOptions)
                    handler.serializer = try (options.format ?? format).makeSerializer(formatOptions)
                    handler.inputFormat = format
                } catch {
                    diagnostics.ioError(error.description)
                    return false
                }
            }
            // When this line is due: its offset in the recording, or its index at the given rate.
            let due: Int64
            if let rate = options.replayRate {
                // A rate so low that the wait passes Int64 waits for ever (until a signal).
                let offset = Double(index - 1) / rate * 1e9
                due = offset < Double(Int64.max - start) ? start + Int64(offset) : Int64.max
            } else {
                let first = firstTime ?? entry.time
                firstTime = first
                // Times more than 292 years apart are no clock's: such an entry cannot be waited for.
                let (offset, o1) = entry.time.subtractingReportingOverflow(first)
                let (at, o2) = start.addingReportingOverflow(max(0, offset))
                guard !o1 && !o2 else {
                    diagnostics.report(
                        .error(line: index, column: 1, "recorded time \(entry.time) is too far from the first entry's \(first) to wait for: skipped"),
                        source: path)
                    return !diagnostics.shouldStop
                }
                due = at
            }
            let wait = due - Clock.monotonicNanoseconds()
            if wait > 0 {
                output.flush()
                sleepNanoseconds(wait)
            }
            handler.enterLine(index, entry.line)
            output.currentLine = index
            parser!.parse(line: entry.line, number: index, into: handler)
            handler.leaveLine()
            return !diagnostics.shouldStop
        }
        if parser != nil { parser!.finish(into: handler) }
        handler.finish()
        return diagnostics.exitStatus
    }
}

/// Where `send` writes lines: a socket (``Sender``), InfluxDB's write API (``HTTPWriter``) or stdout.
public final class LineOutput {
    enum Kind {
        case socket(Sender)
        case http(HTTPWriter)
        case stdout(ByteSink)
    }

    let kind: Kind
    let diagnostics: Diagnostics
    /// The input name and line that the bytes being written came from, for rejections.
    public var diagnosticsSource = "-"
    public var currentLine = 0

    init(kind: Kind, diagnostics: Diagnostics) {
        self.kind = kind
        self.diagnostics = diagnostics
    }

    public static func open(_ target: Endpoint, options: SenderOptions, diagnostics: Diagnostics) throws(TransportError) -> LineOutput {
        switch target {
        case .stdout:
            return LineOutput(kind: .stdout(ByteSink(fd: 1)), diagnostics: diagnostics)
        case .http(let t):
            let writer = try HTTPWriter(target: t)
            writer.retries = options.retries
            writer.writeTimeout = options.writeTimeout
            let out = LineOutput(kind: .http(writer), diagnostics: diagnostics)
            writer.onRejectedLine = { [unowned out] line, reason in
                diagnostics.report(.error(line: line, reason), source: out.diagnosticsSource)
            }
            writer.onEvent = { diagnostics.warning($0) }
            return out
        default:
            let sender = try Sender(endpoint: target, options: options)
            sender.onEvent = { message in
                if diagnostics.verbose { diagnostics.note(message) }
            }
            return LineOutput(kind: .socket(sender), diagnostics: diagnostics)
        }
    }

    /// Takes the serialized lines in `bytes`.
    public func write(_ bytes: inout [UInt8]) {
        switch kind {
        case .stdout(let sink):
            sink.buffer.append(contentsOf: bytes)
            sink.flushIfNeeded()
        case .socket(let sender):
            for (_, rejection) in sender.send(text: bytes) {
                diagnostics.report(.error(line: currentLine, rejection.description), source: diagnosticsSource)
            }
        case .http(let writer):
            bytes.withUnsafeBytes { raw in
                var start = 0
                for i in 0..<raw.count where raw[i] == 0x0A {
                    if i > start { writer.write(line: UnsafeRawBufferPointer(rebasing: raw[start..<i]), tag: currentLine) }
                    start = i + 1
                }
                if start < raw.count { writer.write(line: UnsafeRawBufferPointer(rebasing: raw[start...]), tag: currentLine) }
            }
        }
        bytes.removeAll(keepingCapacity: true)
    }

    public func flush() {
        switch kind {
        case .stdout(let sink): sink.flush()
        case .socket(let sender): sender.flush()
        case .http(let writer): writer.flush()
        }
    }

    /// Bounds the waits of the target by `deadline` (monotonic ns), from any thread: see
    /// ``Sender/stop(by:)`` and ``HTTPWriter/stop(by:)``.
    public func stop(by deadline: Int64) {
        switch kind {
        case .socket(let sender): sender.stop(by: deadline)
        case .http(let writer): writer.stop(by: deadline)
        case .stdout: break
        }
    }

    public func close() {
        switch kind {
        case .stdout(let sink): sink.flush()
        case .socket(let sender): sender.close()
        case .http(let writer): writer.close()
        }
    }

    /// InfluxDB's write API only: lines refused as bad data, and lines sent whose answer never came.
    public var httpOutcome: (rejected: Int, unconfirmed: Int) {
        if case .http(let writer) = kind { return (writer.rejectedLines, writer.unconfirmedLines) }
        return (0, 0)
    }

    public var stats: SenderStats {
        switch kind {
        case .stdout: return SenderStats()
        case .socket(let sender): return sender.stats
        case .http(let writer): return writer.stats
        }
    }
}
