import MetricFormats
import MetricTransport

#if canImport(Glibc)
    import Glibc
#endif

/// What `metricat listen --aggregate` does, as a value.
public struct AggregateOptions: Sendable {
    public var endpoints: [Endpoint]
    /// Time between flushes (ns).
    public var interval: Int64
    /// Flush on multiples of the interval since the epoch (Telegraf's `round_interval`); else
    /// `interval` after the start, and so on.
    public var roundInterval = true
    public var aggregator = StatsDAggregator.Options()
    /// StatsD parsing, `metric_separator` and `templates`; also the output formats' options.
    public var formatOptions = FormatOptions()
    /// The stdout format; nil: a table on a terminal, influx otherwise.
    public var to: MetricFormat?
    public var quiet = false
    /// Where every flush is also sent, with `send`'s delivery (reconnect, resend).
    public var forward: [Endpoint] = []
    public var forwardFormat: MetricFormat = .influx
    /// Most bytes of flushes waiting for one forward target (``ForwardWorker``).
    public var forwardQueueBytes = 16 << 20
    public var sender = SenderOptions()
    /// Serve the aggregates as Prometheus text here (`GET /metrics`).
    public var serveMetrics: Endpoint?
    public var http = MetricsHTTPServerOptions()
    public var listener = ListenerOptions()
    /// Stop (after a last flush) when this many lines have arrived.
    public var count: Int?
    /// Stop (after a last flush) after this long (ns).
    public var timeout: Int64?
    public var json = false
    /// Bad lines reported on stderr per interval; the rest are counted and summed up at the flush.
    public var maxReportedErrors = 100
    public var readyFile: String?

    public init(endpoints: [Endpoint], interval: Int64) {
        self.endpoints = endpoints
        self.interval = interval
    }
}

/// What an aggregating run saw; every count is exact (`--json`).
public struct AggregateSummary: Sendable {
    /// Datagrams read whole (UDP, unixgram).
    public var packets = 0
    /// Stream connections accepted.
    public var connections = 0
    public var bytes = 0
    /// Non-empty lines.
    public var lines = 0
    /// Samples taken in by the aggregator (a line `a:1|c:2|c` has two).
    public var samples = 0
    /// Lines with an error; the samples before the error on such a line are kept, as in Telegraf.
    public var badLines = 0
    /// Samples refused by `--max-series` or `--max-set-members`.
    public var refusedSamples = 0
    /// Counter samples or sums beyond the 64-bit integer range (the counter held at its limit).
    public var saturatedSamples = 0
    public var flushes = 0
    /// Metrics written by the flushes (per output, counted once).
    public var flushedMetrics = 0
    /// Series held at the end, and the most held at any flush.
    public var series = 0
    public var maxSeries = 0
    /// Overlong lines, truncated datagrams, closed connections.
    public var dropped = 0
    public var kernelDrops: UInt64 = 0
    /// Datagrams still queued when the run stopped (read and discarded at the end), or left in a
    /// batch after `--count` was reached.
    public var unread = 0
    public var durationSeconds = 0.0
    public var listening: [String] = []
}

/// Runs `listen --aggregate`: a StatsD server. Receives StatsD lines on every endpoint, aggregates
/// them with ``StatsDAggregator`` and, at each interval, writes the aggregates to stdout, forwards
/// them, and publishes them for `--serve-metrics`. A last flush happens on SIGINT, SIGTERM,
/// `--timeout` and `--count`, so nothing received is lost.
public final class AggregateFrontend {
    let options: AggregateOptions
    let diagnostics: Diagnostics
    let out = ByteSink(fd: 1, flushThreshold: 64 * 1024)
    var summary = AggregateSummary()
    var aggregator: StatsDAggregator
    var reader: StatsDLineParser
    var engine: GraphiteTemplateEngine?
    var serializer: (any MetricSerializer)?
    var table = false
    var context: SerializerContext!
    var forwards: [(worker: ForwardWorker, serializer: any MetricSerializer)] = []
    var exposition: StatsDExposition
    var server: MetricsHTTPServer?
    let defaultTags: [Tag]
    /// Line numbers per stream connection; for datagrams the line within the datagram.
    var streamLines: [Int: Int] = [:]
    var reportedErrors = 0
    var lastFlushWall: Int64 = 0
    var refusedAtLastFlush = 0
    var saturatedAtLastFlush = 0
    var done = false
    var currentSource = ""

