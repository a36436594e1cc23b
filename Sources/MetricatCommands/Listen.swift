import ArgumentParser
import MetricFormats
import MetricTransport
import MetricatKit

/// `metricat listen`: maps flags to ``ListenOptions`` and runs ``ListenFrontend``.
struct Listen: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Bind sockets and print what arrives, raw or decoded; a CI smoke check with --expect.",
        discussion: """
            Binds every ADDRESS (default udp://127.0.0.1:8094) in one event loop and prints each non-empty line as \
            it arrives, exactly as received. A bare port (8125) is UDP on loopback; udp://:8125 binds \
            every interface. With --from the lines are decoded and re-rendered with --to (--to alone \
            means --from auto: the format of each sender is detected from what it sends first); a line that \
            does not parse is reported with its sender, at its line within the datagram or connection. \
            A decoded metric without a timestamp gets the time it arrived (as Telegraf's listeners \
            stamp it), where the output writes one. --raw hex-dumps datagrams and stream reads, to \
            see missing newlines.

            Once every address is bound it prints 'listening on ADDRESS' on stderr, one line per \
            address with the port the kernel chose for :0, and writes --ready-file. A port or \
            socket another listener holds is an error (exit 69) unless every listener passes \
            --reuse-port; a Unix socket file nobody listens on any more is replaced.

            As a CI smoke check: --count N exits 0 after N lines (metrics when decoding), --expect \
            REGEX or --expect-metric 'name,tag=v field>0' exit 0 as soon as a match arrives, and \
            --timeout D exits 1 when it expires first. A datagram is handled whole, so --count may \
            be passed inside one. SIGINT and SIGTERM stop it cleanly: what the kernel already holds \
            (queued datagrams, bytes acknowledged to stream senders) is read and printed, with the \
            last unfinished line of each connection, and its Unix socket files are removed.

            Delivery: nothing is acknowledged beyond the kernel, so senders learn of no loss; every \
            loss is counted in --json. Datagrams the kernel dropped (receive buffer full) are \
            kernel_drops; those left after --count was met or queued at --timeout are unread; a \
            truncated datagram, an overlong line and a connection closed to make room (past \
            --max-connections the one idle longest, those that never sent a whole line first) or \
            idle past --read-timeout are dropped, each reported.

            With a COMMAND after --, listen binds first, then runs it (argv, no shell; stdin, stdout \
            and stderr inherited; METRICAT_LISTEN holds the bound addresses, space-separated), \
            listens while it runs, and afterwards until the expectation is met or --timeout \
            (counted from the command's end) expires. Exit 0 only when the command exited 0 and \
            the expectation, if any, was met; otherwise 1, with the command's exit status or signal \
            on stderr. A command that cannot be found exits 127, one that cannot be run 126. \
            SIGINT or SIGTERM is passed on to the command (SIGKILL after 5 s).

            With --aggregate INTERVAL it is a StatsD server with Telegraf's inputs.statsd semantics \
            and option names: it flushes counters (value, rate), gauges (+/- deltas), sets, timings \
            (count, lower, upper, mean, median, stddev, sum, --percentiles) on multiples of INTERVAL \
            to stdout, --forward targets and --serve-metrics (Prometheus text on GET /metrics, \
            statsd_exporter's names), and once more on SIGINT, SIGTERM, --timeout or --count (lines). \
            collectd's statsd plugin agrees but writes timers in seconds, takes percentiles from \
            histogram bins and keeps counters (--no-delete-counters).

            The format options (every Telegraf parser and serializer option, by format) are listed by \
            --help-hidden and in the man page.

            Example:
              metricat listen udp://127.0.0.1:8125 --expect 'deploys:1\\|c' --timeout 5s -- ./deploy.sh
              metricat listen udp://127.0.0.1:8125 --aggregate 10s --percentiles 90,99 --serve-metrics 9102

            Exit status: 0 the --count or --expect was met, or nothing was expected and it was \
            stopped (SIGINT, SIGTERM or --timeout), 1 the expectation was not met (before --timeout \
            or a signal) or the command after -- failed, 2 usage, 69 an address could not be bound \
            (or --aggregate: lines could not be forwarded), \
            74 stdout could not be written, 126 or 127 the command after -- could not be run or \
            found. Lines that do not parse are reported on stderr and counted (parse_errors in \
            --json) without changing the status; with --strict the first one ends the run (65).
            """
    )

    /// The addresses, then, after `--`, the command (the argument parser allows one positional array).
    @Argument(
        help: ArgumentHelp(
            "Addresses to bind: udp://HOST:PORT, tcp://, unix:///PATH, unixgram:///PATH; after --, a command to run once every address is bound.", valueName: "address"))
    var addresses: [String] = []

    @Option(help: ArgumentHelp("Decode lines as this format (or auto) instead of printing them raw.", valueName: "format"))
    var from: InputFormat?

    @Option(help: ArgumentHelp("Re-render decoded metrics in this format (default: influx); without --from, implies --from auto.", valueName: "format"))
    var to: MetricFormat?

    @Flag(help: "Prefix every line with its receive time and sender.")
    var showSource = false

    @Flag(help: "Hex-dump every datagram and stream read as it arrives.")
    var raw = false

    @Flag(name: .shortAndLong, help: "Print no received lines (for --json, --count and --expect checks).")
    var quiet = false

    @Option(help: ArgumentHelp("Exit 0 after this many lines (metrics when decoding).", valueName: "n"))
    var count: Int?

    @Option(help: ArgumentHelp("Exit after this long; 1 when --count or --expect were not met. With a command after --, counted from the command's end.", valueName: "duration"))
    var timeout: DurationValue?

    @Option(help: ArgumentHelp("Exit 0 when a line matches this regular expression (PCRE2, Perl syntax; a decoded metric is matched as line protocol).", valueName: "regex"))
    var expect: String?

    @Option(help: ArgumentHelp("Exit 0 when a metric matches: 'name[,tag=v...] [field>0 ...]' (ops > < >= <= == !=).", valueName: "spec"))
    var expectMetric: String?

    @Flag(
        help:
            "Print a JSON summary on stderr at exit: received (non-empty lines), metrics, bytes, datagrams, connections, parse_errors, dropped, kernel_drops, unread, matched, duration_s, listening (bound addresses); command_status, command_signal with a command after --. --aggregate prints its own keys (packets, lines, bad_lines, flushes, forward, ...; see the man page)."
    )
    var json = false

    @Flag(help: "A live line on stderr (lines/s, bytes/s, parse errors, kernel drops) when it is a terminal.")
    var stats = false

    @Option(help: ArgumentHelp("Receive buffer to ask for (Telegraf's read_buffer_size); warns when the kernel grants less.", valueName: "bytes"))
    var rcvbuf: ByteSize<BufferBytes>?

    @Option(
        help: ArgumentHelp(
            "Open stream connections at most; when all are taken, a new connection closes the one idle longest (those that never sent a whole line first), with a report.",
            valueName: "n"))
    var maxConnections: Int = 1024

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp("Close a stream connection that sends nothing for this long, with a report (Telegraf's read_timeout; default: never).", valueName: "duration"))
    var readTimeout: DurationValue?

    @Flag(
        help:
            "Share UDP and TCP ports with other listeners that pass --reuse-port too (SO_REUSEPORT; the kernel spreads the traffic). Without it a port in use is an error (exit 69)."
    )
    var reusePort = false

    @Option(help: ArgumentHelp("Once every address is bound, write them to FILE, one per line (atomically: a temporary file renamed); removed at exit.", valueName: "file"))
    var readyFile: String?

    @Option(help: ArgumentHelp("Permissions of Unix socket files (octal).", valueName: "mode"))
    var socketMode = FileMode(bits: 0o660, text: "0660")

    @Option(help: ArgumentHelp("Append every received line with its receive time and sender to FILE.", valueName: "file"))
    var record: String?

    @Flag(
        help:
            "Count lost, duplicated and reordered lines from the sequence numbers 'metricat load' sends (in the --json summary; a 'load --sink-report' run restarts the counts and gets its own summary when it ends)."
    )
    var sequence = false

    @Option(help: ArgumentHelp("The key that carries the sequence number, for --sequence.", valueName: "key"))
    var seqKey: String = "seq"

    @OptionGroup(title: "StatsD server (--aggregate)") var aggregation: AggregateFlags
    @OptionGroup var common: CommonFlags
    @OptionGroup var formats: FormatFlags

    /// Splits the positional values into addresses and the command after the first `--` of `argv`
    /// (the parser's terminator: every value after it is positional, in order).
    static func splitCommand(_ positionals: [String], argv: [String]) -> (addresses: [String], command: [String]) {
        guard let terminator = argv.firstIndex(of: "--") else { return (positionals, []) }
        let count = min(argv.count - terminator - 1, positionals.count)
        return (Array(positionals.dropLast(count)), Array(positionals.suffix(count)))
    }

    /// The addresses to bind (udp://127.0.0.1:8094 when none is given) and the command after `--`.
    /// The addresses are ``ListenAddress`` values checked here rather than by the parser, which
    /// cannot tell them from the command's words (one positional array holds both).
    /// - Throws: the first address that is not one to listen on, as the parser would refuse it.
    func addressesAndCommand(argv: [String] = CommandLine.arguments) throws -> (endpoints: [Endpoint], command: [String]) {
        let (texts, command) = Self.splitCommand(addresses, argv: argv)
        var endpoints: [Endpoint] = []
        for text in texts.isEmpty ? ["udp://127.0.0.1:8094"] : texts {
            switch ListenAddress.parse(text) {
            case .success(let address): endpoints.append(address.endpoint)
            case .failure(let problem): throw ValidationError(problem.message(flag: "<address>", text: text))
            }
        }
        return (endpoints, command)
    }

    /// Refuses a bad address while the command line is parsed, before the other flags' checks in run().
    func validate() throws {
        _ = try addressesAndCommand()
    }

    func run() throws {
        let (endpoints, command) = try addressesAndCommand()
        if aggregation.isGiven {
            try runAggregate(endpoints: endpoints, command: command)
            return
        }
        if let flag = aggregation.givenWithoutAggregate.first {
            throw ValidationError("\(flag) needs --aggregate INTERVAL (example: --aggregate 10s)")
        }
        var options = ListenOptions(endpoints: endpoints)
        if let from {
            options.from = from.format
            options.detect = from.format == nil
        } else if to != nil {
            options.detect = true  // --to asks for decoding: --from auto
        }
        if let to { options.to = to }
        options.formatOptions = try formats.options(common: common)
        options.showSource = showSource
        options.raw = raw
        options.quiet = quiet
        options.count = count
        options.timeout = timeout?.nanoseconds
        options.expect = expect
        if let expectMetric {
            do {
                options.expectMetric = try MetricExpectation(parsing: expectMetric)
            } catch {
                throw ValidationError(error.description)
            }
        }
        options.json = json
        options.stats = stats
        options.record = record
        if sequence { options.sequenceKey = seqKey }
        options.listener.maxLineBytes = common.maxLine?.bytes ?? 64 * 1024
        options.listener.maxConnections = maxConnections
        options.listener.readTimeout = readTimeout?.nanoseconds
        options.listener.reusePort = reusePort
        options.readyFile = readyFile
        options.command = command
        options.listener.receiveBuffer = rcvbuf.map { Int32($0.bytes) }
        options.listener.unixSocketMode = socketMode.bits
        let diagnostics = Diagnostics(strict: common.strict, verbose: common.verbose)
        let status = ListenFrontend.run(options, diagnostics: diagnostics)
        if status != .ok { throw ExitCode(status.rawValue) }
    }
}
