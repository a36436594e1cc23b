import MetricFormats
import MetricTransport
import MetricatKit
import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

/// Runs `load`: builds the payload once, starts the embedded sink (or snapshots the target's kernel
/// counters), sends on schedule, drains, and reports loss three ways side by side.
public enum LoadFrontend {
    /// The exit status: see ``run(_:diagnostics:)``, or 130/143 after SIGINT/SIGTERM (with the partial report).
    public static func run(_ options: LoadOptions, diagnostics: Diagnostics) -> Int32 {
        LoadInterrupt.install()
        let status = report(options, diagnostics: diagnostics)
        if let signal = LoadInterrupt.signal { return LoadInterrupt.exitStatus(signal) }
        return status.rawValue
    }

    /// Runs, prints the table (and `--json`), and decides the status from the figures.
    static func report(_ options: LoadOptions, diagnostics: Diagnostics) -> ExitStatus {
        do {
            let result = try execute(options, diagnostics: diagnostics)
            StandardStreams.writeError(result.table())
            if options.json {
                StandardStreams.writeError("")
                writeOut(result.json() + "\n")
            }
            if let plot = options.plot, options.ramp != nil {
                if !LoadPlot.write(result, to: plot) {
                    diagnostics.ioError("\(plot): cannot write the plot: \(StandardStreams.describe(errno: errno))")
                    return .ioError
                }
            }
            for r in result.runs where r.rate != nil && r.rateSent < r.rate! * 0.99 && !result.ramp && r.interrupted == nil {
                diagnostics.warning("sent \(RateText.format(r.rateSent)) lines/s, more than 1% below the target \(RateText.format(r.rate!)): the sender's limit on this machine")
            }
            if let last = result.runs.last, last.send.sent == 0, !last.send.errors.isEmpty {
                diagnostics.ioError("\(last.target): nothing could be sent (\(last.send.errors.keys.sorted().joined(separator: ", ")))")
                return .unavailable
            }
            if let maxLoss = options.maxLoss, !result.ramp, let f = result.runs.last?.lossFraction, f > maxLoss {
                StandardStreams.writeError("metricat: load: loss \(RateText.fixed(f * 100, 3))% exceeds --max-loss \(RateText.fixed(maxLoss * 100, 3))%\n")
                return .expectationFailed
            }
            if result.ramp, result.knee == nil { return .expectationFailed }
            return diagnostics.exitStatus
        } catch {
            diagnostics.ioError(error.description)
            return error.exitStatus
        }
    }

    static func writeOut(_ s: String) {
        var s = s
        s.withUTF8 { _ = StandardStreams.writeAll(1, UnsafeRawBufferPointer($0)) }
    }

    static func execute(_ options: LoadOptions, diagnostics: Diagnostics) throws(LoadError) -> LoadResult {
        let payload: Payload
        do {
            let asTag = options.seqAsTag ?? (options.format != .influx)
            payload = try Payload(
                template: options.template, format: options.format, formatOptions: options.formatOptions,
                seqKey: options.seqKey, seqAsTag: asTag, size: options.size, series: options.series)
        } catch {
            throw .usage(error.description)
        }
        if let size = options.size, let longest = payload.lines.map(\.bytes.count).max(), longest > size {
            diagnostics.warning("--size \(size): the shortest line this template makes is \(longest) bytes")
        }
        guard let ramp = options.ramp else {
            return LoadResult(
                runs: [try runOnce(options, payload: payload, rate: options.rate, duration: options.duration, diagnostics: diagnostics)], ramp: false, knee: nil,
                maxLoss: options.maxLoss)
        }
        var runs: [LoadReport] = []
        var knee: Double?
        var stop: String?
        let threshold = options.maxLoss ?? 0.001
        for rate in ramp.rates {
            let r = try runOnce(options, payload: payload, rate: rate, duration: ramp.stepDuration, diagnostics: diagnostics)
            runs.append(r)
            if let signal = r.interrupted {
                // A step cut short says nothing about its rate: the knee stays the last whole step's.
                stop = "interrupted by \(signal) during the \(RateText.format(rate)) lines/s step"
                break
            }
            if options.progress {
                StandardStreams.writeError(
                    "step \(RateText.format(rate))/s: sent \(RateText.format(r.rateSent))/s, loss \(r.lossFraction.map { RateText.fixed($0 * 100, 3) + "%" } ?? "?")\n")
            }
            if let f = r.lossFraction, f > threshold {
                stop = "loss \(RateText.fixed(f * 100, 3))% at \(RateText.format(rate)) lines/s is over \(RateText.fixed(threshold * 100, 3))%"
                break
            }
            if r.rateSent < rate * 0.99 {
                stop =
                    "the sender reached only \(RateText.format(r.rateSent)) of \(RateText.format(rate)) lines/s: this machine's sending limit, not the receiver's (try --senders or --batch)"
                break
            }
            knee = rate
        }
        return LoadResult(runs: runs, ramp: true, knee: knee, maxLoss: threshold, stopReason: stop)
    }

