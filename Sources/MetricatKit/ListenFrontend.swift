import MetricCore
import MetricFormats
import MetricTransport

#if canImport(Glibc)
    import Glibc
#endif

/// What `metricat listen` does, as a value.
public struct ListenOptions: Sendable {
    public var endpoints: [Endpoint]
    /// Decode with this format (nil: print lines as received; `auto` is `detect`).
    public var from: MetricFormat?
    public var detect = false
    /// Re-render decoded metrics in this format (default: influx).
    public var to: MetricFormat = .influx
    public var formatOptions = FormatOptions()
    public var listener = ListenerOptions()
    public var showSource = false
    /// Hex-dump datagrams and stream reads instead of printing lines.
    public var raw = false
    /// Stop (exit 0) after this many lines, or metrics when decoding.
    public var count: Int?
    /// Stop after this long (ns); exit 1 when an expectation or a count was not met by then.
    public var timeout: Int64?
    public var expect: String?
    public var expectMetric: MetricExpectation?
    public var json = false
    public var stats = false
    /// Append what arrives to this file in the ``Recording`` format, for `send --replay`.
    public var record: String?
    /// Print nothing but diagnostics and the summary.
    public var quiet = false
    /// Count lost, duplicated and reordered lines from the sequence number under this key (`--sequence`).
    public var sequenceKey: String?
    /// Run this command (argv, no shell) once every socket is bound; listen while it runs, and the
    /// exit status needs it to succeed (`listen ... -- COMMAND`).
    public var command: [String] = []
    /// Write the bound addresses here, one per line, atomically once every socket is bound.
    public var readyFile: String?

    public init(endpoints: [Endpoint]) {
        self.endpoints = endpoints
    }
}

/// What a listen run saw, for `--json` and `--stats`. Every count is exact for what the program read.
public struct ListenSummary: Sendable {
    /// Non-empty lines, from datagrams and streams (`received` in JSON): a datagram of three lines
    /// counts three; a datagram is always handled whole, even when `--count` is reached inside it.
    public var lines = 0
    /// Metrics decoded (0 when not decoding).
    public var metrics = 0
    /// Bytes read from the sockets, newlines included.
    public var bytes = 0
    /// Datagrams read whole (UDP and unixgram); a truncated one counts in `dropped` instead.
    public var datagrams = 0
    /// Stream connections accepted and served.
    public var connections = 0
    /// Lines or records that did not parse.
    public var parseErrors = 0
    /// Overlong lines, truncated datagrams, and connections closed to make room or for being idle.
    public var dropped = 0
    public var kernelDrops: UInt64 = 0
    /// Datagrams the kernel handed to listen that it did not handle: after `--count` or an
    /// expectation was met, or still queued when the run stopped (read and discarded at the end).
    public var unread = 0
    public var matched = false
    public var durationSeconds = 0.0
    /// The bound addresses, with the port the kernel chose for `:0`.
    public var listening: [String] = []
    /// How the command after `--` ended, when there was one.
    public var command: ChildProcess.Termination?
}

/// Runs `listen`: binds the endpoints, prints or decodes what arrives, and decides the exit status
/// from `--count`, `--expect`, `--expect-metric` and `--timeout`.
public final class ListenFrontend: MetricHandler {
    let options: ListenOptions
    let diagnostics: Diagnostics
    let out = ByteSink(fd: 1, flushThreshold: 64 * 1024)
    var summary = ListenSummary()
    /// `--expect`, compiled by PCRE2.
    var regex: Pattern?
    /// Decodes and writes what arrives (nil when printing lines as received).
    var pipeline: RecordPipeline?
    /// One stream per stream connection, by connection number, for as long as it is open.
    var streams: [Int: RecordStream] = [:]
    /// Datagrams of one format go through one stream: each datagram is a whole text that ends its
    /// records, so its parser holds nothing between datagrams but its caches, whichever the sender.
    var datagramStreams: [MetricFormat: RecordStream] = [:]
    /// The stream of the last datagram, by its format.
    var lastDatagramStream: (format: MetricFormat, stream: RecordStream)?
    /// The format each datagram sender was detected as (`--from auto`); forgotten all at once when
    /// it holds ``maxSenders``, so memory stays bounded under any number of senders.
    var senderFormats: [String: MetricFormat] = [:]
    static let maxSenders = 4096
    /// Renders a metric as line protocol for `--expect` when decoding; made once.
    var expectSerializer: (any MetricSerializer)?
    var expectContext = SerializerContext(now: 0)
    var expectLine: [UInt8] = []
    /// Counts before the current `load` run began (its begin line restarts the summary's counts).
    var metricsBefore = 0
    var errorsBefore = 0
    var currentPeer = ""
    /// `METRICAT_NOW`, read once: the time every metric without a timestamp gets (reproducible
    /// output); nil stamps each with its arrival time.
    let fixedNow: Int64? = getenv("METRICAT_NOW").flatMap { Int64(String(cString: $0)) }
    var done = false
    var recordFile: UnsafeMutablePointer<FILE>?
    var sequence: SequenceStreams?
    var sequenceScanner = SequenceScanner(key: [])
    var loadRun: ListenRun?
    var kernelDropsNow: () -> UInt64 = { 0 }
    var child: ChildProcess?
    /// True while the command after `--` runs: matching does not stop the listener before it ends.
    var childRunning: Bool { child != nil && child?.termination == nil }

