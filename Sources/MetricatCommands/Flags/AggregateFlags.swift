import ArgumentParser
import MetricFormats
import MetricTransport
import MetricatKit

/// `listen --aggregate` flags: Telegraf's `inputs.statsd` option names in kebab case, plus
/// forwarding and the Prometheus endpoint.
struct AggregateFlags: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Be a StatsD server: aggregate StatsD/DogStatsD lines and flush every INTERVAL (10s, 1m) to stdout, --forward and --serve-metrics. Its other options (--max-series, --delete-*, ...) are in --help-hidden and the man page.",
            valueName: "interval"))
    var aggregate: DurationValue?

    @Option(help: ArgumentHelp("Timing and histogram percentiles, comma-separated or repeated (Telegraf's percentiles; e.g. 50,90,99). Default: none.", valueName: "p"))
    var percentiles: [Percentiles] = []

    @Option(
        help: ArgumentHelp(
            "Values kept per timing per interval for median and percentiles; the latest are kept (Telegraf's percentile_limit).", valueName: "n",
            visibility: ShownInReference.visibility))
    var percentileLimit: Int = 1000

    @Flag(
        inversion: .prefixedNo,
        help: ArgumentHelp(
            "Forget counters after each flush (Telegraf's delete_counters, default on). With --no-delete-counters a counter keeps its total and is written at every flush.",
            visibility: ShownInReference.visibility))
    var deleteCounters = true

    @Flag(
        inversion: .prefixedNo,
        help: ArgumentHelp(
            "Forget gauges after each flush (Telegraf's delete_gauges, default on). With --no-delete-gauges a gauge keeps its value, later deltas move it, and it is written at every flush.",
            visibility: ShownInReference.visibility))
    var deleteGauges = true

    @Flag(inversion: .prefixedNo, help: ArgumentHelp("Forget sets after each flush (Telegraf's delete_sets, default on).", visibility: ShownInReference.visibility))
    var deleteSets = true

    @Flag(
        inversion: .prefixedNo,
        help: ArgumentHelp("Forget timings and histograms after each flush (Telegraf's delete_timings, default on).", visibility: ShownInReference.visibility))
    var deleteTimings = true

    @Flag(
        inversion: .prefixedNo,
        help: ArgumentHelp(
            "Flush on multiples of the interval (10:00:00, 10:00:10, ...), as Telegraf's round_interval (default on); off: every interval from the start.",
            visibility: ShownInReference.visibility))
    var roundInterval = true

    @Flag(
        inversion: .prefixedNo,
        help: ArgumentHelp(
            "Add a per-second 'rate' field to counters (etsy statsd's counter rates; default on). --no-counter-rates writes Telegraf's counter, 'value' alone.",
            visibility: ShownInReference.visibility))
    var counterRates = true

    @Option(
        help: ArgumentHelp(
            "Forget a series kept by --no-delete-* that got no sample for this long (Telegraf's max_ttl, e.g. 10h). Default: kept until exit.", valueName: "duration",
            visibility: ShownInReference.visibility))
    var maxTtl: DurationValue?

    @Option(
        help: ArgumentHelp(
            "Most series held between flushes (distribution samples count too). A sample that would start one more is refused, counted ('refused' in --json) and reported at the flush. Memory is about 200 bytes per series plus 8 bytes per kept timing value.",
            valueName: "n", visibility: ShownInReference.visibility))
    var maxSeries: Int = 100_000

    @Option(
        help: ArgumentHelp(
            "Most distinct members one set holds per interval; further new members are refused and counted like --max-series.", valueName: "n",
            visibility: ShownInReference.visibility))
    var maxSetMembers: Int = 10_000

    @Option(
        help: ArgumentHelp(
            "Also send every flush to this target (any address 'send' takes) with send's reconnect and resend, from a thread of its own (see --forward-queue). Repeatable.",
            valueName: "address"))
    var forward: [SendAddress] = []

    @Option(
        help: ArgumentHelp(
            "The format written to --forward targets (default influx; graphite or statsd for a next StatsD/Graphite hop).", valueName: "format",
            visibility: ShownInReference.visibility))
    var forwardFormat: MetricFormat?

    @Option(
        help: ArgumentHelp(
            "Most bytes of flushes waiting for one --forward target, 1 KiB to 1 GiB (a target that stops reading does not stop the receiving); when a new flush does not fit, the oldest waiting ones are dropped unsent, reported and counted as failed (the newest is always kept). At the end the targets get send's 5 s write timeout in all.",
            valueName: "bytes", visibility: ShownInReference.visibility))
    var forwardQueue = ByteSize<QueueBytes>(bytes: 16 << 20)

    @Option(
        help: ArgumentHelp(
            "Serve the aggregates as Prometheus text on GET http://ADDR/metrics (statsd_exporter's role): HOST:PORT, or a bare PORT on 127.0.0.1. Updated at each flush; at most 16 connections, 8 KiB requests, 5 s per request.",
            valueName: "addr"))
    var serveMetrics: MetricsAddress?

    var isGiven: Bool { aggregate != nil }

    /// The flags given without --aggregate, for the refusal.
    var givenWithoutAggregate: [String] {
        var out: [String] = []
        if !percentiles.isEmpty { out.append("--percentiles") }
        if !forward.isEmpty { out.append("--forward") }
        if serveMetrics != nil { out.append("--serve-metrics") }
        if forwardFormat != nil { out.append("--forward-format") }
        if forwardQueue.bytes != 16 << 20 { out.append("--forward-queue") }
        if maxTtl != nil { out.append("--max-ttl") }
        return out
    }

    func options(endpoints: [Endpoint]) throws -> AggregateOptions {
        let interval = aggregate?.nanoseconds ?? 10_000_000_000
        guard interval >= 1_000_000 else {
            throw ValidationError(ArgumentProblem(problem: "is shorter than 1ms", examples: ["10s"]).message(flag: "--aggregate", text: aggregate?.text ?? ""))
        }
        var o = AggregateOptions(endpoints: endpoints, interval: interval)
        o.aggregator = StatsDAggregator.Options(percentiles: percentiles.flatMap(\.values), percentileLimit: percentileLimit)
        guard percentileLimit >= 1 else { throw ValidationError("--percentile-limit: must be at least 1 (example: --percentile-limit 1000)") }
        guard maxSeries >= 1 else { throw ValidationError("--max-series: must be at least 1 (example: --max-series 100000)") }
        guard maxSetMembers >= 1 else { throw ValidationError("--max-set-members: must be at least 1 (example: --max-set-members 10000)") }
        o.aggregator.deleteCounters = deleteCounters
        o.aggregator.deleteGauges = deleteGauges
        o.aggregator.deleteSets = deleteSets
        o.aggregator.deleteTimings = deleteTimings
        o.aggregator.maxSeries = maxSeries
        o.aggregator.maxSetMembers = maxSetMembers
        o.aggregator.counterRates = counterRates
        o.aggregator.maxTTL = maxTtl?.nanoseconds
        o.roundInterval = roundInterval
        if forward.isEmpty && forwardQueue.bytes != 16 << 20 {
            throw ValidationError("--forward-queue needs a --forward ADDRESS (example: --forward tcp://127.0.0.1:8094)")
        }
        o.forward = forward.map(\.endpoint)
        if let forwardFormat { o.forwardFormat = forwardFormat }
        o.forwardQueueBytes = forwardQueue.bytes
        o.serveMetrics = serveMetrics?.endpoint
        return o
    }
}