    static func isLocal(_ host: String?) -> Bool {
        guard let h = host else { return true }
        return h == "127.0.0.1" || h == "::1" || h == "localhost" || h.hasPrefix("127.")
    }

    static func runOnce(_ options: LoadOptions, payload: Payload, rate: Double?, duration: Int64, diagnostics: Diagnostics) throws(LoadError) -> LoadReport {
        var report = LoadReport()
        report.format = options.format.rawValue
        report.rate = rate
        report.lineBytes = payload.averageLineBytes
        report.receiveBufferMax = KernelCounters.receiveBufferMax()
        var sink: EmbeddedSink?
        var dir: String?
        let target: Endpoint
        if let t = options.target {
            target = t
        } else {
            var template = Array("/tmp/metricat-load-XXXXXX".utf8CString)
            guard let d = mkdtemp(&template) else { throw .io("cannot create a temporary directory: \(StandardStreams.describe(errno: errno))") }
            dir = String(cString: d)
            let s = try EmbeddedSink(transport: options.transport, directory: dir!, receiveBuffer: options.sinkReceiveBuffer, seqKey: options.seqKey)
            report.receiveBuffer = s.granted
            s.start()
            sink = s
            target = s.endpoint
        }
        defer {
            if let dir { rmdir(dir) }
        }
        report.target = options.target == nil ? "embedded sink \(target)" : target.description
        report.transport = Self.transportName(target)
        if let problem = Self.targetProblem(target) { throw .usage("\(target): \(problem)") }

        // Frames: datagrams of `batch` lines, or 64 KiB stream writes.
        let lineBytes = payload.lines.map(\.bytes.count).max() ?? 1
        var linesPerFrame: Int
        if target.isDatagram {
            if lineBytes > options.maxDatagram { throw .usage("--max-datagram \(options.maxDatagram): a line is \(lineBytes) bytes; raise --max-datagram or lower --size") }
            let fit = max(1, options.maxDatagram / lineBytes)
            linesPerFrame = options.batch.map { min($0, fit) } ?? fit
            if let b = options.batch, b > fit { diagnostics.note("--batch \(b): only \(fit) lines of \(lineBytes) bytes fit in --max-datagram \(options.maxDatagram)") }
        } else {
            linesPerFrame = max(payload.lines.count, options.streamWrite / lineBytes)
            // Paced streams write what is due: at low rates keep writes near 1 ms worth of lines.
            if let rate { linesPerFrame = min(linesPerFrame, max(payload.lines.count, Int(rate / 1000))) }
        }
        // UDP GSO: only as fast as possible, only to this host (the loopback device segments in
        // software; a NIC or a route elsewhere may refuse it or has not been checked), unless --no-gso.
        var gsoSegments = 0
        if case .udp(let host, _, _) = target, rate == nil, options.gso, options.target == nil || isLocal(host) {
            gsoSegments = LoadSender.gsoSegments(frameBytes: lineBytes * linesPerFrame)
        }
        let frameCount = !target.isDatagram ? 2 : gsoSegments > 1 ? LoadSender.gsoFrameCount(segments: gsoSegments) : LoadSender.maxBatch * 2
        let ring = FrameRing(payload: payload, linesPerFrame: linesPerFrame, frameCount: frameCount)
        report.linesPerDatagram = linesPerFrame

        // Kernel counters before.
        var targetPort: UInt16?
        if case .udp(let host, let port, _) = target, options.target != nil, isLocal(host) { targetPort = port }
        let dropsBefore = targetPort.flatMap { KernelCounters.udpDrops(port: $0) }
        if options.target != nil, targetPort != nil, dropsBefore == nil {
            throw .unavailable("\(target): no UDP socket is bound to port \(targetPort!) on this host: nothing is listening")
        }
        let snmpBefore = KernelCounters.udpErrors()

        var senders: [LoadSender] = []
        do {
            for _ in 0..<max(1, options.senders) {
                let socket = try Socket.connect(to: target, nonBlocking: options.nonBlocking)
                _ = try? socket.setSendBuffer(4 << 20)
                report.sendBuffer = try? socket.getOption(SOL_SOCKET, SO_SNDBUF)
                // Each sender patches its own copy of the frames.
                let ring = senders.isEmpty ? ring : FrameRing(payload: payload, linesPerFrame: linesPerFrame, frameCount: ring.frameCount)
                let sender = LoadSender(socket: socket, target: target, ring: ring)
                if gsoSegments > 1 { sender.enableGSO(segments: gsoSegments) }
                senders.append(sender)
            }
            if case .udp = target { report.gso = senders.allSatisfy { $0.gsoSegments > 0 } }
        } catch {
            sink?.stop()
            throw .unavailable("\(error)")
        }
        // A receiver that reports back learns which run its counts belong to.
        if options.sinkReport != nil {
            let run = LoadRunMarker.newRun()
            report.run = run
            for s in senders { s.sendLine(LoadRunMarker(run: run, phase: .begin).line, copies: 3) }
        }
        let live = options.progress && StandardStreams.isTerminal(2) && options.ramp == nil
        var previous = SendCounters()
        var previousReceived: UInt64 = 0
        let tick: (SendCounters) -> Void = { c in
            guard live else { return }
            // Per second since the last tick: offered, sent, received, the shortfall, sender errors.
            let dt = max(Double(c.elapsedNanoseconds - previous.elapsedNanoseconds) / 1e9, 1e-3)
            func per(_ a: UInt64, _ b: UInt64) -> String { RateText.format(Double(a &- b) / dt) }
            var received = ""
            if let sink {
                let r = sink.receivedSoFar
                received = "  received \(per(r, previousReceived))/s"
                previousReceived = r
            }
            let errors = c.errors.values.reduce(0, +) - previous.errors.values.reduce(0, +)
            let who = senders.count > 1 ? " (sender 1 of \(senders.count))" : ""
            StandardStreams.writeError(
                "\r\(RateText.fixed(Double(c.elapsedNanoseconds) / 1e9, 1))s  offered \(per(c.offered, previous.offered))/s  sent \(per(c.sent, previous.sent))/s\(who)\(received)  errors \(errors)/s   "
            )
            previous = c
        }
        let counters: SendCounters
        if senders.count == 1 {
            counters = senders[0].run(
                rate: rate, duration: duration, count: options.count,
                firstSeq: UInt64(options.firstSender) * SequenceStreams.span, tick: tick)
        } else {
            let n = senders.count
            let results = SenderThreads.run(n) { k in
                let share = options.count.map { $0 / UInt64(n) + (UInt64(k) < $0 % UInt64(n) ? 1 : 0) }
                return senders[k].run(
                    rate: rate.map { $0 / Double(n) }, duration: duration, count: share,
                    firstSeq: UInt64(options.firstSender + k) * SequenceStreams.span, tick: k == 0 ? tick : nil)
            }
            counters = SendCounters.sum(results)
        }
        if live { StandardStreams.writeError("\n") }
        if let e = senders.compactMap(\.gsoRefused).first {
            report.gso = false
            diagnostics.note("UDP GSO: the kernel refused segmented sends (\(Errno(rawValue: e).name)); the run went on with one datagram per send")
        }
        report.gsoSegments = report.gso == true ? senders[0].gsoSegments : nil
        if let run = report.run {
            // After the drain time: an end line sent into the receiver's full queue would be dropped
            // with the flood's tail. Datagrams go three times, 50 ms apart.
            usleep(useconds_t(options.drain / 1000))
            for copy in 0..<(target.isDatagram ? 3 : 1) {
                if copy > 0 { usleep(50_000) }
                for (k, s) in senders.enumerated() { s.sendLine(LoadRunMarker(run: run, phase: .end(sender: k + 1, of: senders.count)).line, copies: 1) }
            }
        }
        for s in senders { s.close() }
        report.send = counters
        report.durationSeconds = Double(counters.elapsedNanoseconds) / 1e9

        if let sink {
            sink.drainAndStop(idle: options.drain)
            report.kernelDrops = sink.kernelDrops()
            report.received = sink.lines
            report.receivedDatagrams = sink.datagrams
            report.receivedSource = "sequence"
            if options.seqKey != nil {
                let t = sink.tracker
                report.duplicated = t.duplicated
                report.reordered = t.reordered
                report.late = t.late
                report.unnumbered = t.unnumbered
                report.lost = t.lost(sent: counters.sent)
            } else {
                report.lost = counters.sent > sink.lines ? counters.sent - sink.lines : 0
            }
        } else {
            // A third-party receiver: give it the drain time (already given before the end lines), then read what the kernel saw.
            if report.run == nil { usleep(useconds_t(options.drain / 1000)) }
            if let port = targetPort, let before = dropsBefore, let after = KernelCounters.udpDrops(port: port) {
                report.kernelDrops = after >= before ? after - before : 0
            }
            if let source = options.sinkReport, let run = report.run, let s = try readSinkReport(source, run: run, options: options, diagnostics: diagnostics) {
                report.received = s.received
                report.duplicated = s.duplicated
                report.reordered = s.reordered
                report.receivedSource = "listen"
                if let r = s.received {
                    let unique = r - min(r, s.duplicated ?? 0)
                    report.lost = counters.sent > unique ? counters.sent - unique : 0
                }
            } else if let drops = report.kernelDrops {
                report.received = counters.sent >= drops ? counters.sent - drops : 0
                report.lost = drops
                report.receivedSource = "kernel"
            }
        }
        if let a = snmpBefore, let b = KernelCounters.udpErrors() {
            report.snmpReceiveBufferErrors = b.receiveBufferErrors - min(b.receiveBufferErrors, a.receiveBufferErrors)
            report.snmpInErrors = b.inErrors - min(b.inErrors, a.inErrors)
        }
        // Last: a signal during the drain or the wait for --sink-report also cut the run short.
        report.interrupted = LoadInterrupt.signal.map(LoadInterrupt.name)
        return report
    }