    init(_ options: AggregateOptions, diagnostics: Diagnostics) throws(FormatError) {
        self.options = options
        self.diagnostics = diagnostics
        aggregator = StatsDAggregator(options: options.aggregator)
        aggregator.datadogLines = options.formatOptions.statsd.datadogExtensions
        reader = StatsDLineParser(options: options.formatOptions.statsd)
        let separator = options.formatOptions.statsd.metricSeparator
        if !options.formatOptions.templates.isEmpty || separator != "." {
            let e = try GraphiteTemplateEngine(templates: options.formatOptions.templates, joiner: separator.isEmpty ? "." : separator)
            engine = e
        }
        exposition = StatsDExposition(maxSeries: options.aggregator.maxSeries)
        defaultTags = options.formatOptions.defaultTags
    }

    public static func run(_ options: AggregateOptions, diagnostics: Diagnostics) -> ExitStatus {
        let frontend: AggregateFrontend
        do {
            frontend = try AggregateFrontend(options, diagnostics: diagnostics)
        } catch {
            diagnostics.ioError(error.description)
            return .usage
        }
        return frontend.run()
    }

    func run() -> ExitStatus {
        if let to = options.to {
            do {
                serializer = try to.makeSerializer(options.formatOptions)
            } catch {
                diagnostics.ioError(error.description)
                return .usage
            }
        } else if StandardStreams.isTerminal(1) {
            table = true
        } else {
            serializer = try? MetricFormat.influx.makeSerializer(options.formatOptions)
        }
        context = SerializerContext(now: Clock.now()) { [unowned self] d in self.diagnostics.report(d, source: "flush") }
        for endpoint in options.forward {
            do {
                let s = try options.forwardFormat.makeSerializer(options.formatOptions)
                forwards.append((try ForwardWorker(endpoint, options: options.sender, maxQueuedBytes: options.forwardQueueBytes, verbose: diagnostics.verbose), s))
            } catch {
                diagnostics.ioError("--forward: \(error)")  // the error names the target
                return .unavailable
            }
        }
        let listener: Listener
        do {
            var listenerOptions = options.listener
            listenerOptions.splitDatagrams = false  // each datagram is split here, and handled whole
            listener = try Listener(endpoints: options.endpoints, options: listenerOptions)
        } catch {
            diagnostics.ioError("\(error)")
            return .unavailable
        }
        defer { listener.close() }
        listener.handleSignals()
        if let address = options.serveMetrics {
            do {
                let s = try MetricsHTTPServer(bind: address, options: options.http)
                s.publish([])
                s.start()  // after handleSignals: the server thread inherits the blocked signals
                server = s
            } catch {
                diagnostics.ioError("--serve-metrics: \(error)")
                return .unavailable
            }
        }
        defer { server?.stop() }
        summary.listening = ListenFrontend.boundAddresses(listener)
        for address in summary.listening { StandardStreams.writeError("listening on \(address)\n") }
        if let server { StandardStreams.writeError("serving metrics on \(server.url)\n") }
        if let path = options.readyFile {
            if let problem = ListenFrontend.writeReadyFile(path, addresses: summary.listening + (server.map { [$0.url] } ?? [])) {
                diagnostics.ioError("--ready-file \(path): \(problem)")
                return .ioError
            }
        }
        defer { if let path = options.readyFile { unlink(path) } }

        let start = Clock.monotonicNanoseconds()
        lastFlushWall = Clock.nowNanoseconds()
        let deadline = options.timeout.map { start + $0 }
        var reason = StopReason.delegate
        while !done {
            let (flushWall, flushMono) = nextFlush()
            let until = deadline.map { min($0, flushMono) } ?? flushMono
            reason = listener.run(
                until: until,
                onIdle: { [unowned self] in
                    self.out.flush()
                    self.printForwardReports()
                }, { [unowned self] r in self.receive(r) })
            if case .signal = reason {
                // What the kernel already holds is read once, as plain listen does.
                listener.drain { [unowned self] r in self.receive(r) }
                break
            }
            if reason == .timeout, let deadline, Clock.monotonicNanoseconds() >= deadline { break }
            if reason == .timeout { flush(at: flushWall) }
        }
        // The counts end here: what is still queued is read and counted as unread, and the sockets
        // close, so datagrams sent later are refused rather than queued while forwards finish.
        listener.discardQueued()
        summary.unread = listener.unhandledDatagrams
        summary.kernelDrops = listener.kernelDrops()
        listener.closeSockets()
        // The last flush: everything received since the previous one.
        flush(at: Clock.nowNanoseconds())
        closeForwards()
        out.flush()
        summary.durationSeconds = Double(Clock.monotonicNanoseconds() - start) / 1e9
        summary.series = aggregator.seriesCount
        summary.refusedSamples = aggregator.refusedSamples
        summary.saturatedSamples = aggregator.saturatedSamples
        if options.json { StandardStreams.writeError(summaryJSON() + "\n") }
        var undelivered = false
        for f in forwards {
            let failed = f.worker.stats.failedLines
            let unconfirmed = f.worker.unconfirmedLines
            guard failed > 0 || unconfirmed > 0 else { continue }
            var parts: [String] = []
            if failed > 0 { parts.append("\(failed.counting("line")) could not be delivered") }
            if unconfirmed > 0 { parts.append("\(unconfirmed.counting("line")) were sent but never confirmed (the server may have stored them)") }
            diagnostics.ioError("--forward \(f.worker.endpoint): " + parts.joined(separator: "; "))
            undelivered = true
        }
        if undelivered { return .unavailable }
        if let c = options.count, summary.lines < c {
            if reason == .timeout {
                StandardStreams.writeError("metricat: listen: timed out after \(summary.durationSeconds.formatted1) s: \(summary.lines) of \(c.counting("line")) arrived\n")
            }
            return .expectationFailed
        }
        if let failure = out.failure {
            diagnostics.ioError("write to stdout failed: \(StandardStreams.describe(errno: failure))")
            return .ioError
        }
        return .ok
    }

