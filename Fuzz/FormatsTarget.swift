// libFuzzer target for every parser and serializer in MetricFormats, built by scripts/fuzz.sh.
//
// Input: one selector byte, then the text. The byte modulo 7 picks the parser (MetricFormat.allCases
// order: influx, json, wavefront, statsd, graphite, prometheus, csv); the byte divided by 7 picks
// option variants (bits below). METRICAT_FUZZ_FORMAT=<name> fixes the parser and keeps the variants.
// Every parsed metric is written in all seven formats. Parse and serialize errors are diagnostics,
// not findings: only a trap, a failed precondition or a sanitizer report is.
#if canImport(Glibc)
    import Glibc
#endif

/// The parser METRICAT_FUZZ_FORMAT fixes, read once.
let fixedFormat: MetricFormat? = {
    guard let raw = getenv("METRICAT_FUZZ_FORMAT") else { return nil }
    let name = String(cString: raw)
    guard let format = MetricFormat(rawValue: name) else {
        let message = "METRICAT_FUZZ_FORMAT: unknown format '\(name)' (expected one of \(MetricFormat.allCases.map(\.rawValue).joined(separator: ", ")))\n"
        _ = message.withCString { write(2, $0, strlen($0)) }
        exit(2)
    }
    return format
}()

/// Options for one run: bit 0 of `variant` turns on the less common spellings, bit 1 templates and
/// sorting, bit 2 a 64-byte line limit and CSV without a header row.
func options(variant: Int) -> FormatOptions {
    var o = FormatOptions()
    if variant & 1 != 0 {
        o.influx.uintSupport = true
        o.prometheus.metricVersion = 1
        o.csv.trimSpace = true
        o.graphite.tagSupport = true
        o.json.tagKeys = ["host", "tag"]
        o.json.nameKey = "name"
        o.statsd.datadogTimestamps = true
        o.defaultTags = [Tag("dc", "x")]
    }
    if variant & 2 != 0 {
        o.templates = ["host.measurement.field*", "*.app env.measurement.field"]
        o.prometheus.sortMetrics = true
        o.prometheus.exportTimestamp = true
        o.influx.sortFields = true
        o.prefix = "p."
    }
    if variant & 4 != 0 {
        o.maxLineBytes = 64
        o.csv.headerRowCount = 0
        o.csv.columnNames = ["host", "value", "time"]
        o.csv.tagColumns = ["host"]
    }
    return o
}

/// Writes each metric in every format as it arrives, so the serializers see every parser's output.
final class EveryFormatWriter: MetricHandler {
    var serializers: [any MetricSerializer]
    var out: [UInt8] = []
    let context = SerializerContext(now: 1_700_000_000_000_000_000)
    var metrics = 0

    init(_ options: FormatOptions) {
        serializers = MetricFormat.allCases.map { format in
            if let s = try? format.makeSerializer(options) { return s }
            // An option this format refuses: the defaults still exercise it.
            return try! format.makeSerializer(FormatOptions())
        }
    }

    func handle(_ metric: Metric) {
        metrics += 1
        for i in serializers.indices {
            serializers[i].serialize(metric, into: &out, context: context)
        }
        // Bound memory on long inputs; the bytes themselves are not checked.
        if out.count > 1 << 20 { out.removeAll(keepingCapacity: true) }
    }

    func report(_ diagnostic: Diagnostic) {}

    func finish() {
        for i in serializers.indices {
            serializers[i].finish(into: &out, context: context)
        }
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFormats(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let selector = Int(data[0])
    let all = MetricFormat.allCases
    let format = fixedFormat ?? all[selector % all.count]
    let opts = options(variant: selector / all.count)
    let parser: any MetricParser
    if let p = try? format.makeParser(opts) {
        parser = p
    } else {
        parser = try! format.makeParser(FormatOptions())
    }
    var running = parser
    let writer = EveryFormatWriter(opts)
    running.parse(text: UnsafeBufferPointer(start: data + 1, count: size - 1), into: writer, maxLineBytes: opts.maxLineBytes)
    writer.finish()
    if format == .statsd { aggregateBothLanes(UnsafeBufferPointer(start: data + 1, count: size - 1), opts) }
    return 0
}

/// `listen --aggregate`'s two lanes over the same lines (the full parser, and the line cache after a
/// shape was seen) must flush the same aggregates; the Prometheus view renders them.
func aggregateBothLanes(_ text: UnsafeBufferPointer<UInt8>, _ opts: FormatOptions) {
    var aggOptions = StatsDAggregator.Options(percentiles: [50, 99.9], percentileLimit: 5)
    aggOptions.maxSeries = 50
    aggOptions.maxSetMembers = 5
    aggOptions.counterRates = true
    var full = StatsDAggregator(options: aggOptions)
    var cached = StatsDAggregator(options: aggOptions)
    full.datadogLines = opts.statsd.datadogExtensions
    cached.datadogLines = opts.statsd.datadogExtensions
    var fullReader = StatsDLineParser(options: opts.statsd)
    var cachedReader = StatsDLineParser(options: opts.statsd)
    var start = 0
    var number = 0
    while start < text.count {
        var end = start
        while end < text.count, text[end] != 0x0A { end += 1 }
        let line = UnsafeBufferPointer(rebasing: text[start..<end])
        number += 1
        fullReader.parse(line, number: number) { if case .sample(let s, _) = $0 { full.add(s) } }
        if !cached.addKnownLine(line) {
            var samples = 0
            var findings = 0
            var added = true
            cachedReader.parse(line, number: number) { event in
                switch event {
                case .sample(let s, _):
                    samples += 1
                    added = cached.add(s) && added
                case .diagnostic: findings += 1
                }
            }
            if samples == 1 && findings == 0 && added { cached.rememberLine(line) }
        }
        start = end + 1
    }
    let a = full.flush(timestamp: 1, interval: 10)
    let b = cached.flush(timestamp: 1, interval: 10)
    // Compared as text, so a NaN (a huge gauge moved by a huge delta) equals itself.
    precondition("\(a)" == "\(b)" && full.refusedSamples == cached.refusedSamples, "the line cache changed the aggregates")
    var view = StatsDExposition(maxSeries: 20)
    view.update(a)
    _ = view.render()
}