    /// The receiver's summary; after SIGINT/SIGTERM only what is there at once (nil when nothing is).
    static func readSinkReport(_ source: SinkReportSource, run: String, options: LoadOptions, diagnostics: Diagnostics) throws(LoadError) -> SinkReport? {
        do {
            return try SinkReport.read(source, run: run, wait: LoadInterrupt.signal == nil ? options.sinkReportWait : 0)
        } catch {
            guard LoadInterrupt.signal != nil else { throw error }
            diagnostics.warning("\(error.description) (the run was interrupted: the receiver's counts are not there)")
            return nil
        }
    }

    /// Why `target` cannot be loaded, or nil: load floods sockets, so stdout and HTTP are refused.
    public static func targetProblem(_ target: Endpoint) -> String? {
        switch target {
        case .stdout: return "a socket target is needed (udp://, tcp://, unix://, unixgram://)"
        case .http: return "load floods sockets; for InfluxDB use its UDP listener (udp://HOST:PORT)"
        default: return nil
        }
    }

    static func transportName(_ e: Endpoint) -> String {
        switch e {
        case .udp(_, _, let f): return f == .ipv6 ? "udp6" : "udp"
        case .tcp(_, _, let f): return f == .ipv6 ? "tcp6" : "tcp"
        case .unix: return "unix"
        case .unixgram: return "unixgram"
        case .stdout: return "stdout"
        case .http: return "http"
        }
    }
}