    init(_ options: ListenOptions, diagnostics: Diagnostics) {
        self.options = options
        self.diagnostics = diagnostics
        if let key = options.sequenceKey {
            sequence = SequenceStreams()
            sequenceScanner = SequenceScanner(key: key)
        }
    }

    public static func run(_ options: ListenOptions, diagnostics: Diagnostics) -> ExitStatus {
        ListenFrontend(options, diagnostics: diagnostics).run()
    }

    func run() -> ExitStatus {
        if let pattern = options.expect {
            do {
                regex = try Pattern(pattern)
            } catch {
                diagnostics.ioError("--expect '\(pattern)': not a regular expression: \(error)")
                return .usage
            }
        }
        if options.from != nil || options.detect {
            var pipelineOptions = RecordPipeline.Options(from: options.from, to: options.to)
            pipelineOptions.format = options.formatOptions
            pipelineOptions.quiet = options.quiet
            // The direct path writes text without a Metric: off when every metric must be seen.
            let seesMetrics = options.showSource || options.expectMetric != nil || options.expect != nil
            pipelineOptions.directPaths = !seesMetrics
            do {
                let made = try RecordPipeline(pipelineOptions, diagnostics: diagnostics, sink: out, now: Clock.now())
                if seesMetrics { made.front = self }
                pipeline = made
            } catch {
                diagnostics.ioError(error.message)
                return .usage
            }
            if options.expect != nil {
                expectSerializer = try? MetricFormat.influx.makeSerializer(options.formatOptions)
            }
        }
        if let path = options.record {
            recordFile = fopen(path, "ae")  // close-on-exec: not inherited by a command after --
            if recordFile == nil {
                diagnostics.ioError("\(path): cannot open for --record: \(StandardStreams.describe(errno: errno))")
                return .ioError
            }
        }
        defer { if let f = recordFile { fclose(f) } }
        let listener: Listener
        do {
            var listenerOptions = options.listener
            listenerOptions.splitDatagrams = false  // receive(_:) splits each datagram itself
            listener = try Listener(endpoints: options.endpoints, options: listenerOptions)
        } catch {
            diagnostics.ioError("\(error)")
            return .unavailable
        }
        if let requested = options.listener.receiveBuffer {
            for (i, granted) in listener.grantedReceiveBuffers.enumerated() where Int(granted) < Int(requested) * 2 {
                let max = KernelCounters.receiveBufferMax().map { " (net.core.rmem_max is \($0))" } ?? ""
                diagnostics.warning("\(options.endpoints[i]): asked for a \(requested)-byte receive buffer, the kernel granted \(Int(granted) / 2)\(max)")
            }
        }
        // SIGCHLD joins SIGINT and SIGTERM on the listener's signalfd before the command starts, so
        // its end cannot be missed.
        listener.handleSignals(also: options.command.isEmpty ? [] : [SIGCHLD])
        kernelDropsNow = { [unowned listener] in listener.kernelDrops() }
        defer { listener.close() }
        summary.listening = Self.boundAddresses(listener)
        for address in summary.listening { StandardStreams.writeError("listening on \(address)\n") }
        if let path = options.readyFile {
            if let problem = Self.writeReadyFile(path, addresses: summary.listening) {
                diagnostics.ioError("--ready-file \(path): \(problem)")
                return .ioError
            }
        }
        defer { if let path = options.readyFile { unlink(path) } }
        let start = Clock.monotonicNanoseconds()
        var deadline = options.timeout.map { start + $0 }
        var childEnded: Int64?
        if !options.command.isEmpty {
            switch ChildProcess.spawn(options.command, environment: ["METRICAT_LISTEN": summary.listening.joined(separator: " ")]) {
            case .success(let c):
                child = c
                deadline = nil
            case .failure(let e):
                let notFound = e == .noSuchFileOrDirectory
                StandardStreams.writeError("metricat: listen: cannot run '\(options.command[0])': \(e.detail)\n")
                return notFound ? .commandNotFound : .commandNotRunnable
            }
        }
        let live = options.stats && StandardStreams.isTerminal(2)
        var reason: StopReason = .delegate
        var lastStats = summary
        var lastTick = start
        while !diagnostics.shouldStop && (!done || childRunning) {
            var until = deadline
            if live { until = min(until ?? Int64.max, Clock.monotonicNanoseconds() + 1_000_000_000) }
            // unowned(unsafe): the closures run only inside this call, while self is alive (a checked
            // `unowned` costs a reference count per datagram).
            reason = listener.run(until: until, onIdle: { [unowned(unsafe) self] in self.out.flush() }, { [unowned(unsafe) self] r in self.receive(r) })
            if case .signal(SIGCHLD) = reason {
                if let c = child, c.poll() != nil {
                    // What the command sent before it ended is already queued: read it before deciding.
                    _ = listener.run(until: Clock.monotonicNanoseconds() + 1_000_000) { [unowned self] r in self.receive(r) }
                    let expecting = options.count != nil || options.expect != nil || options.expectMetric != nil
                    if !expecting { done = true }
                    childEnded = Clock.monotonicNanoseconds()
                    deadline = options.timeout.map { childEnded! + $0 }
                }
                reason = .delegate
                continue
            }
            if case .signal(let signal) = reason {
                if let c = child, c.termination == nil { _ = c.stop(signal, grace: 5_000_000_000) }
                listener.drain { [unowned self] r in self.receive(r) }
                break
            }
            if reason == .timeout, let deadline, Clock.monotonicNanoseconds() >= deadline { break }
            if live {
                let now = Clock.monotonicNanoseconds()
                let dt = Double(now - lastTick) / 1e9
                syncCounts()
                summary.kernelDrops = listener.kernelDrops()
                StandardStreams.writeError(
                    "\r\(Int(Double(summary.lines - lastStats.lines) / dt)) lines/s  \(Int(Double(summary.bytes - lastStats.bytes) / dt)) bytes/s  \(summary.parseErrors) parse errors  \(summary.kernelDrops) kernel drops   "
                )
                lastStats = summary
                lastTick = now
            }
        }
        if live { StandardStreams.writeError("\n") }
        if diagnostics.shouldStop, let c = child, c.termination == nil { _ = c.stop(SIGTERM, grace: 5_000_000_000) }
        finishStreams()
        out.flush()
        syncCounts()
        listener.discardQueued()
        summary.unread = listener.unhandledDatagrams
        summary.kernelDrops = listener.kernelDrops()
        summary.durationSeconds = Double(Clock.monotonicNanoseconds() - start) / 1e9
        summary.command = child?.termination
        if options.json { StandardStreams.writeError(summaryJSON() + "\n") }
        var failed = false
        if let t = summary.command, !t.succeeded {
            StandardStreams.writeError("metricat: listen: the command '\(options.command[0])' \(t)\n")
            failed = true
        }
        let expecting = options.count != nil || options.expect != nil || options.expectMetric != nil
        if expecting && !summary.matched {
            if reason == .timeout {
                if let childEnded {
                    let waited = Double(Clock.monotonicNanoseconds() - childEnded) / 1e9
                    StandardStreams.writeError("metricat: listen: timed out \(waited.formatted1) s after the command ended: \(unmetText())\n")
                } else {
                    StandardStreams.writeError("metricat: listen: timed out after \(summary.durationSeconds.formatted1) s: \(unmetText())\n")
                }
            }
            failed = true
        }
        if diagnostics.shouldStop {
            StandardStreams.writeError("metricat: listen: stopped at the first bad line (--strict)\n")
            return .dataError
        }
        if failed { return .expectationFailed }
        if let failure = out.failure {
            diagnostics.ioError("write to stdout failed: \(StandardStreams.describe(errno: failure))")
            return .ioError
        }
        return .ok
    }

