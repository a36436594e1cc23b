import ArgumentParser
import MetricFormats
import MetricTransport
import MetricatKit

/// `metricat listen`: maps flags to ``ListenOptions`` and runs ``ListenFrontend``.
struct Listen: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Bind sockets and print what arrives, raw or decoded; a CI smoke check with --expect.",
        discussion: """
            Binds every ADDRESS (default udp://127.0.0.1:8094) in one event loop and prints each line as \
            it arrives, exactly as received. A bare port (8125) is UDP on loopback; udp://:8125 binds \
            every interface. With --from the lines are decoded and re-rendered with --to; a line that \
            does not parse is reported with its sender. --raw hex-dumps datagrams and stream reads, to \
            see missing newlines.

            As a CI smoke check: --count N exits 0 after N lines (metrics when decoding), --expect \
            REGEX or --expect-metric 'name,tag=v field>0' exit 0 as soon as a match arrives, and \
            --timeout D exits 1 when it expires first. SIGINT and SIGTERM stop it cleanly and \
            remove its Unix socket files.

            Example:
              metricat listen udp://127.0.0.1:8125 --expect 'deploys:1\\|c' --timeout 5s &
              metricat send udp://127.0.0.1:8125 'deploys:1|c'; wait
            """
    )

    @Argument(help: ArgumentHelp("Addresses to bind: udp://HOST:PORT, tcp://, unix:///PATH, unixgram:///PATH.", valueName: "address"))
    var addresses: [String] = []

    @Option(help: ArgumentHelp("Decode lines as this format (or auto) instead of printing them raw.", valueName: "format"))
    var from: InputFormat?

    @Option(help: ArgumentHelp("Re-render decoded metrics in this format (default: influx).", valueName: "format"))
    var to: MetricFormat?

    @Flag(help: "Prefix every line with its receive time and sender.")
    var showSource = false

    @Flag(help: "Hex-dump every datagram and stream read as it arrives.")
    var raw = false

    @Flag(name: .shortAndLong, help: "Print no received lines (for --json, --count and --expect checks).")
    var quiet = false

    @Option(help: ArgumentHelp("Exit 0 after this many lines (metrics when decoding).", valueName: "n"))
    var count: Int?

    @Option(help: ArgumentHelp("Exit after this long; 1 when --count or --expect were not met.", valueName: "duration"))
    var timeout: String?

    @Option(help: ArgumentHelp("Exit 0 when a line matches this regular expression.", valueName: "regex"))
    var expect: String?

    @Option(help: ArgumentHelp("Exit 0 when a metric matches: 'name[,tag=v...] [field>0 ...]' (ops > < >= <= == !=).", valueName: "spec"))
    var expectMetric: String?

    @Flag(help: "Print a JSON summary on stderr at exit.")
    var json = false

    @Flag(help: "A live line on stderr (lines/s, bytes/s, parse errors, kernel drops) when it is a terminal.")
    var stats = false

    @Option(help: ArgumentHelp("Receive buffer to ask for (Telegraf's read_buffer_size); warns when the kernel grants less.", valueName: "bytes"))
    var rcvbuf: Int32?

    @Option(help: ArgumentHelp("Open stream connections at most; more are refused and reported.", valueName: "n"))
    var maxConnections: Int = 1024

    @Option(help: ArgumentHelp("Permissions of Unix socket files (octal).", valueName: "mode"))
    var socketMode: String = "0660"

    @Option(help: ArgumentHelp("Append every received line with its receive time and sender to FILE.", valueName: "file"))
    var record: String?

    @Flag(help: "Count lost, duplicated and reordered lines from the sequence numbers 'metricat load' sends (in the --json summary; a 'load --sink-report' run restarts the counts and gets its own summary when it ends).")
    var sequence = false

    @Option(help: ArgumentHelp("The key that carries the sequence number, for --sequence.", valueName: "key"))
    var seqKey: String = "seq"

    @OptionGroup var common: CommonFlags
    @OptionGroup var formats: FormatFlags

    func run() throws {
        var endpoints: [Endpoint] = []
        for a in addresses.isEmpty ? ["udp://127.0.0.1:8094"] : addresses {
            do {
                endpoints.append(try Endpoint(parsing: a, role: .listen))
            } catch {
                throw ValidationError(error.description)
            }
        }
        var options = ListenOptions(endpoints: endpoints)
        if let from {
            options.from = from.format
            options.detect = from.format == nil
        }
        if let to { options.to = to }
        options.formatOptions = try formats.options(common: common)
        options.showSource = showSource
        options.raw = raw
        options.quiet = quiet
        options.count = count
        options.timeout = try timeout.map { try parseDuration($0, flag: "--timeout") }
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
        options.listener.maxLineBytes = common.maxLine == 1 << 20 ? 64 * 1024 : common.maxLine
        options.listener.maxConnections = maxConnections
        options.listener.receiveBuffer = rcvbuf
        guard let mode = UInt32(socketMode, radix: 8), mode <= 0o777 else {
            throw ValidationError("--socket-mode: '\(socketMode)' is not an octal mode (example: --socket-mode 0660)")
        }
        options.listener.unixSocketMode = mode
        let diagnostics = Diagnostics(strict: common.strict, verbose: common.verbose)
        let status = ListenFrontend.run(options, diagnostics: diagnostics)
        if status != .ok { throw ExitCode(status.rawValue) }
    }
}