/// Where `load --sink-report` reads the receiver's summary: a file, or an http:// URL.
public enum SinkReportSource: Sendable, Equatable, CustomStringConvertible {
    case file(String)
    case http(HTTPURL)

    /// A value with a scheme is a URL (only http:// is read); anything else is a file name.
    /// - Throws: the URL's ``EndpointError``.
    public init(parsing text: String) throws(EndpointError) {
        self = HTTPURL.looksLikeURL(text) ? .http(try HTTPURL(parsing: text)) : .file(text)
    }

    public var description: String {
        switch self {
        case .file(let p): return p
        case .http(let u): return u.description
        }
    }
}

/// The `--json` summary of `metricat listen --sequence`, read back by `load --sink-report`.
public struct SinkReport: Sendable, Equatable {
    public var received: UInt64?
    public var lost: UInt64?
    public var duplicated: UInt64?
    public var reordered: UInt64?
    /// The run the summary counts (``LoadRunMarker``), nil in a summary without one.
    public var run: String?

    public init(received: UInt64? = nil, lost: UInt64? = nil, duplicated: UInt64? = nil, reordered: UInt64? = nil, run: String? = nil) {
        self.received = received
        self.lost = lost
        self.duplicated = duplicated
        self.reordered = reordered
        self.run = run
    }

