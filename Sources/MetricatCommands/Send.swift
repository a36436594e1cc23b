import ArgumentParser
import MetricFormats
import MetricTransport
import MetricatKit

/// `metricat send`: maps flags to ``SendOptions`` and runs ``SendFrontend``.
struct Send: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Emit metrics to a collector over UDP, TCP, Unix sockets or InfluxDB's HTTP API.",
        discussion: """
            Lines come from the arguments, else from stdin (streamed, so 'tail -f | metricat send' works). \
            They are parsed with --from and written in --format, so a malformed line never reaches the \
            collector: it is reported as FILE:LINE:COLUMN: reason and the rest goes on (exit 65). \
            Stream sockets get a newline after every line; datagrams pack whole lines up to \
            --max-datagram bytes and never split one. One connection serves the whole run; when the \
            peer goes away or stops reading for --write-timeout, it is re-established with backoff and \
            what the collector may not have got is resent from a line start, so delivery over TCP is \
            at-least-once across a reconnect (-v and --json say how many lines were resent). Lines \
            that could finally not be delivered are counted and make the exit status 69.

            Over HTTP (InfluxDB's write API) each line is counted as stored (InfluxDB confirmed \
            it), rejected (InfluxDB refused it as bad data: exit 65, reported at its line), \
            unconfirmed (sent whole, no answer: InfluxDB may have stored it; exit 69) or failed \
            (never sent whole; exit 69). Delivery over HTTP is at-least-once: a batch whose answer \
            is lost is sent again (up to --retry times), and InfluxDB may then store it twice.

            Generated metrics: --name speed --field value=10 --field 'jitter=random(1,10)' --tag host=web1 \
            [--every 2s] [--count N | --duration D]. Generators: random(a,b) (integers when both bounds \
            are), counter (grows by 1-10 each time), seq (0, 1, 2, ...), sine(period), choice(a,b,...). \
            Literals use line-protocol syntax: 10 (float), 10i, 10u, true, "text".

            Examples:
              metricat send udp://127.0.0.1:8125 --format statsd 'deploys:1|c'
              metricat send tcp://127.0.0.1:2003 --format graphite --name cpu --field 'load=random(0,4)' --every 1s --count 10
              metricat send 'http://127.0.0.1:8086/write?db=test' < metrics.lp

            The format options (every Telegraf parser and serializer option, by format) are listed by \
            --help-hidden and in the man page.

            Exit status: 0 every line was sent (and, over HTTP, stored), 2 usage, 65 some input was \
            rejected (by the parser, or by InfluxDB as bad data), 69 the target was unreachable or \
            lines could finally not be delivered or confirmed.
            """
    )

    @Argument(help: ArgumentHelp("Where to send: udp://HOST:PORT, tcp://, unix:///PATH, unixgram:///PATH, http://HOST:PORT/write?db=NAME, or - for stdout.", valueName: "target"))
    var target: SendAddress

    @Argument(help: ArgumentHelp("Lines to send; stdin when none (and no --name).", valueName: "line"))
    var lines: [String] = []

    @Option(help: ArgumentHelp("Format written to the target: \(MetricFormat.names) (default: the input's format; influx for generated metrics).", valueName: "format"))
    var format: MetricFormat?

    @Option(help: ArgumentHelp("Format of the given lines: auto or a format (default: --format when given, else auto).", valueName: "format"))
    var from: InputFormat?

    @Option(help: ArgumentHelp("Generate metrics with this measurement name instead of reading lines.", valueName: "name"))
    var name: String?

    @Option(help: ArgumentHelp("A generated field, repeatable: key=VALUE or key=GENERATOR.", valueName: "key=value"))
    var field: [String] = []

    @Option(help: ArgumentHelp("A tag on generated metrics, repeatable.", valueName: "key=value"))
    var tag: [String] = []

    @Option(parsing: .unconditional, help: ArgumentHelp("Send a generated metric every interval (e.g. 500ms, 2s, 1m).", valueName: "duration"))
    var every: DurationValue?

    @Option(help: ArgumentHelp("How many metrics to generate (default 1 without --every, endless with it).", valueName: "n"))
    var count: Int?

    @Option(parsing: .unconditional, help: ArgumentHelp("Stop generating after this long.", valueName: "duration"))
    var duration: DurationValue?

    @Option(
        help: ArgumentHelp(
            "'now' stamps generated influx and statsd metrics with the time of their tick; by default the collector assigns it. Formats that always write a time (graphite, json, wavefront, csv, prometheus) get each metric's own tick time either way.",
            valueName: "now"))
    var timestamp: String?

    @Option(help: ArgumentHelp("Play back a file written by 'listen --record', at the recorded pace.", valueName: "file"))
    var replay: String?

    @Option(help: ArgumentHelp("With --replay: send at this many lines per second instead of the recorded pace.", valueName: "lines/s"))
    var rate: LineRate?

    @Option(help: ArgumentHelp("Largest datagram in bytes; whole lines are packed up to it.", valueName: "bytes"))
    var maxDatagram = ByteSize<DatagramBytes>(bytes: 1432)

    @Option(help: ArgumentHelp("Reconnect attempts after a broken, reset or refused connection.", valueName: "n"))
    var retry: Int = 5

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "Give up on an outage (reconnecting, resending) after this long; its lines count as failed, and later lines fail at once for as long again before the next try.",
            valueName: "duration"))
    var retryTimeout = DurationValue(nanoseconds: 10_000_000_000, text: "10s")

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "TCP and Unix stream sockets: a write that makes no progress for this long (a collector that stopped reading) counts as a broken connection: reconnect, resend, retry under --retry-timeout. Also the longest wait at the end for the collector to acknowledge the last lines; what it did not is counted as failed (exit 69). Over HTTP: the longest a connect or the request's write may stall (the answer may take up to 30 s).",
            valueName: "duration"))
    var writeTimeout = DurationValue(nanoseconds: 5_000_000_000, text: "5s")

    @Flag(help: "Print a JSON summary on stderr at the end (lines, datagrams, bytes, reconnects, failures, resent lines, unconfirmed bytes).")
    var json = false

    @OptionGroup var common: CommonFlags
    @OptionGroup var formats: FormatFlags

    func validate() throws {
        if name == nil && (!field.isEmpty || !tag.isEmpty || every != nil || count != nil || duration != nil) {
            throw ValidationError("--field, --tag, --every, --count and --duration generate metrics and need --name (example: --name speed --field value=10)")
        }
        if name != nil && field.isEmpty { throw ValidationError("--name needs at least one --field (example: --field value=10)") }
        if name != nil && !lines.isEmpty { throw ValidationError("give lines or --name, not both") }
        if let timestamp, timestamp != "now" { throw ValidationError("--timestamp: only 'now' is accepted") }
        if let c = count, c < 1 { throw ValidationError("--count: must be at least 1") }
        if replay != nil && (name != nil || !lines.isEmpty) { throw ValidationError("--replay plays a recording: give no lines and no --name") }
        if rate != nil && replay == nil { throw ValidationError("--rate goes with --replay (example: --replay capture.rec --rate 1000)") }
    }

    func run() throws {
        let endpoint = target.endpoint
        var options = SendOptions(target: endpoint, format: format)
        options.formatOptions = try formats.options(common: common)
        options.precisionGiven = formats.influx.influxTimestampPrecision != nil
        if case .http(var t) = endpoint {
            do {
                options.formatOptions.influx.precision = try SendFrontend.reconcilePrecision(
                    &t, flag: options.precisionGiven ? options.formatOptions.influx.precision : nil)
            } catch {
                throw ValidationError(error.message)
            }
            options.target = .http(t)
        }
        options.from = from.map { $0.format } ?? format
        options.lines = lines
        options.timestampNow = timestamp == "now"
        options.json = json
        options.replay = replay
        options.replayRate = rate?.perSecond
        options.announceDetection = StandardStreams.isTerminal(2)
        options.sender.maxDatagram = maxDatagram.bytes
        options.sender.retries = retry
        options.sender.retryTimeout = retryTimeout.nanoseconds
        options.sender.writeTimeout = writeTimeout.nanoseconds
        if let name {
            do {
                options.template = MetricTemplate(
                    name: name, tags: try tag.map(MetricTemplate.parseTag),
                    fields: try field.map {
                        let (k, v) = try MetricTemplate.parseField($0)
                        return (k, v)
                    })
            } catch {
                throw ValidationError("\(error)")
            }
            options.every = every?.nanoseconds
            options.duration = duration?.nanoseconds
            options.count = count
        }
        let diagnostics = Diagnostics(strict: common.strict, verbose: common.verbose)
        let status = SendFrontend.run(options, diagnostics: diagnostics)
        if status != .ok { throw ExitCode(status.rawValue) }
    }
}
