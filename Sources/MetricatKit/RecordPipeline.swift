import MetricFormats

/// The one way from input bytes to written records that `convert`, `send` and `listen` share: the
/// output serializer, the parser for each input format, the direct path, and the
/// ``SerializingHandler`` that puts every finding at its input position. Each input (a file, a stream
/// connection, the datagrams of one format) reads through a ``RecordStream`` made here.
public final class RecordPipeline {
    public struct Options: Sendable {
        /// nil: each stream detects its format from its first bytes.
        public var from: MetricFormat?
        /// nil: the same format as the first input's (a pass-through that still validates every line).
        public var to: MetricFormat?
        public var format = FormatOptions()
        /// Write nothing (metrics are still counted and checked).
        public var quiet = false
        /// Let an input format's ``DirectPath`` (line protocol to JSON or to line protocol, JSON to
        /// JSON) take the lines it can copy (the output is the same either way; tests compare the two). Off when every metric must
        /// be seen as a ``Metric`` (listen's `--expect-metric`, `--show-source`).
        public var directPaths = true
        /// Say which format detection chose even without `-v`.
        public var announceDetection = false

        public init(from: MetricFormat?, to: MetricFormat?) {
            self.from = from
            self.to = to
        }
    }

    public let options: Options
    public let diagnostics: Diagnostics
    /// Writes every metric in the output format and reports findings with their input position.
    public let output: SerializingHandler
    /// Where parsers hand their metrics: ``output`` unless a command puts a handler in front of it
    /// (which then hands each metric on to ``output``).
    public var front: MetricHandler
    /// Called with every framed line's number before it is parsed (`send` ties HTTP rejections to it).
    public var onLine: ((Int) -> Void)?
    /// The direct path, once the input format has one to the output format.
    private(set) var direct: (any DirectPath)?
    /// The input format the serializer was set up for (the first one decided).
    private var configured: MetricFormat?
    /// Parser options per input format (Prometheus to Prometheus shares a pass-through with the serializer).
    private var parserOptions: [MetricFormat: FormatOptions] = [:]

    /// Sets up the serializer for `options.to`, and for `options.from` when it is given.
    /// - Throws: a usage error when an option does not fit the formats (exit status 2).
    public init(_ options: Options, diagnostics: Diagnostics, sink: ByteSink, now: Int64) throws(UsageError) {
        self.options = options
        self.diagnostics = diagnostics
        output = SerializingHandler(serializer: nil, sink: sink, diagnostics: diagnostics, now: now)
        front = output
        if let to = options.to, !options.quiet {
            do {
                output.serializer = try to.makeSerializer(options.format)
            } catch {
                throw UsageError(message: error.description)
            }
        }
        if let from = options.from {
            _ = try makeParser(from)
        }
    }

    /// A new stream reading `format`, or detecting it from its first bytes when nil (the pipeline's
    /// `--from` when not given).
    public func stream(named name: String, format: MetricFormat? = nil) -> RecordStream {
        RecordStream(pipeline: self, name: name, format: format ?? options.from)
    }

    /// The time metrics without a timestamp get from here on (a listener sets the arrival time).
    public func setNow(_ nanoseconds: Int64) {
        output.now = nanoseconds
        direct?.now = nanoseconds
    }

    /// End of all input: the serializer writes what it holds; says how many lines went direct.
    public func finish() {
        output.finish()
        if let direct, direct.directLines > 0 {
            diagnostics.note("\(direct.directLines) of \(output.metricsIn) metrics went straight from \(direct.route) text")
        }
    }

    /// A parser for `format`; the first format decided also sets up the serializer (following the
    /// input when `--to` is not given) and the direct path.
    func makeParser(_ format: MetricFormat) throws(UsageError) -> any MetricParser {
        do {
            if configured == nil {
                configured = format
                try configure(for: format)
            }
            return try format.makeParser(parserOptions[format] ?? options.format)
        } catch let error as UsageError {
            throw error
        } catch {
            throw UsageError(message: "\(error)")
        }
    }

    private func configure(for format: MetricFormat) throws {
        let to = options.to ?? format
        if !options.quiet {
            if output.serializer == nil { output.serializer = try format.makeSerializer(options.format) }
            let graphite = options.format.graphite
            if format == .graphite, to == .graphite, options.format.templates.isEmpty, graphite.template == nil, graphite.tagSupport == nil {
                // Graphite to graphite without a template: `a;env=prod 1` stays tagged instead of
                // becoming the path `prod.a`.
                var writing = options.format
                writing.graphite.tagSupport = true
                output.serializer = try MetricFormat.graphite.makeSerializer(writing)
            } else if format == .graphite, to == .graphite, !options.format.templates.isEmpty {
                // One --templates list cannot configure both sides: it reads the input; --template writes.
                var writing = options.format
                writing.templates = []
                output.serializer = try MetricFormat.graphite.makeSerializer(writing)
                diagnostics.note("--templates applies to the graphite input; the output uses --template")
            }
            if format == .prometheus, to == .prometheus {
                // Prometheus to Prometheus keeps the input's HELP texts and bucket bound spellings.
                var both = options.format
                both.prometheus.passThrough = PrometheusPassThrough()
                output.serializer = try MetricFormat.prometheus.makeSerializer(both)
                parserOptions[.prometheus] = both
            }
        }
        output.precisionFlag = format.descriptor.precisionWarningFlag(options.format)
        output.inputFormat = format
        if options.directPaths, !options.quiet {
            direct = format.descriptor.makeDirect?(options.format, to, output.now)
        }
    }

    /// The format of `bytes` (the start of an input at line `line`), or nil after reporting why it
    /// cannot be told.
    func detect(_ bytes: [UInt8], name: String, line: Int = 1) -> MetricFormat? {
        switch FormatDetector.detect(bytes) {
        case .format(let f, let reason):
            if options.announceDetection || diagnostics.verbose {
                StandardStreams.writeError("metricat: \(name): reading \(f.rawValue) (\(reason)); set --from to choose\n")
            }
            return f
        case .ambiguous(let candidates, let reason):
            let names = candidates.map(\.rawValue).joined(separator: ", ")
            diagnostics.report(.error(line: line + reason.line - 1, column: 1, "cannot tell the input format: it could be \(names); set --from"), source: name)
            return nil
        case .unknown(let reason):
            diagnostics.report(.error(line: line + reason.line - 1, column: 1, "cannot tell the input format: \(reason.message); set --from"), source: name)
            return nil
        }
    }
}