    /// Waits up to `wait` ns for `source` to hold the summary of `run` (listen writes it when the
    /// run's end lines arrive, and at exit): a file is read again every 50 ms, a URL fetched again
    /// every 100 ms (each GET bounded to 5 s). A summary of another run is never taken.
    public static func read(_ source: SinkReportSource, run: String, wait: Int64) throws(LoadError) -> SinkReport {
        switch source {
        case .file(let path): return try read(path, run: run, wait: wait)
        case .http(let url): return try fetch(url, run: run, wait: wait)
        }
    }

    /// Waits up to `wait` ns for `path` to hold the summary of `run`.
    public static func read(_ path: String, run: String, wait: Int64) throws(LoadError) -> SinkReport {
        let start = Clock.monotonicNanoseconds()
        let end = start + wait
        var last = "no 'listen --sequence --json' summary with \"received\" appeared"
        while true {
            if let text = readText(path) {
                switch find(text, run: run) {
                case .found(let r): return r
                case .otherRun(let other): last = refusal(other, run: run)
                case .none: break
                }
            }
            if Clock.monotonicNanoseconds() >= end || LoadInterrupt.signal != nil { break }
            usleep(50_000)
        }
        let waited = Double(Clock.monotonicNanoseconds() - start) / 1e9
        throw .io("--sink-report \(path): \(last) (tried for \(RateText.fixed(waited, 1)) s, --sink-wait)")
    }

    /// Why a summary of `other` (nil: one without a run id) is not this run's.
    static func refusal(_ other: String?, run: String) -> String {
        let whose = other.map { "of run \($0)" } ?? "without a run id"
        return
            "only a summary \(whose) is there, not one of this run (\(run)): it counts other lines than this run sent (an earlier run, or a receiver that missed this run's begin or end lines), so it is refused"
    }

