import MetricFormats
import MetricTransport
import MetricatKit

#if canImport(Glibc)
    import Glibc
#endif

/// How metrics are written to one output.
public enum TailLogFormat: Sendable, Equatable {
    /// Logster's stdout form `<epoch> <name> <value>`, names joined with `separator`, values as Python prints them.
    case logster(separator: String)
    /// Any serializer the other commands use; names joined with `.`.
    case metric(MetricFormat)
}

/// One place metrics go, and in which format.
public struct TailLogOutput: Sendable {
    public var endpoint: Endpoint
    public var format: TailLogFormat
    public init(endpoint: Endpoint, format: TailLogFormat) {
        self.endpoint = endpoint
        self.format = format
    }
}

/// What `metricat tail-log` does, as a value.
public struct TailLogOptions: Sendable {
    public var path: String
    public var parser: ParserKind?
    public var settings = ParserSettings()
    public var rules: [LogRule] = []
    /// The state file; its lock is `<stateFile>.lock`.
    public var stateFile: String
    public var outputs: [TailLogOutput] = [TailLogOutput(endpoint: .stdout, format: .logster(separator: "_"))]
    public var prefix = ""
    public var suffix = ""
    public var formatOptions = FormatOptions()
    public var sender = SenderOptions()
    /// Print what would be sent (network outputs as `TARGET LINE`) and keep the state as it was.
    public var dryRun = false
    public var totals = false
    public var fromStart = false
    /// A missing log is an error (exit 66 is not used: 74) instead of a note and exit 0.
    public var require = false
    /// Show each unmatched line on stderr.
    public var debug = false
    public var verbose = false
    public var maxLine = 1 << 20
    /// Run continuously, emitting every this many nanoseconds.
    public var follow: Int64?
    /// Stop following after this many cycles (tests); nil: until SIGINT/SIGTERM.
    public var followCycles: Int?

    public init(path: String, stateFile: String) {
        self.path = path
        self.stateFile = stateFile
    }

    /// `<dir>/<parser>-<absolute log path with / as ->.state`: one state per log and parser.
    public static func stateFile(dir: String, parserName: String, logPath: String) -> String {
        var abs = logPath
        if !abs.hasPrefix("/") {
            var buf = [CChar](repeating: 0, count: Int(PATH_MAX))
            if getcwd(&buf, buf.count) != nil {
                let cwd = String(decoding: buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                abs = cwd + "/" + (abs.hasPrefix("./") ? String(abs.dropFirst(2)) : abs)
            }
        }
        let flat = abs.split(separator: "/").joined(separator: "-")
        return (dir.hasSuffix("/") ? dir : dir + "/") + parserName + "-" + flat + ".state"
    }
}

/// What one run counted, for `-v`.
public struct TailLogStats: Sendable {
    public var lines = 0
    public var unmatched = 0
    public var invalidUTF8 = 0
    public var tooLong = 0
    public var bytes: Int64 = 0
}

/// Runs `tail-log`: lock, state, rotation, parse, deliver, then (only then) save the state.
public final class TailLogFrontend {
    let options: TailLogOptions
    let diagnostics: Diagnostics
    public private(set) var stats = TailLogStats()
    /// `--follow`: the state of the last cycle, used instead of the file (which this run's lock guards).
    var memoryState: LogState?
    /// `--follow`: why the state cannot be written, said once until it changes.
    var stateProblem: String?

    public init(_ options: TailLogOptions, diagnostics: Diagnostics) {
        self.options = options
        self.diagnostics = diagnostics
    }

    public static func run(_ options: TailLogOptions, diagnostics: Diagnostics) -> ExitStatus {
        TailLogFrontend(options, diagnostics: diagnostics).run()
    }

    func fail(_ message: String) { diagnostics.ioError("tail-log: \(message)") }

    public func run() -> ExitStatus {
        let lock: LogLock
        do {
            try LogState.checkDirectory(of: options.stateFile)
            let (l, holder) = try LogLock.acquire(options.stateFile + ".lock")
            guard let l else {
                StandardStreams.writeError("metricat: tail-log: another run (pid \(holder)) holds \(options.stateFile).lock: not running twice on \(options.path)\n")
                return .expectationFailed
            }
            lock = l
        } catch {
            fail(error.description)
            return diagnostics.exitStatus
        }
        defer { withExtendedLifetime(lock) {} }
        PendingState.removeStale(for: options.stateFile)
        guard let interval = options.follow else { return cycle(followMode: false) }
        return follow(interval: interval)
    }