    /// Prints what the forward targets' writers found since the last look.
    func printForwardReports() {
        for f in forwards {
            let target = f.worker.endpoint
            for report in f.worker.takeReports() {
                switch report {
                case .text(let line):
                    diagnostics.relay(line)
                case .undelivered(let lines, let flush, let why):
                    // Lines written by earlier flushes may fail with a later one (a connection that
                    // broke, an outage given up): the count is of the flushes up to this one.
                    let which = flush == 0 ? "left at the end" : flush == 1 ? "of flush 1" : "of flushes up to \(flush)"
                    diagnostics.warning("--forward \(target): \(lines.counting("line")) \(which) could not be delivered\(why.isEmpty ? "" : " (\(why))")")
                case .dropped(let lines, let flush):
                    diagnostics.warning(
                        "--forward \(target): \(lines.counting("line")) of flush \(flush) dropped unsent: the flushes waiting for the target passed --forward-queue \(f.worker.maxQueuedBytes) bytes"
                    )
                }
            }
        }
    }

    /// Writes what the forward targets still have queued, closes them, and reports.
    func closeForwards() {
        for f in forwards {
            f.worker.close()
            diagnostics.absorb(f.worker.findings)
        }
        printForwardReports()
    }

    /// The next flush: its wall-clock time (the metrics' timestamp) and the monotonic deadline.
    func nextFlush() -> (wall: Int64, monotonic: Int64) {
        let wall = Clock.nowNanoseconds()
        let mono = Clock.monotonicNanoseconds()
        let next = Self.nextBoundary(after: wall, previous: lastFlushWall, interval: options.interval, round: options.roundInterval)
        return (next, mono + (next - wall))
    }

    /// Telegraf's `round_interval`: the next multiple of `interval` after `now`; without it, one
    /// interval after the previous flush (or now, when that is already past).
    static func nextBoundary(after now: Int64, previous: Int64, interval: Int64, round: Bool) -> Int64 {
        // Never the same boundary twice: the wall clock may read a hair before the one just flushed.
        if round { return (max(now, previous) / interval + 1) * interval }
        let next = previous + interval
        return next > now ? next : now + interval
    }