    func unmetText() -> String {
        if let e = options.expect { return "no line matched --expect '\(e)' (\(summary.lines.counting("line")) arrived)" }
        if let e = options.expectMetric { return "no metric matched --expect-metric '\(e)' (\(summary.metrics.counting("metric")) arrived)" }
        if let c = options.count {
            let what = pipeline == nil ? "line" : "metric"
            return "\(pipeline == nil ? summary.lines : summary.metrics) of \(c.counting(what)) arrived"
        }
        return ""
    }

    func summaryJSON() -> String {
        let s = summary
        var o = JSONObjectWriter()
        o.add("received", s.lines)
        o.add("metrics", s.metrics)
        o.add("bytes", s.bytes)
        o.add("datagrams", s.datagrams)
        o.add("connections", s.connections)
        o.add("parse_errors", s.parseErrors)
        o.add("dropped", s.dropped)
        o.add("kernel_drops", s.kernelDrops)
        o.add("unread", s.unread)
        o.add("matched", s.matched)
        o.add("duration_s", s.durationSeconds)
        o.add("listening", strings: s.listening)
        switch s.command {
        case .exited(let status):
            o.add("command_status", status)
            o.add("command_signal", Int?.none)
        case .signaled(let signal):
            o.add("command_status", Int?.none)
            o.add("command_signal", signal)
        case nil: break
        }
        if let t = sequence {
            // lost: the gaps below the highest number seen (a loss after it is only visible to the sender).
            o.add("lost", t.gaps)
            o.add("duplicated", t.duplicated)
            o.add("reordered", t.reordered)
            o.add("late", t.late)
            o.add("unnumbered", t.unnumbered)
            o.add("highest", t.highest)
            o.add("senders", t.senders)
            o.add("run", loadRun?.id)
        }
        return o.text
    }

