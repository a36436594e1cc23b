import ArgumentParser
import LogCulling
import MetricFormats
import MetricTransport
import MetricatKit

#if canImport(Glibc)
    import Glibc
#endif

/// `metricat tail-log`: maps flags (metricat's and Logster's) to ``TailLogOptions`` and runs ``TailLogFrontend``.
struct TailLog: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tail-log",
        abstract: "Turn what a log gained since the last run into metrics, Logster-style.",
        discussion: """
            Each run reads the lines the log gained since the previous run (a state file per log and \
            parser keeps the inode, device, byte offset, a fingerprint of the first line and the time of \
            the run), counts them with a parser and sends the metrics. The state is saved only after the \
            metrics were delivered, so a failed send reads the same lines again next time. A rotated log \
            (.1, .0, -YYYYMMDD), a copytruncate, a truncation and a log that regrew past the old offset \
            are detected: the rest of the old file is read, then the new one from the start. An \
            unterminated last line waits for its newline. The first run counts nothing and records the \
            end of the log, as Logster does (--from-start reads it all).

            Parsers (Logster's metric names and arithmetic; its class names are aliases): sample (HTTP \
            status classes of an access log), log4j (--log-levels; also ISO8601 timestamps, which Logster \
            misses), postfix, squid (size is the bytes field; Logster sums the elapsed time, reported \
            here as elapsed_ms), apache-error (also Apache 2.4's [module:level]), metric (METRIC_COUNT and \
            METRIC_TIME lines, --percentiles), json (--key-separator). Rates are per second over the time \
            since the previous run; --totals gives raw counts; a duration of 0 divides by 1.

            Rules, no code needed: --count 'NAME=REGEX', --sum/--timer/--gauge 'NAME=REGEX' with a \
            (?<value>...) capture; other named captures become tags. A rules file has one \
            'count|sum|timer|gauge NAME REGEX' per line. Regexes are PCRE2 (Perl syntax; a Logster \
            rule's Python pattern works as it is, (?P<name>...) included; \\d and \\w are Unicode-aware).

            Logster's command line carries over: logster OPTS PARSER FILE is metricat tail-log OPTS \
            PARSER FILE (or --parser PARSER FILE). -o stdout prints '<epoch> <name> <value>' (--format \
            logster); -o graphite --graphite-host H:P and -o statsd --statsd-host H:P send as Logster \
            does; --tailer, --logtail, --locker, --log-dir and --log-conf are accepted and ignored.
            Unlike Logster, --dry-run leaves the state as it was, and a lock left by a dead run does not block.

            State and safety: the new state is written to a temporary file (random name, O_EXCL) and \
            synced before anything is sent, and renamed over the old one after delivery; a state that \
            cannot be written stops the run before it sends anything (with --follow the offset is kept \
            in memory and the run carries on). The lock is opened without following links, and a state \
            directory that others can write is refused unless it is sticky. A log that exists but \
            cannot be read (permissions, a directory, a FIFO) is an error on every run, with no state; \
            a log copied and truncated while a run reads it is noticed, and the next run reads the rest \
            from the copy.

            Delivery is at-least-once: a run killed at any point loses no line, and the only way a \
            line is counted twice is a run killed after its output went out and before its state was \
            renamed into place. A log rotated several times since the last completed run is read \
            through every rotated file after the one the state points into (at most the 8 newest).

            Exit status: 0 ok (also when the log does not exist, unless --require), 1 another run holds \
            the lock, 2 usage, 69 an output was unreachable (state kept), 74 I/O error: stdout could \
            not be written (state kept), the log cannot be read, the state cannot be written (nothing \
            sent), or the state directory is unsafe.

            Examples:
              metricat tail-log --parser sample /var/log/nginx/access.log -o graphite --graphite-host 127.0.0.1:2003
              metricat tail-log /var/log/app.log --count 'errors=ERROR (?<code>E\\d+)' --output udp://127.0.0.1:8125 --format statsd
              metricat tail-log --parser sample --from-start --totals access.log
            """
    )

    @Argument(help: ArgumentHelp("The log file; Logster's 'PARSER FILE' order is accepted too.", valueName: "file"))
    var positional: [String] = []

    @Option(
        help: ArgumentHelp("The parser: \(ParserKind.names), or Logster's class name.", valueName: "name"),
        completion: .list(ParserKind.allCases.map(\.rawValue)))
    var parser: String?

    @Option(
        name: [.customShort("s"), .long],
        help: ArgumentHelp("Directory for state files, one per log and parser (default: $XDG_STATE_HOME/metricat or ~/.local/state/metricat).", valueName: "dir"))
    var stateDir: String?

    @Option(help: ArgumentHelp("The state file itself (its lock is FILE.lock).", valueName: "file"))
    var stateFile: String?

    @Option(name: [.customShort("p"), .customLong("prefix"), .customLong("metric-prefix")], help: ArgumentHelp("Put before every metric name.", valueName: "prefix"))
    var prefix: String?

    @Option(name: [.customShort("x"), .customLong("suffix"), .customLong("metric-suffix")], help: ArgumentHelp("Put after every metric name.", valueName: "suffix"))
    var suffix: String?

    @Option(
        name: [.customShort("o"), .long],
        help: ArgumentHelp(
            "Where metrics go, repeatable: - or stdout, graphite, statsd (Logster's), or any address send takes (udp://, tcp://, unix://, http://.../write?db=).",
            valueName: "target"))
    var output: [TailLogTarget] = []

    @Option(
        help: ArgumentHelp(
            "Format for address outputs and - (default: logster on stdout, graphite on sockets, influx over HTTP).", valueName: "format"))
    var format: TailLogFormat?

    @Option(help: ArgumentHelp("Logster's graphite output: HOST:PORT.", valueName: "host:port"))
    var graphiteHost: HostPort<GraphiteHostExamples>?

    @Option(help: ArgumentHelp("Logster's graphite output: its socket.", valueName: "protocol"))
    var graphiteProtocol: GraphiteProtocol = .tcp

    @Option(help: ArgumentHelp("Logster's statsd output: HOST:PORT (gauges over UDP).", valueName: "host:port"))
    var statsdHost: HostPort<StatsDHostExamples>?

    @Option(help: ArgumentHelp("Joins prefix, name and suffix in the logster format.", valueName: "sep"))
    var stdoutSeparator: String = "_"

    @Option(parsing: .unconditional, help: ArgumentHelp("Logster's parser options string, split on spaces: '-l WARN,ERROR', '--percentiles 50,90', '-k _'.", valueName: "options"))
    var parserOptions: String?

    @Option(help: ArgumentHelp("log4j: levels to count, in output order.", valueName: "L1,L2"))
    var logLevels: String?

    @Option(help: ArgumentHelp("metric parser and timer rules: percentiles to report.", valueName: "p1,p2"))
    var percentiles: String?

    @Option(help: ArgumentHelp("json: separator of flattened keys.", valueName: "sep"))
    var keySeparator: String?

    @Option(help: ArgumentHelp("A rule: lines matching REGEX, per second; named captures become tags. Repeatable.", valueName: "name=regex"))
    var count: [String] = []

    @Option(help: ArgumentHelp("A rule: sum of the (?<value>...) capture, per second. Repeatable.", valueName: "name=regex"))
    var sum: [String] = []

    @Option(help: ArgumentHelp("A rule: mean, median and percentiles of (?<value>...). Repeatable.", valueName: "name=regex"))
    var timer: [String] = []

    @Option(help: ArgumentHelp("A rule: the last (?<value>...) seen. Repeatable.", valueName: "name=regex"))
    var gauge: [String] = []

    @Option(help: ArgumentHelp("A rules file: 'count|sum|timer|gauge NAME REGEX' per line, # comments.", valueName: "file"))
    var rules: String?

    @Flag(name: [.customShort("d"), .long], help: "Print what would be sent (network outputs as 'TARGET LINE'); the state is left as it was.")
    var dryRun = false

    @Flag(name: [.customShort("D"), .long], help: "Show each line no parser or rule matched (and whether it is valid UTF-8) on stderr.")
    var debug = false

    @Flag(help: "Raw counts and sums instead of per-second rates.")
    var totals = false

    @Flag(help: "On a first run (no state), read the whole log instead of starting at its end.")
    var fromStart = false

    @Flag(help: "A missing log file is an error (exit 74) instead of a note and exit 0.")
    var require = false

    @Flag(help: "Keep running: read and emit every --interval, following rotations, until SIGINT/SIGTERM.")
    var follow = false

    @Option(help: ArgumentHelp("Time between emissions with --follow.", valueName: "duration"))
    var interval = DurationValue(nanoseconds: 10_000_000_000, text: "10s")

    @Option(help: .hidden)
    var followCycles: Int?

    @Option(help: ArgumentHelp("Longest line in bytes; longer ones are counted and skipped.", valueName: "bytes"))
    var maxLine = ByteSize<LineBytes>(bytes: 1 << 20)

    @Option(help: ArgumentHelp("Reconnect attempts for socket outputs.", valueName: "n"))
    var retry: Int = 2

    @Option(help: ArgumentHelp("Give up reconnecting after this long.", valueName: "duration"))
    var retryTimeout = DurationValue(nanoseconds: 2_000_000_000, text: "2s")

    @Flag(name: .shortAndLong, help: "Say more: rotation, lines read and unmatched, the first-run note.")
    var verbose = false

    @Option(name: [.customShort("t"), .long], help: ArgumentHelp("Logster's tailer (ignored: the state is kept by metricat).", valueName: "name"))
    var tailer: String?
    @Option(help: ArgumentHelp("Logster's logtail path (ignored).", valueName: "path"))
    var logtail: String?
    @Option(help: ArgumentHelp("Logster's locker (ignored: flock is used).", valueName: "name"))
    var locker: String?
    @Option(name: [.customShort("l"), .long], help: ArgumentHelp("Logster's own log directory (ignored: messages go to stderr).", valueName: "dir"))
    var logDir: String?
    @Option(help: ArgumentHelp("Logster's logging config (ignored).", valueName: "file"))
    var logConf: String?

    mutating func validate() throws {
        if positional.count == 2 && parser == nil {
            parser = positional.removeFirst()
        }
        guard positional.count == 1 else {
            throw ValidationError("give one log file (example: metricat tail-log --parser sample /var/log/nginx/access.log)")
        }
        if parser == nil && count.isEmpty && sum.isEmpty && timer.isEmpty && gauge.isEmpty && rules == nil {
            throw ValidationError("give --parser NAME (\(ParserKind.names)) or a rule (--count NAME=REGEX)")
        }
        if let parser, ParserKind(name: parser) == nil {
            throw ValidationError("--parser: '\(parser)' is not a parser (one of \(ParserKind.names), or Logster's SampleLogster, ...)")
        }
        if stateDir != nil && stateFile != nil { throw ValidationError("give --state-dir or --state-file, not both") }
    }

    func run() throws {
        let path = positional[0]
        let kind = parser.flatMap(ParserKind.init(name:))
        var settings = ParserSettings()
        do {
            if let kind, let parserOptions { try settings.apply(parserOptions: parserOptions, for: kind) }
            if let logLevels { settings.logLevels = logLevels.split(separator: ",").map(String.init) }
            if let percentiles { settings.percentiles = percentiles.split(separator: ",").map(String.init) }
            if let keySeparator { settings.keySeparator = keySeparator }
            try settings.validate()
        } catch {
            throw ValidationError(error.description)
        }
        let ruleList: [LogRule]
        let statePath: String
        let outputs: [TailLogOutput]
        do {
            ruleList = try TailLogSetup.rules(count: count, sum: sum, timer: timer, gauge: gauge, file: rules)
            outputs = try TailLogSetup.outputs(
                output.map(\.text), format: format?.word, graphiteHost: graphiteHost?.text, graphiteProtocol: graphiteProtocol.rawValue, statsdHost: statsdHost?.text,
                stdoutSeparator: stdoutSeparator)
            let name = TailLogSetup.stateName(parser: kind, rules: ruleList)
            statePath = try TailLogSetup.stateFile(given: stateFile, directory: stateDir, name: name, logPath: path)
        } catch {
            throw ValidationError(error.description)
        }
        var options = TailLogOptions(path: path, stateFile: statePath)
        options.parser = kind
        options.settings = settings
        options.rules = ruleList
        options.outputs = outputs
        options.prefix = prefix ?? ""
        options.suffix = suffix ?? ""
        options.dryRun = dryRun
        options.totals = totals
        options.fromStart = fromStart
        options.require = require
        options.debug = debug
        options.verbose = verbose
        options.maxLine = maxLine.bytes
        options.sender.retries = retry
        options.sender.retryTimeout = retryTimeout.nanoseconds
        if follow { options.follow = interval.nanoseconds }
        options.followCycles = followCycles
        let diagnostics = Diagnostics(verbose: verbose)
        for (flag, value) in [("--tailer", tailer), ("--logtail", logtail), ("--locker", locker), ("--log-dir", logDir), ("--log-conf", logConf)] where value != nil {
            diagnostics.note("\(flag) is Logster's and is ignored")
        }
        // A closed stdout pipe is a failed write (exit 74, state kept), not a silent death by SIGPIPE.
        signal(SIGPIPE, SIG_IGN)
        let status = TailLogFrontend.run(options, diagnostics: diagnostics)
        if status != .ok { throw ExitCode(status.rawValue) }
    }
}