    /// Writes the aggregates to every output and forgets what the delete options say.
    func flush(at wall: Int64) {
        // etsy statsd's rate: the count over the configured interval, also for a partial first or last one.
        let seconds = Double(options.interval) / 1e9
        lastFlushWall = wall
        summary.maxSeries = max(summary.maxSeries, aggregator.seriesCount + aggregator.pendingDistributions)
        var metrics = aggregator.flush(timestamp: wall, interval: seconds)
        if !defaultTags.isEmpty {
            for i in metrics.indices {
                var added = false
                for t in defaultTags where metrics[i].tag(t.key) == nil {
                    metrics[i].tags.append(t)
                    added = true
                }
                if added { metrics[i].sortTags() }
            }
        }
        summary.flushes += 1
        summary.flushedMetrics += metrics.count
        if reportedErrors > options.maxReportedErrors {
            diagnostics.warning("\(reportedErrors - options.maxReportedErrors) more bad lines in this interval were counted but not shown (bad_lines in --json)")
        }
        reportedErrors = 0
        let refused = aggregator.refusedSamples - refusedAtLastFlush
        if refused > 0 {
            diagnostics.warning(
                "--max-series \(options.aggregator.maxSeries) (or --max-set-members \(options.aggregator.maxSetMembers)) reached: \(refused) samples refused in this interval (raise the limit)"
            )
            refusedAtLastFlush = aggregator.refusedSamples
        }
        let saturated = aggregator.saturatedSamples - saturatedAtLastFlush
        if saturated > 0 {
            diagnostics.warning("\(saturated) counter samples in this interval went beyond the 64-bit integer range: the counter is held at its limit (Telegraf would wrap)")
            saturatedAtLastFlush = aggregator.saturatedSamples
        }
        if !options.quiet && !metrics.isEmpty {
            if table {
                out.buffer.append(utf8: Self.table(metrics, at: wall))
            } else if var s = serializer {
                for m in metrics { s.serialize(m, into: &out.buffer, context: context) }
                s.finish(into: &out.buffer, context: context)
                serializer = try? (options.to ?? .influx).makeSerializer(options.formatOptions)
                if serializer == nil { serializer = s }
            }
            out.flush()
        }
        printForwardReports()
        for i in forwards.indices where !metrics.isEmpty {
            var bytes: [UInt8] = []
            for m in metrics { forwards[i].serializer.serialize(m, into: &bytes, context: context) }
            forwards[i].serializer.finish(into: &bytes, context: context)
            let lines = bytes.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
            forwards[i].worker.submit(bytes, lines: lines, flush: summary.flushes)
        }
        if let server {
            exposition.update(metrics)
            server.publish(exposition.render())
        }
    }

    /// One event from the listener; false to stop.
    func receive(_ r: Received) -> Bool {
        switch r {
        case .datagram(let bytes, let peer):
            summary.packets += 1
            summary.bytes += bytes.count
            currentSource = peer.address
            var number = 0
            _ = Listener.splitLines(bytes, peer) { [unowned self] event in
                if case .line(let line, _) = event {
                    number += 1
                    self.line(line, number: number)
                }
                return true
            }
        case .chunk(let bytes, _):
            summary.bytes += bytes.count
        case .line(let bytes, let peer):
            let number = (streamLines[peer.connection] ?? 0) + 1
            streamLines[peer.connection] = number
            currentSource = peer.address
            if !RecordStream.isBlank(bytes) { line(bytes, number: number) }
        case .connected(let peer):
            summary.connections += 1
            diagnostics.note("\(peer.address) connected to \(peer.listener)")
        case .disconnected(let peer):
            streamLines[peer.connection] = nil
            diagnostics.note("\(peer.address) disconnected")
        case .dropped(let message, let peer):
            summary.dropped += 1
            diagnostics.warning("\(peer?.address ?? "listen"): \(message)")
        }
        if let c = options.count, summary.lines >= c { done = true }
        return !done
    }

