import MetricFormats

/// What `metricat convert` does, as a value: formats, their options, inputs.
public struct ConvertOptions: Sendable {
    /// nil: detect from the first lines.
    public var from: MetricFormat?
    /// nil: the same format as the input (a pass-through that still validates every line).
    public var to: MetricFormat?
    public var format = FormatOptions()
    /// Paths; `-` or none is stdin.
    public var inputs: [String] = []
    /// In-memory inputs (command-line arguments) read instead of `inputs` when not empty.
    public var texts: [(name: String, bytes: [UInt8])] = []
    /// Say which format `auto` chose (on a terminal, or with `-v`).
    public var announceDetection = false
    /// Let line protocol to JSON or to line protocol take ``InfluxDirect`` for the lines it can copy
    /// (the output is the same either way; tests compare the two).
    public var directPaths = true

    public init(from: MetricFormat?, to: MetricFormat?) {
        self.from = from
        self.to = to
    }
}

/// Streams inputs through a parser and a serializer with flat memory; bad records are reported and
/// skipped, the rest goes on (or stops at the first with `--strict`).
public enum Converter {
    /// Runs the conversion; returns the exit status that the diagnostics decided.
    /// - Parameter afterChunk: called after every chunk read (a sender flushes its batch there, so
    ///   a slow stream such as `tail -f` goes out as it comes).
    public static func run(
        _ options: ConvertOptions, diagnostics: Diagnostics, output: ByteSink, now: Int64 = Clock.nowNanoseconds(),
        afterChunk: () -> Void = {}, onLine: (Int) -> Void = { _ in }
    ) -> ExitStatus {
        let handler = SerializingHandler(serializer: nil, sink: output, diagnostics: diagnostics, now: now)
        if let to = options.to {
            do {
                handler.serializer = try to.makeSerializer(options.format)
            } catch {
                diagnostics.ioError(error.description)
                return .usage
            }
        }
        var parser: (any MetricParser)?
        var direct: InfluxDirect?
        if let from = options.from {
            parser = makeParser(from, options, diagnostics, handler)
            if parser == nil { return .usage }
            direct = makeDirect(from, options, now)
        }
        let inputCount = options.texts.isEmpty ? max(options.inputs.count, 1) : options.texts.count
        inputLoop: for inputIndex in 0..<inputCount {
            let source: ByteSource
            if !options.texts.isEmpty {
                source = ByteSource(name: options.texts[inputIndex].name, bytes: options.texts[inputIndex].bytes)
            } else {
                do {
                    source = try ByteSource(path: options.inputs.isEmpty ? "-" : options.inputs[inputIndex])
                } catch {
                    diagnostics.ioError(error.description)
                    continue
                }
            }
            let path = source.name
            handler.source = path
            var framer = LineFramer(maxLineBytes: options.format.maxLineBytes)
            var sniffed: [UInt8] = []
            var refused = false
            do {
                try source.forEachChunk { chunk in
                    if parser == nil {
                        // Hold the start of the input until the format is known.
                        sniffed.append(contentsOf: chunk)
                        guard FormatDetector.hasEnough(sniffed) else { return true }
                        guard let chosen = detect(sniffed, path: path, options: options, diagnostics: diagnostics) else {
                            refused = true
                            return false
                        }
                        parser = makeParser(chosen, options, diagnostics, handler)
                        guard parser != nil else {
                            refused = true
                            return false
                        }
                        direct = makeDirect(chosen, options, now)
                        let held = sniffed
                        sniffed = []
                        held.withUnsafeBufferPointer { feed($0, &framer, &parser!, direct, handler, diagnostics, onLine) }
                    } else {
                        feed(chunk, &framer, &parser!, direct, handler, diagnostics, onLine)
                    }
                    output.flush()
                    afterChunk()
                    return !diagnostics.shouldStop
                }
            } catch {
                diagnostics.ioError(error.description)
            }
            if parser == nil && !refused {
                // A short input: decide on what there is.
                if sniffed.allSatisfy({ ASCII.isWhitespace($0) }) { continue }
                guard let chosen = detect(sniffed, path: path, options: options, diagnostics: diagnostics) else { break inputLoop }
                parser = makeParser(chosen, options, diagnostics, handler)
                guard parser != nil else { break inputLoop }
                direct = makeDirect(chosen, options, now)
                sniffed.withUnsafeBufferPointer { feed($0, &framer, &parser!, direct, handler, diagnostics, onLine) }
            }
            if parser == nil { break }
            if !diagnostics.shouldStop {
                framer.finish { event in
                    if case .line(_, let number) = event {
                        handler.currentLine = number
                        onLine(number)
                    }
                    parser!.handle(event, handler: handler)
                }
                parser!.finish(into: handler)
            }
            if diagnostics.shouldStop { break }
        }
        handler.finish()
        if let direct, direct.directLines > 0 {
            diagnostics.note("\(direct.directLines) of \(handler.metricsIn) metrics went straight from line protocol to \(options.to == .json ? "JSON" : "line protocol") text")
        }
        if let failure = output.failure {
            diagnostics.ioError("write to stdout failed: \(StandardStreams.describe(errno: failure))")
        }
        return diagnostics.exitStatus
    }