    /// `--follow`: a cycle every interval until SIGINT/SIGTERM (or `followCycles`).
    func follow(interval: Int64) -> ExitStatus {
        let signals = StopSignals()
        var status = ExitStatus.ok
        var done = 0
        let start = Clock.monotonicNanoseconds()
        while true {
            let s = cycle(followMode: true)
            if s != .ok { status = s }
            done += 1
            if let n = options.followCycles, done >= n { break }
            if signals.sleep(nanoseconds: start + Int64(done) * interval - Clock.monotonicNanoseconds()) { break }
        }
        return status
    }

    func now() -> Int64 {
        options.follow != nil ? Clock.nowNanoseconds() : Clock.now()
    }

    /// One Logster run: read what the log gained, emit, save the state.
    func cycle(followMode: Bool) -> ExitStatus {
        let startNs = now()
        let startSec = startNs / 1_000_000_000
        var state = memoryState
        do {
            if state == nil { state = try LogState.load(options.stateFile) }
        } catch {
            fail(error.description)
            return diagnostics.exitStatus
        }
        // A log that exists but cannot be read is an error on every run, and no state is written
        // for it: a state taken from what stat says would make the next run see a truncation.
        let opened: (fd: Int32, identity: FileIdentity)?
        do {
            opened = try FileIdentity.open(options.path)
        } catch {
            fail(error.description)
            return diagnostics.exitStatus
        }
        guard let opened else {
            if options.require {
                fail("\(options.path) does not exist")
                return .ioError
            }
            if !followMode { StandardStreams.writeError("metricat: tail-log: \(options.path) does not exist: nothing to read (--require makes this an error)\n") }
            return .ok
        }
        defer { close(opened.fd) }
        let current = opened.identity
        // The plan rests on the head as this run read it, from its own descriptor; the new state's
        // fingerprint on the first line its read saw: a log copied and truncated while the run is
        // under way then shows as truncated next time, and its copy is found. When the log was read,
        // on the clock of file times: if it was empty, the next run tells what was rotated since by
        // this and by the rotated files this run's plan saw.
        let readAt = LogState.fileClockNow()
        let head = LineReader.head(fd: opened.fd, count: Fingerprint.maxBytes)
        // The rotated files are opened right after the plan names them, and the plan is made again
        // if a rotation renamed any of them meanwhile: a name read later could be another file.
        var plan = TailPlanner.Plan()
        var rotatedFDs: [String: Int32] = [:]
        var rotatedAtRead: [LogState.RotatedFile] = []
        defer { for fd in rotatedFDs.values { close(fd) } }
        func listing() -> [(String, LogState.RotatedFile)] {
            TailPlanner.rotatedNames(of: options.path).compactMap { name in
                FileIdentity.of(name).map { (name, LogState.RotatedFile(inode: $0.inode, modified: TailPlanner.modified(name))) }
            }
        }
        for _ in 0..<5 {
            let before = listing()
            plan = TailPlanner.plan(path: options.path, state: state, current: current, fromStart: options.fromStart, head: head)
            for segment in plan.segments where !segment.live {
                let fd = open(segment.path, O_RDONLY | O_CLOEXEC)
                if fd >= 0 { rotatedFDs[segment.path] = fd }
            }
            let after = listing()
            rotatedAtRead = after.map(\.1)
            if before.elementsEqual(after, by: { $0.0 == $1.0 && $0.1.inode == $1.1.inode }) { break }
            for fd in rotatedFDs.values { close(fd) }
            rotatedFDs = [:]
        }
        for w in plan.warnings { diagnostics.warning(w) }
        for n in plan.notes { diagnostics.note(n) }

        let parsers: [any LogParser] =
            (options.parser.map { [options.settings.makeParser($0)] } ?? [])
            + (options.rules.isEmpty ? [] : [RuleParser(options.rules, percentiles: options.settings.percentiles.map { ($0, Int($0) ?? 90) })])
        let reader = LineReader(maxLine: options.maxLine)
        var end: Int64 = 0
        // The first line of the live log as the read saw it, when the read started at its start.
        var liveStart: [UInt8] = []
        var runStats = TailLogStats()
        let debug = options.debug
        let firstRun = state == nil && !options.fromStart
        for segment in plan.segments {
            do {
                let r: LineReader.Result
                if firstRun {
                    r = LineReader.Result(end: segment.start)
                } else if parsers.count == 1 {
                    let parser = parsers[0]
                    var first = segment.live && segment.start == 0
                    r = try reader.read(segment, fd: segment.live ? opened.fd : rotatedFDs[segment.path]) { line, complete in
                        if first {
                            first = false
                            liveStart = Array(line.prefix(Fingerprint.maxBytes)) + [0x0A]
                        }
                        if !parser.parse(line, complete: complete) { Self.unmatched(line, debug: debug, stats: &runStats, path: segment.path) }
                    }
                    if r.tooLong > 0 { liveStart = [] }  // the first line handed out may not be the file's first
                } else {
                    var first = segment.live && segment.start == 0
                    r = try reader.read(segment, fd: segment.live ? opened.fd : rotatedFDs[segment.path]) { line, complete in
                        if first {
                            first = false
                            liveStart = Array(line.prefix(Fingerprint.maxBytes)) + [0x0A]
                        }
                        var any = false
                        for p in parsers where p.parse(line, complete: complete) { any = true }
                        if !any { Self.unmatched(line, debug: debug, stats: &runStats, path: segment.path) }
                    }
                    if r.tooLong > 0 { liveStart = [] }
                }
                runStats.lines += r.lines
                runStats.tooLong += r.tooLong
                runStats.bytes += r.bytes
                if r.tooLong > 0 { diagnostics.warning("\(segment.path): \(r.tooLong) lines longer than \(options.maxLine) bytes skipped (--max-line)") }
                if segment.live { end = r.end }
            } catch {
                fail(error.description)
                return diagnostics.exitStatus
            }
        }
        stats = runStats
        let duration = state.map { max(0, startSec - $0.lastRun) } ?? 0
        if diagnostics.verbose {
            diagnostics.note(
                "\(options.path): \(runStats.lines) lines (\(runStats.bytes) bytes) over \(duration) s, \(runStats.unmatched) unmatched, \(runStats.invalidUTF8) not valid UTF-8")
        }
        if options.dryRun {
            if !firstRun {
                let status = deliver(metrics(parsers, duration: duration), epoch: startSec)
                if status != .ok { return status }
            }
            diagnostics.note("dry run: the state in \(options.stateFile) is left as it was")
            return diagnostics.exitStatus
        }
        // The live log read from its start: its first line as this run read it (the head taken
        // before may have been shorter, the log still empty or its first line unfinished).
        let (fp, fpLen) = Fingerprint.of(prefix: liveStart.isEmpty ? head : liveStart, limit: end)
        var newState = LogState(inode: current.inode, device: current.device, offset: end, fingerprint: fp, fingerprintLength: fpLen, lastRun: startSec, readAt: readAt)
        newState.rotatedAtRead = rotatedAtRead
        // The new state is written before anything is sent: a state that cannot be written would
        // make every run send the same lines again. `--follow` keeps the offset in memory instead.
        var pending: PendingState?
        do {
            pending = try PendingState.prepare(newState, at: options.stateFile)
        } catch {
            if !followMode {
                fail("\(error): nothing was sent; the lines are read once the state can be written")
                return diagnostics.exitStatus
            }
            stateFailure("\(error): carrying on with the offset kept in memory")
        }
        if !firstRun {
            let status = deliver(metrics(parsers, duration: duration), epoch: startSec)
            if status != .ok {
                pending?.discard()
                StandardStreams.writeError("metricat: tail-log: not delivered: the state is kept, so these lines are read again next run\n")
                return status
            }
        }
        if followMode { memoryState = newState }
        var after = stat()
        if fstat(opened.fd, &after) == 0, Int64(after.st_size) < end {
            diagnostics.warning(
                "\(options.path): truncated while this run was under way (now \(after.st_size) bytes, read up to byte \(end)): the next run reads the rest from the rotated copy, if there is one beside it"
            )
        }
        do {
            try pending?.commit()
            if pending != nil { stateProblem = nil }
        } catch {
            let outcome = firstRun ? "the end of the log was not recorded" : "the metrics were delivered but the state was not saved"
            if followMode {
                stateFailure("\(outcome): \(error): carrying on with the offset kept in memory")
            } else {
                fail("\(outcome): \(error); the next run reports these lines again")
            }
        }
        return diagnostics.exitStatus
    }