    /// Every bound address as a URL, with the port the kernel chose for `:0`.
    static func boundAddresses(_ listener: Listener) -> [String] {
        listener.sockets.map { s in
            switch s.endpoint {
            case .udp(let host, 0, let family):
                guard let port = try? s.localAddress().port else { return s.endpoint.description }
                return Endpoint.udp(host: host, port: port, family: family).description
            case .tcp(let host, 0, let family):
                guard let port = try? s.localAddress().port else { return s.endpoint.description }
                return Endpoint.tcp(host: host, port: port, family: family).description
            default:
                return s.endpoint.description
            }
        }
    }

    /// Writes the addresses to a temporary file beside `path` and renames it over `path`, so a
    /// reader sees either no file or the whole list. Returns what went wrong, or nil.
    static func writeReadyFile(_ path: String, addresses: [String]) -> String? {
        let temporary = "\(path).\(getpid()).tmp"
        guard let f = fopen(temporary, "w") else { return "cannot create \(temporary): \(StandardStreams.describe(errno: errno))" }
        let text = addresses.map { $0 + "\n" }.joined()
        let written = fputs(text, f) >= 0
        let closed = fclose(f) == 0
        guard written && closed else {
            let e = errno
            unlink(temporary)
            return "cannot write \(temporary): \(StandardStreams.describe(errno: e))"
        }
        if rename(temporary, path) != 0 {
            let e = errno
            unlink(temporary)
            return "cannot rename \(temporary) to \(path): \(StandardStreams.describe(errno: e))"
        }
        return nil
    }