    /// One non-empty line: its samples go to the aggregator; an error is counted and (up to the
    /// per-interval limit) reported with its place.
    func line(_ bytes: UnsafeBufferPointer<UInt8>, number: Int) {
        var isWhitespace = true
        for b in bytes where !ASCII.isWhitespace(b) {
            isWhitespace = false
            break
        }
        if isWhitespace { return }
        summary.lines += 1
        if aggregator.addKnownLine(bytes) {
            summary.samples += 1
            return
        }
        var bad = false
        var samples = 0
        var findings = 0
        var added = true
        reader.parse(bytes, number: number) { [unowned self] event in
            switch event {
            case .sample(let sample, _):
                self.summary.samples += 1
                samples += 1
                if let engine = self.engine {
                    let match = engine.apply(sample.bucket)
                    var tags = match.tags
                    tags.append(contentsOf: sample.tags)  // bucket and DogStatsD tags win over template tags
                    added =
                        self.aggregator.add(
                            sample, name: match.measurement.isEmpty ? sample.bucket : match.measurement, tags: tags,
                            field: match.field.isEmpty ? "value" : match.field) && added
                } else {
                    added = self.aggregator.add(sample) && added
                }
            case .diagnostic(let d):
                findings += 1
                if d.severity == .error {
                    if !bad { self.summary.badLines += 1 }
                    bad = true
                    self.reportedErrors += 1
                    if self.reportedErrors > self.options.maxReportedErrors { return }
                }
                self.diagnostics.report(d, source: self.currentSource)
            }
        }
        // The next line of this shape takes the fast lane.
        if samples == 1 && findings == 0 && added { aggregator.rememberLine(bytes) }
    }

    /// A table for people: one row per field, the flush time on top.
    static func table(_ metrics: [Metric], at wall: Int64) -> String {
        var rows: [(String, String, String, String)] = [("NAME", "TYPE", "FIELD", "VALUE")]
        for m in metrics {
            var name = m.name
            for t in m.tags where t.key != "metric_type" { name += ",\(t.key)=\(t.value)" }
            let type = m.tag("metric_type") ?? ""
            for f in m.fields {
                var value: [UInt8] = []
                switch f.value {
                case .float(let d): NumberFormatting.appendFixed(d, to: &value)
                case .int(let i): NumberFormatting.append(i, to: &value)
                case .uint(let u): NumberFormatting.append(u, to: &value)
                case .string(let s): value.append(contentsOf: Array(s.utf8))
                case .bool(let b): value.append(contentsOf: Array((b ? "true" : "false").utf8))
                }
                rows.append((name, type, f.key, String(decoding: value, as: UTF8.self)))
            }
        }
        let w0 = rows.map { $0.0.count }.max() ?? 0
        let w1 = rows.map { $0.1.count }.max() ?? 0
        let w2 = rows.map { $0.2.count }.max() ?? 0
        func pad(_ s: String, _ w: Int) -> String { s + String(repeating: " ", count: max(0, w - s.count)) }
        var text = "-- flush at \(ListenFrontend.timeText(wall)) UTC, \(metrics.count) metrics\n"
        for r in rows { text += "\(pad(r.0, w0))  \(pad(r.1, w1))  \(pad(r.2, w2))  \(r.3)\n" }
        return text
    }

    func summaryJSON() -> String {
        let s = summary
        var o = JSONObjectWriter()
        o.add("packets", s.packets)
        o.add("connections", s.connections)
        o.add("bytes", s.bytes)
        o.add("lines", s.lines)
        o.add("metrics", s.samples)
        o.add("bad_lines", s.badLines)
        o.add("refused", s.refusedSamples)
        o.add("saturated", s.saturatedSamples)
        o.add("flushes", s.flushes)
        o.add("flushed_metrics", s.flushedMetrics)
        o.add("series", s.series)
        o.add("max_series", s.maxSeries)
        o.add("dropped", s.dropped)
        o.add("kernel_drops", s.kernelDrops)
        o.add("unread", s.unread)
        o.add("duration_s", s.durationSeconds)
        o.add("listening", strings: s.listening)
        if !forwards.isEmpty {
            let items = forwards.map { f -> JSONObjectWriter in
                let st = f.worker.stats
                var item = JSONObjectWriter()
                item.add("target", f.worker.endpoint.description)
                item.add("lines", st.lines)
                item.add("failed", st.failedLines)
                item.add("reconnects", st.reconnects)
                item.add("resent", st.resentLines)
                if f.worker.endpoint.isHTTP { item.add("unconfirmed", f.worker.unconfirmedLines) }
                return item
            }
            o.add("forward", objects: items)
        }
        if let server {
            let st = server.stats
            o.add("scrapes", st.served)
            o.add("http_errors", st.notFound + st.methodNotAllowed + st.badRequests)
            o.add("http_refused", st.refused + st.timedOut)
            o.add("prometheus_series", exposition.count)
            o.add("prometheus_refused", exposition.refused)
            o.add("prometheus_conflicts", exposition.conflicts)
        }
        return o.text
    }
}