    /// `--follow`: a state that cannot be written fails the run (74) but is said once, not every cycle.
    func stateFailure(_ message: String) {
        if stateProblem == message { return }
        stateProblem = message
        fail(message)
    }

    /// What the parsers counted, as rates over `duration` (or totals).
    func metrics(_ parsers: [any LogParser], duration: Int64) -> [LogMetric] {
        let rate = RateContext(duration: duration, totals: options.totals)
        var metrics: [LogMetric] = []
        for p in parsers { metrics += p.metrics(rate) }
        return metrics
    }

    static func unmatched(_ line: UnsafeRawBufferPointer, debug: Bool, stats: inout TailLogStats, path: String) {
        stats.unmatched += 1
        let valid = String(validating: line.bindMemory(to: UInt8.self), as: UTF8.self) != nil
        if !valid { stats.invalidUTF8 += 1 }
        if debug {
            StandardStreams.writeError("metricat: tail-log: \(path): unmatched\(valid ? "" : " (not valid UTF-8)"): \(escaped(line))\n")
        }
    }

    /// A line as printable text: bytes that are not printable ASCII as `\xHH`.
    static func escaped(_ line: UnsafeRawBufferPointer) -> String {
        var s = ""
        for b in line.prefix(400) {
            if b >= 0x20 && b < 0x7F && b != 0x5C {
                s.unicodeScalars.append(Unicode.Scalar(b))
            } else {
                s += "\\x" + (b < 16 ? "0" : "") + String(b, radix: 16)
            }
        }
        if line.count > 400 { s += "..." }
        return s
    }