    /// One event from the listener; returns false to stop.
    ///
    /// A datagram is handled whole (all its lines, then its metrics) before the run may stop, so
    /// the counts never leave part of one out; the listener's own split of datagram lines is off.
    func receive(_ r: Received) -> Bool {
        switch r {
        case .datagram(let bytes, let peer):
            summary.datagrams += 1
            summary.bytes += bytes.count
            if options.raw { hexDump(bytes, peer: peer, what: "datagram") }
            // Datagrams come in runs from one sender, whose name the listener keeps as one string:
            // comparing it is cheaper than the reference counting of assigning it.
            if currentPeer != peer.address { currentPeer = peer.address }
            // Metrics without a timestamp get the time they arrived, as Telegraf's listeners do.
            pipeline?.setNow(fixedNow ?? Clock.nowNanoseconds())
            let stream = pipeline == nil ? nil : datagramStream(bytes, peer: peer)
            guard bytes.baseAddress != nil else { break }
            // Each line is counted and recorded; the stream parses the whole datagram.
            if pipeline != nil && sequence == nil && recordFile == nil {
                // The stream counts the lines as it splits them.
                summary.lines += stream?.feedText(bytes) ?? Self.lineCount(bytes)
            } else {
                RecordStream.forEachLine(bytes) { text in
                    if RecordStream.isBlank(text) { return }
                    if pipeline == nil && text.count > options.listener.maxLineBytes {
                        // As on a stream connection (where the listener drops it).
                        summary.dropped += 1
                        diagnostics.warning("\(peer.address): a line of \(text.count) bytes is longer than \(options.listener.maxLineBytes) bytes: dropped (raise --max-line)")
                        return
                    }
                    line(text, peer: peer)
                }
                stream?.feedText(bytes)
            }
            countDecoded()
        case .chunk(let bytes, let peer):
            summary.bytes += bytes.count
            if options.raw { hexDump(bytes, peer: peer, what: "read") }
        case .line(let bytes, let peer):
            if !RecordStream.isBlank(bytes) { line(bytes, peer: peer) }
            if let pipeline {
                currentPeer = peer.address
                pipeline.setNow(fixedNow ?? Clock.nowNanoseconds())
                let stream = streams[peer.connection] ?? pipeline.stream(named: peer.address)
                streams[peer.connection] = stream
                stream.feedLine(bytes)
                countDecoded()
            }
        case .connected(let peer):
            summary.connections += 1
            diagnostics.note("\(peer.address) connected to \(peer.listener)")
        case .disconnected(let peer):
            diagnostics.note("\(peer.address) disconnected")
            if let stream = streams.removeValue(forKey: peer.connection) {
                currentPeer = peer.address
                stream.finish()
                countDecoded()
            }
        case .dropped(let message, let peer):
            summary.dropped += 1
            diagnostics.warning("\(peer?.address ?? "listen"): \(message)")
        }
        out.flushIfNeeded()
        if summary.matched { done = true }
        // --strict: the first bad line ends the run (exit 65), a command after -- included.
        if diagnostics.shouldStop { return false }
        return !done || childRunning
    }

    /// The stream that parses a datagram from `peer`: the one for `--from`, or for the format the
    /// sender was detected as (from its first datagram); nil when it cannot be told (reported).
    func datagramStream(_ bytes: UnsafeBufferPointer<UInt8>, peer: Peer) -> RecordStream? {
        guard let pipeline else { return nil }
        let format: MetricFormat
        if let from = options.from {
            format = from
        } else if let known = senderFormats[peer.address] {
            format = known
        } else {
            guard let detected = pipeline.detect(Array(bytes) + [0x0A], name: peer.address) else { return nil }
            if senderFormats.count >= Self.maxSenders { senderFormats.removeAll() }
            senderFormats[peer.address] = detected
            format = detected
        }
        // Datagrams come in runs of one format: the last stream is found without hashing.
        if let last = lastDatagramStream, last.format == format {
            if last.stream.name != peer.address { last.stream.name = peer.address }
            return last.stream
        }
        if let stream = datagramStreams[format] {
            stream.name = peer.address
            lastDatagramStream = (format, stream)
            return stream
        }
        let stream = pipeline.stream(named: peer.address, format: format)
        stream.maxLineBytes = options.listener.maxLineBytes
        guard !stream.refused else { return nil }
        datagramStreams[format] = stream
        lastDatagramStream = (format, stream)
        return stream
    }

    /// One non-empty line, from a datagram or a stream: counted, recorded, and printed or matched
    /// when not decoding.
    func line(_ bytes: UnsafeBufferPointer<UInt8>, peer: Peer) {
        summary.lines += 1
        if sequence != nil {
            if let n = sequenceScanner.scan(bytes) {
                sequence!.record(SequenceTracker.number(n))
            } else if runMarker(bytes, peer: peer) {
                return
            } else {
                sequence!.recordUnnumbered()
            }
        }
        if let f = recordFile {
            fputs("\(Clock.nowNanoseconds())\t\(peer.address)\t", f)
            fwrite(bytes.baseAddress, 1, bytes.count, f)
            fputs("\n", f)
        }
        if pipeline == nil {
            if !options.raw && !options.quiet { printLine(bytes, peer: peer) }
            if let regex, regex.search(bytes) { summary.matched = true }
            if let c = options.count, summary.lines >= c, options.expect == nil { summary.matched = true }
        }
    }

    /// The non-empty lines of a datagram.
    static func lineCount(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        var n = 0
        RecordStream.forEachLine(bytes) { if !RecordStream.isBlank($0) { n += 1 } }
        return n
    }