    private static func feed(
        _ chunk: UnsafeBufferPointer<UInt8>, _ framer: inout LineFramer, _ parser: inout any MetricParser,
        _ direct: InfluxDirect?, _ handler: SerializingHandler, _ diagnostics: Diagnostics, _ onLine: (Int) -> Void
    ) {
        framer.feed(chunk) { event in
            if diagnostics.shouldStop { return }
            if case .line(let bytes, let number) = event {
                handler.currentLine = number
                onLine(number)
                if let direct, parser.isBetweenRecords, direct.transcode(bytes, into: &handler.sink.buffer) {
                    handler.countDirect()
                    return
                }
            }
            parser.handle(event, handler: handler)
        }
    }

    /// The direct path for the pair of formats, when there is one and the options allow it.
    private static func makeDirect(_ from: MetricFormat, _ options: ConvertOptions, _ now: Int64) -> InfluxDirect? {
        guard options.directPaths, from == .influx else { return nil }
        switch options.to ?? from {
        case .json: return InfluxDirect(options: options.format, output: .json, now: now)
        case .influx: return InfluxDirect(options: options.format, output: .influx, now: now)
        default: return nil
        }
    }

    /// The parser for the input format; also the serializer when the output follows the input.
    private static func makeParser(
        _ format: MetricFormat, _ options: ConvertOptions, _ diagnostics: Diagnostics, _ handler: SerializingHandler
    ) -> (any MetricParser)? {
        do {
            if handler.serializer == nil { handler.serializer = try format.makeSerializer(options.format) }
            let graphite = options.format.graphite
            if format == .graphite, options.to ?? format == .graphite, options.format.templates.isEmpty, graphite.template == nil,
                graphite.tagSupport == nil
            {
                // Graphite to graphite without a template: `a;env=prod 1` stays tagged instead of
                // becoming the path `prod.a`.
                var writing = options.format
                writing.graphite.tagSupport = true
                handler.serializer = try MetricFormat.graphite.makeSerializer(writing)
            } else if format == .graphite, options.to == .graphite, !options.format.templates.isEmpty {
                // One --templates list cannot configure both sides: it reads the input; --template writes.
                var writing = options.format
                writing.templates = []
                handler.serializer = try MetricFormat.graphite.makeSerializer(writing)
                diagnostics.note("--templates applies to the graphite input; the output uses --template")
            }
            handler.precisionFlag = precisionFlag(for: format)
            if format == .prometheus, options.to ?? format == .prometheus {
                // Prometheus to Prometheus keeps the input's HELP texts and bucket bound spellings.
                var both = options.format
                both.prometheus.passThrough = PrometheusPassThrough()
                handler.serializer = try MetricFormat.prometheus.makeSerializer(both)
                return try format.makeParser(both)
            }
            return try format.makeParser(options.format)
        } catch {
            diagnostics.ioError(error.description)
            return nil
        }
    }

    private static func detect(_ bytes: [UInt8], path: String, options: ConvertOptions, diagnostics: Diagnostics) -> MetricFormat? {
        switch FormatDetector.detect(bytes) {
        case .format(let f, let reason):
            if options.announceDetection || diagnostics.verbose {
                StandardStreams.writeError("metricat: \(path): reading \(f.rawValue) (\(reason)); set --from to choose\n")
            }
            return f
        case .ambiguous(let candidates, let reason):
            let names = candidates.map(\.rawValue).joined(separator: ", ")
            diagnostics.report(.error(line: reason.line, column: 1, "cannot tell the input format: it could be \(names); set --from"), source: path)
            return nil
        case .unknown(let reason):
            diagnostics.report(.error(line: reason.line, column: 1, "cannot tell the input format: \(reason.message); set --from"), source: path)
            return nil
        }
    }

    /// The flag that sets the timestamp unit of an input format, for the wrong-precision warning.
    /// nil for formats whose unit is fixed (graphite seconds, prometheus milliseconds) or read from
    /// the value itself (wavefront's digit count), and for StatsD, which has no timestamps.
    static func precisionFlag(for format: MetricFormat) -> String? {
        switch format {
        case .influx: return "--precision"
        case .json: return "--json-timestamp-units (or --json-time-format with --json-time-key)"
        case .csv: return "--csv-timestamp-format"
        case .graphite, .prometheus, .wavefront, .statsd: return nil
        }
    }
}
