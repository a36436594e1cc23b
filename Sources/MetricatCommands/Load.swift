import ArgumentParser
import MetricFormats
import MetricLoad
import MetricTransport
import MetricatKit

/// `metricat load`: maps flags to ``LoadOptions`` and runs ``LoadFrontend``.
struct Load: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Flood a socket at a controlled rate and measure honestly what gets dropped.",
        discussion: """
            With no TARGET, an embedded sink on loopback (its own thread, --transport udp by default) \
            receives everything and the run reports what this machine drops. With a TARGET (a collector \
            such as Telegraf, statsd or InfluxDB's UDP listener) it reports what the kernel dropped on \
            the target's socket when it is on this host, or reads the receiver's own counts back from \
            'metricat listen --sequence --json' with --sink-report, from a file or an http:// URL \
            (plain HTTP/1.1 GET, retried until --sink-wait; no https).

            Every line carries a sequence number (--seq-key, a field for influx, a tag elsewhere), so \
            lost, duplicated and reordered lines are counted exactly. Loss is shown three ways side by \
            side: sequence accounting at the receiver, the kernel's receive-buffer drops \
            (/proc/net/udp, /proc/net/snmp), and sender errors by errno (EAGAIN, ENOBUFS, ECONNREFUSED).

            Pacing follows an absolute schedule (rate x elapsed) with sendmmsg batches of up to 32 \
            datagrams; --rate max sends as fast as the kernel takes it (over UDP to this host with \
            GSO: up to 64 datagrams cut by the kernel from one send, each arriving on its own; \
            --no-gso sends one datagram per message). --ramp 10k..1M steps the \
            rate up (--step x2 or +50k) and reports the knee: the highest rate with loss under \
            --max-loss (default 0.1% for a ramp).

            With --sink-report, every run carries a run id (in --json as run): a line \
            '#metricat-load begin RUN' before the first line and '#metricat-load end RUN sK/N' after \
            each sender's last. 'listen --sequence' restarts its counts at a new run's begin line and \
            writes that run's summary as soon as every end line arrived, while it keeps listening; \
            load takes only the summary of its own run and refuses one of another run or one without \
            a run id.

            SIGINT or SIGTERM stops the run early: the report (and --json) covers the time that ran \
            and says interrupted (a ramp stops after the step it cut, which does not count for the \
            knee); the exit status is then 130 or 143. A second signal ends load at once.

            Exit status: 0, 1 when --max-loss was exceeded (or a ramp found no knee), 69 when the \
            target is unreachable, 74 when --sink-report brought no summary of this run within \
            --sink-wait, 130 after SIGINT, 143 after SIGTERM; with --merge 65 for a report that \
            cannot be merged, 74 for one that cannot be read.

            Examples:
              metricat load
              metricat load --rate max --size 64 --batch max
              metricat load udp://127.0.0.1:8094 --rate 50k --duration 10s --max-loss 0.1%
              metricat load udp://127.0.0.1:8125 --format statsd --ramp 10k..800k --plot knee.svg
              metricat load udp://db1:8094 --sink-report http://db1:8000/sink.json
              metricat load --merge gen1.json gen2.json --json --max-loss 0.1%

            The format options of the payload (every Telegraf serializer option, by format) are \
            listed by --help-hidden and in the man page.
            """
    )

    @Argument(help: ArgumentHelp("Where to send: udp://HOST:PORT, tcp://, unix:///PATH, unixgram:///PATH; none starts an embedded sink.", valueName: "target"))
    var target: LoadAddress?

    @Option(help: ArgumentHelp("The embedded sink's transport.", valueName: "transport"))
    var transport: SinkTransport = .udp

    @Option(help: ArgumentHelp("Format of the lines: influx, json, wavefront, statsd, graphite.", valueName: "format"))
    var format: MetricFormat = .influx

    @Option(parsing: .unconditional, help: ArgumentHelp("Lines per second (5000, 10k, 2M) or max.", valueName: "rate"))
    var rate = LoadPace.rate(LineRate(perSecond: 100_000, text: "100k"))

    @Option(parsing: .unconditional, help: ArgumentHelp("How long to send (e.g. 3s, 1m).", valueName: "duration"))
    var duration = DurationValue(nanoseconds: 3_000_000_000, text: "3s")

    @Option(help: ArgumentHelp("Send this many lines instead of running for --duration.", valueName: "n"))
    var count: LineCount?

    @Option(help: ArgumentHelp("Pad every line to this many bytes (newline included) with a pad tag.", valueName: "bytes"))
    var size: ByteSize<DatagramBytes>?

    @Option(help: ArgumentHelp("Distinct series: a series tag with this many values.", valueName: "n"))
    var series: Int = 1

    @Option(help: ArgumentHelp("Lines per datagram, or max to pack up to --max-datagram.", valueName: "n|max"))
    var batch = BatchSize.lines(1)

    @Option(help: ArgumentHelp("Largest datagram in bytes.", valueName: "bytes"))
    var maxDatagram = ByteSize<DatagramBytes>(bytes: 1432)

    @Option(help: ArgumentHelp("Measurement name of the generated metrics (default cpu).", valueName: "name"))
    var name: String?

    @Option(help: ArgumentHelp("A field, repeatable: key=VALUE or key=GENERATOR (default usage_user=12.5, usage_system=3.25).", valueName: "key=value"))
    var field: [String] = []

    @Option(help: ArgumentHelp("A tag, repeatable (default host=loadgen).", valueName: "key=value"))
    var tag: [String] = []

    @Option(help: ArgumentHelp("Key that carries the sequence number.", valueName: "key"))
    var seqKey: String = "seq"

    @Option(help: ArgumentHelp("Carry the sequence number as a field or a tag (default: field for influx, tag otherwise).", valueName: "field|tag"))
    var seqAs: SequencePlace?

    @Flag(help: "Send no sequence numbers (loss then comes from counts alone).")
    var noSeq = false

    @Option(help: ArgumentHelp("Sending threads, each with its own socket and sequence numbers, for more than one core (1-9).", valueName: "n"))
    var senders: Int?

    @Option(
        help: ArgumentHelp(
            "Number this load's senders from K (0-9) for 'listen --sequence', which tells 10 senders apart: give each host its own (e.g. a Kubernetes Indexed Job's JOB_COMPLETION_INDEX).",
            valueName: "k"))
    var firstSender: Int = 0

    @Option(help: ArgumentHelp("Stream connections, one sending thread each (the same as --senders for tcp:// and unix://).", valueName: "n"))
    var connections: Int?

    @Option(help: ArgumentHelp("Receive buffer the embedded sink asks for (bytes; SO_RCVBUFFORCE when permitted).", valueName: "bytes"))
    var rcvbuf = ByteSize<BufferBytes>(bytes: 8 << 20)

    @Flag(help: "Non-blocking sends: a full Unix datagram queue counts as EAGAIN sender drops instead of blocking.")
    var nonBlocking = false

    @Flag(help: "Send one datagram per send message even with --rate max to this host (no UDP GSO).")
    var noGso = false

    @Option(parsing: .unconditional, help: ArgumentHelp("Receiver idle time to wait for before counting.", valueName: "duration"))
    var drain = DurationValue(nanoseconds: 500_000_000, text: "500ms")

    @Option(help: ArgumentHelp("Exit 1 when loss exceeds this (0.1% or 0.001); the knee threshold of a ramp.", valueName: "fraction"))
    var maxLoss: Fraction?

    @Option(help: ArgumentHelp("Step the rate up: FROM..TO (e.g. 10k..2M).", valueName: "from..to"))
    var ramp: RampRange?

    @Option(help: ArgumentHelp("Ramp step: xFACTOR or +RATE.", valueName: "step"))
    var step = RampStep(step: .times(2), text: "x2")

    @Option(parsing: .unconditional, help: ArgumentHelp("Length of each ramp step.", valueName: "duration"))
    var stepDuration = DurationValue(nanoseconds: 3_000_000_000, text: "3s")

    @Option(help: ArgumentHelp("Write an SVG of offered vs. received rate and loss over the ramp.", valueName: "file.svg"))
    var plot: String?

    @Option(
        help: ArgumentHelp(
            "Read the receiver's counts from the 'metricat listen --sequence --json' summary of this run in FILE, or GET it from an http://HOST:PORT/PATH URL (each try at most 5 s and a 16 MiB body); a summary of another run is refused.",
            valueName: "file|url"))
    var sinkReport: SinkReportArgument?

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp("How long to wait for --sink-report to hold the summary of this run (the file or URL is read again until then).", valueName: "duration"))
    var sinkWait = DurationValue(nanoseconds: 10_000_000_000, text: "10s")

    @Flag(help: "Print every figure as JSON on stdout at the end.")
    var json = false

    @Option(
        parsing: .upToNextOption,
        help: ArgumentHelp(
            "Send nothing: sum the --json reports of single runs (one per sending host) into one; counts add up, the duration is the longest, rates are recomputed over it. Reports of another format or transport, or of a ramp, are refused (exit 65).",
            valueName: "report.json"))
    var merge: [String] = []

    @OptionGroup var common: CommonFlags
    @OptionGroup var formats: FormatFlags

    func validate() throws {
        if series < 1 || series > 100_000_000 { throw ValidationError("--series: must be between 1 and 100000000") }
        for (flag, v) in [("--senders", senders), ("--connections", connections)] {
            if let v, v < 1 || v > 9 { throw ValidationError("\(flag): must be between 1 and 9") }
        }
        let threads = senders ?? connections ?? 1
        if firstSender < 0 || firstSender > 9 || firstSender + threads > 10 {
            throw ValidationError(
                "--first-sender: '\(firstSender)' with \(threads) sender\(threads == 1 ? "" : "s") would number senders past 9; 'listen --sequence' tells senders 0-9 apart (example: --first-sender 3 --senders 2)"
            )
        }
        if senders != nil && connections != nil && senders != connections { throw ValidationError("--senders and --connections both set the number of sending threads; give one") }
        if plot != nil && ramp == nil { throw ValidationError("--plot draws a ramp; add --ramp FROM..TO") }
        if target != nil && transport != .udp { throw ValidationError("--transport chooses the embedded sink's socket; with a TARGET the URL's scheme does") }
        if sinkReport != nil && target == nil { throw ValidationError("--sink-report reads a remote receiver's counts; it needs a TARGET") }
        if !merge.isEmpty && (target != nil || ramp != nil || sinkReport != nil) {
            throw ValidationError("--merge sums reports and sends nothing; drop TARGET, --ramp and --sink-report (example: metricat load --merge a.json b.json --json)")
        }
    }

    func run() throws {
        if !merge.isEmpty { return try runMerge() }
        var options = LoadOptions()
        options.target = target?.endpoint
        options.transport = transport.rawValue
        options.format = format
        options.formatOptions = try formats.options(common: common)
        options.rate = rate.perSecond
        options.duration = duration.nanoseconds
        options.count = count?.lines
        options.size = size?.bytes
        options.series = series
        if case .lines(let b) = batch { options.batch = b } else { options.batch = nil }
        options.maxDatagram = maxDatagram.bytes
        if name != nil || !field.isEmpty || !tag.isEmpty {
            do {
                let fields = try field.map {
                    let (k, v) = try MetricTemplate.parseField($0)
                    return (key: k, value: v)
                }
                options.template = MetricTemplate(
                    name: name ?? "cpu", tags: tag.isEmpty && name == nil ? options.template.tags : try tag.map(MetricTemplate.parseTag),
                    fields: fields.isEmpty ? options.template.fields : fields)
            } catch {
                throw ValidationError("\(error)")
            }
        }
        options.seqKey = noSeq ? nil : seqKey
        options.seqAsTag = seqAs.map { $0 == .tag }
        options.senders = senders ?? connections ?? 1
        options.firstSender = firstSender
        options.sinkReceiveBuffer = Int32(rcvbuf.bytes)
        options.nonBlocking = nonBlocking
        options.gso = !noGso
        options.drain = drain.nanoseconds
        options.maxLoss = maxLoss?.value
        if let ramp {
            var r = ramp.ramp
            r.step = step.step
            r.stepDuration = stepDuration.nanoseconds
            options.ramp = r
        }
        options.plot = plot
        options.sinkReport = sinkReport?.source
        options.sinkReportWait = sinkWait.nanoseconds
        options.json = json
        options.progress = true
        let diagnostics = Diagnostics(strict: common.strict, verbose: common.verbose)
        let status = LoadFrontend.run(options, diagnostics: diagnostics)
        if status != 0 { throw ExitCode(status) }
    }

    /// `--merge`: sums reports instead of sending.
    func runMerge() throws {
        let diagnostics = Diagnostics(strict: common.strict, verbose: common.verbose)
        let status = LoadMerge.run(merge, json: json, maxLoss: maxLoss?.value, diagnostics: diagnostics)
        if status != .ok { throw ExitCode(status.rawValue) }
    }
}