    /// `prefix SEP name SEP suffix`, as Logster joins them.
    func fullName(_ name: String, separator: String) -> String {
        var n = name
        if !options.prefix.isEmpty { n = options.prefix + separator + n }
        if !options.suffix.isEmpty { n = n + separator + options.suffix }
        return n
    }

    /// The lines for one output.
    func render(_ metrics: [LogMetric], format: TailLogFormat, epoch: Int64) -> Result<[UInt8], TailLogError> {
        var out: [UInt8] = []
        switch format {
        case .logster(let sep):
            for m in metrics {
                var name = fullName(m.name, separator: sep)
                for t in m.tags { name += sep + t.value }
                out.append(contentsOf: "\(epoch) \(name) \(m.value.pythonText)\n".utf8)
            }
        case .metric(let f):
            var serializer: any MetricSerializer
            do {
                serializer = try f.makeSerializer(options.formatOptions)
            } catch {
                return .failure(.invalidOption("--format", error.description))
            }
            let context = SerializerContext(now: epoch * 1_000_000_000) { [diagnostics] d in diagnostics.report(d, source: "tail-log") }
            for m in metrics {
                let metric = Metric(name: fullName(m.name, separator: "."), tags: m.tags, fields: [Field("value", m.value.fieldValue)], timestamp: epoch * 1_000_000_000)
                serializer.serialize(metric, into: &out, context: context)
            }
            serializer.finish(into: &out, context: context)
        }
        return .success(out)
    }

    /// Writes to every output; any output that fails makes the run fail so the state is kept:
    /// 74 when stdout cannot be written (`/dev/full`, a closed pipe), 69 when a target is unreachable.
    func deliver(_ metrics: [LogMetric], epoch: Int64) -> ExitStatus {
        if metrics.isEmpty { return .ok }
        var status = ExitStatus.ok
        func stdoutFailed(_ code: Int32) {
            StandardStreams.writeError("metricat: tail-log: write to stdout failed: \(StandardStreams.describe(errno: code))\n")
            status = .ioError
        }
        for output in options.outputs {
            var bytes: [UInt8]
            switch render(metrics, format: output.format, epoch: epoch) {
            case .success(let b): bytes = b
            case .failure(let e):
                fail(e.description)
                return .usage
            }
            if options.dryRun, output.endpoint != .stdout {
                var text: [UInt8] = []
                for line in bytes.split(separator: 0x0A) {
                    text.append(contentsOf: "\(output.endpoint) ".utf8)
                    text.append(contentsOf: line)
                    text.append(0x0A)
                }
                if let e = text.withUnsafeBytes({ StandardStreams.writeAll(1, $0) }) { stdoutFailed(e) }
                continue
            }
            if output.endpoint == .stdout {
                // Written here, not through a buffered sink, so a failed write is seen and fails the run.
                if let e = bytes.withUnsafeBytes({ StandardStreams.writeAll(1, $0) }) { stdoutFailed(e) }
                continue
            }
            let out: LineOutput
            do {
                out = try LineOutput.open(output.endpoint, options: options.sender, diagnostics: diagnostics)
            } catch {
                StandardStreams.writeError("metricat: tail-log: \(output.endpoint): \(error)\n")
                if status == .ok { status = .unavailable }
                continue
            }
            out.diagnosticsSource = "tail-log"
            out.write(&bytes)
            out.close()
            if out.stats.failedLines > 0 {
                StandardStreams.writeError("metricat: tail-log: \(output.endpoint): \(out.stats.failedLines) lines could not be delivered\n")
                if status == .ok { status = .unavailable }
            }
        }
        return status
    }
}