    /// GETs `url` until its body holds the summary of `run` or `wait` ns passed; the error names
    /// what the last try saw (no connection, an HTTP status other than 200, a body without the
    /// summary, a summary of another run).
    public static func fetch(_ url: HTTPURL, run: String, wait: Int64) throws(LoadError) -> SinkReport {
        let start = Clock.monotonicNanoseconds()
        let end = start + wait
        var last = "nothing tried"
        while true {
            let left = end - Clock.monotonicNanoseconds()
            switch HTTPGet.get(url, timeout: min(max(left, 200_000_000), 5_000_000_000)) {
            case .success(let response):
                if response.status == 200 {
                    let text = String(decoding: response.body, as: UTF8.self)
                    switch find(text, run: run) {
                    case .found(let r): return r
                    case .otherRun(let other): last = refusal(other, run: run)
                    case .none:
                        var start = String(text.prefix(60).map { $0.isNewline || $0 == "\t" ? " " : $0 })
                        while start.last == " " { start.removeLast() }
                        last =
                            start.isEmpty
                            ? "HTTP 200 with an empty body: no 'listen --sequence --json' summary"
                            : "HTTP 200, but the body holds no 'listen --sequence --json' summary (a JSON line with \"received\" and \"lost\"); it starts with \"\(start)\""
                    }
                } else {
                    last = "HTTP \(response.status)\(response.reason.isEmpty ? "" : " " + response.reason)"
                }
            case .failure(let f):
                last = f.description
            }
            let now = Clock.monotonicNanoseconds()
            if now >= end || LoadInterrupt.signal != nil { break }
            usleep(useconds_t(min(100_000_000, end - now) / 1000))
        }
        let waited = Double(Clock.monotonicNanoseconds() - start) / 1e9
        throw .io("--sink-report \(url): \(last) (tried for \(RateText.fixed(waited, 1)) s, --sink-wait)")
    }

    static func readText(_ path: String) -> String? {
        guard let f = fopen(path, "r") else { return nil }
        defer { fclose(f) }
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = fread(&buf, 1, buf.count, f)
            if n <= 0 { break }
            out += buf[0..<n]
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// What a text holds for one run.
    public enum Search: Sendable, Equatable {
        case found(SinkReport)
        /// Summaries, but none of the run: the last one's run id (nil: it has none).
        case otherRun(String?)
        case none
    }

    /// The last summary of `run` in `text`; else whether there are summaries of other runs.
    public static func find(_ text: String, run: String) -> Search {
        var other: String?? = nil
        for line in text.split(separator: "\n").reversed() {
            guard let r = parseLine(line) else { continue }
            if r.run == run { return .found(r) }
            if other == nil { other = .some(r.run) }
        }
        return other.map { .otherRun($0) } ?? .none
    }

    /// Finds the last line that is a JSON object with `"received"` and reads the counters from it.
    public static func parse(_ text: String) -> SinkReport? {
        for line in text.split(separator: "\n").reversed() {
            if let r = parseLine(line) { return r }
        }
        return nil
    }

    /// The counters of one summary line, nil when the line is not a JSON object with `received` and
    /// `lost` (a line of other output, or a summary cut short).
    static func parseLine(_ line: Substring) -> SinkReport? {
        guard line.hasPrefix("{"), let doc = try? JSONDocument.parse(Array(line.utf8)), doc["received"] != nil, doc["lost"] != nil else { return nil }
        func value(_ key: String) -> UInt64? { doc[key]?.count }
        var run: String?
        if let id = doc["run"]?.string, LoadRunMarker.isRun(id) { run = id }
        return SinkReport(received: value("received"), lost: value("lost"), duplicated: value("duplicated"), reordered: value("reordered"), run: run)
    }
}