    /// After a datagram or a line was decoded: `--count` counts metrics.
    func countDecoded() {
        guard let c = options.count, options.expect == nil, options.expectMetric == nil, let pipeline else { return }
        if pipeline.output.metricsIn - metricsBefore >= c { summary.matched = true }
    }

    /// The summary's metric and error counts, from the pipeline and the diagnostics.
    func syncCounts() {
        guard let pipeline else { return }
        summary.metrics = pipeline.output.metricsIn - metricsBefore
        summary.parseErrors = diagnostics.errorCount - errorsBefore
    }

    /// Ends every open stream connection's records, then the output's.
    func finishStreams() {
        for (_, stream) in streams.sorted(by: { $0.key < $1.key }) {
            currentPeer = stream.name
            stream.finish()
        }
        streams.removeAll()
        pipeline?.finish()
    }

    /// Every metric when `--show-source`, `--expect` or `--expect-metric` needs to see it; handed
    /// on to the pipeline's output.
    public func handle(_ metric: Metric) { handle(metric, origin: nil) }

    /// A metric with the input place it came from (a held Prometheus histogram's sample), so that a
    /// finding about it names that place.
    public func handle(_ metric: Metric, origin: MetricOrigin) { handle(metric, origin: Optional(origin)) }

    func handle(_ metric: Metric, origin: MetricOrigin?) {
        guard let output = pipeline?.output else { return }
        if options.showSource && !options.quiet { out.buffer.append(utf8: "[\(currentPeer)] ") }
        if let origin { output.handle(metric, origin: origin) } else { output.handle(metric) }
        if let e = options.expectMetric, e.matches(metric) { summary.matched = true }
        if let regex, expectSerializer != nil {
            expectLine.removeAll(keepingCapacity: true)
            expectSerializer!.serialize(metric, into: &expectLine, context: expectContext)
            if expectLine.withUnsafeBufferPointer({ regex.search($0) }) { summary.matched = true }
        }
    }

    public func report(_ diagnostic: Diagnostic) {
        pipeline?.output.report(diagnostic)
    }

    func printLine(_ bytes: UnsafeBufferPointer<UInt8>, peer: Peer) {
        if options.showSource {
            out.buffer.append(utf8: "[\(Self.timeText(Clock.nowNanoseconds())) \(peer.address)] ")
        }
        out.buffer.append(contentsOf: bytes)
        out.buffer.append(0x0A)
    }

    /// `HH:MM:SS.mmm` UTC.
    static func timeText(_ ns: Int64) -> String {
        let ms = (ns / 1_000_000) % 86_400_000
        func pad(_ v: Int64, _ w: Int) -> String { String(repeating: "0", count: max(0, w - String(v).count)) + String(v) }
        return "\(pad(ms / 3_600_000, 2)):\(pad(ms / 60_000 % 60, 2)):\(pad(ms / 1000 % 60, 2)).\(pad(ms % 1000, 3))"
    }

    /// `xxd`-style: offset, 16 hex bytes, the printable ASCII.
    func hexDump(_ bytes: UnsafeBufferPointer<UInt8>, peer: Peer, what: String) {
        out.buffer.append(utf8: "\(what) from \(peer.address) to \(peer.listener), \(bytes.count) bytes\(bytes.last == 0x0A ? "" : ", no trailing newline")\n")
        let hex = Array("0123456789abcdef".utf8)
        var offset = 0
        while offset < bytes.count {
            let end = min(offset + 16, bytes.count)
            var line = Array(String(offset, radix: 16).utf8)
            line = Array(repeating: UInt8(ascii: "0"), count: max(0, 8 - line.count)) + line
            line.append(contentsOf: Array(": ".utf8))
            for i in offset..<(offset + 16) {
                if i < end {
                    line.append(hex[Int(bytes[i] >> 4)])
                    line.append(hex[Int(bytes[i] & 15)])
                } else {
                    line.append(contentsOf: [0x20, 0x20])
                }
                if i % 2 == 1 { line.append(0x20) }
            }
            line.append(0x20)
            for i in offset..<end { line.append(bytes[i] >= 0x20 && bytes[i] < 0x7F ? bytes[i] : UInt8(ascii: ".")) }
            line.append(0x0A)
            out.buffer.append(contentsOf: line)
            offset = end
        }
    }
}

extension Double {
    var formatted1: String {
        let tenths = Int((self * 10).rounded())
        return "\(tenths / 10).\(tenths % 10)"
    }
}
