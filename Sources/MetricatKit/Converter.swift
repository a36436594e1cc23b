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
    /// Let the input format's ``DirectPath`` take the lines it can copy (line protocol to JSON or to
    /// line protocol, JSON to JSON; the output is the same either way; tests compare the two).
    public var directPaths = true

    public init(from: MetricFormat?, to: MetricFormat?) {
        self.from = from
        self.to = to
    }
}

/// Streams inputs through a ``RecordPipeline`` with flat memory; bad records are reported and
/// skipped, the rest goes on (or stops at the first with `--strict`).
public enum Converter {
    /// Runs the conversion; returns the exit status that the diagnostics decided.
    /// - Parameter afterChunk: called after every chunk read (a sender flushes its batch there, so
    ///   a slow stream such as `tail -f` goes out as it comes).
    /// - Parameter onLine: called with each line's number before it is parsed.
    public static func run(
        _ options: ConvertOptions, diagnostics: Diagnostics, output: ByteSink, now: Int64 = Clock.nowNanoseconds(),
        afterChunk: () -> Void = {}, onLine: @escaping (Int) -> Void = { _ in }
    ) -> ExitStatus {
        var pipelineOptions = RecordPipeline.Options(from: options.from, to: options.to)
        pipelineOptions.format = options.format
        pipelineOptions.directPaths = options.directPaths
        pipelineOptions.announceDetection = options.announceDetection
        let pipeline: RecordPipeline
        do {
            pipeline = try RecordPipeline(pipelineOptions, diagnostics: diagnostics, sink: output, now: now)
        } catch {
            diagnostics.ioError(error.message)
            return .usage
        }
        pipeline.onLine = onLine
        // The format the first input was read as is kept for the inputs after it.
        var format = options.from
        let inputCount = options.texts.isEmpty ? max(options.inputs.count, 1) : options.texts.count
        for inputIndex in 0..<inputCount {
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
            let stream = pipeline.stream(named: source.name, format: format)
            do {
                try source.forEachChunk { chunk in
                    let going = stream.feed(chunk)
                    output.flush()
                    afterChunk()
                    return going
                }
            } catch {
                diagnostics.ioError(error.description)
            }
            if stream.refused { break }
            stream.finish()
            if stream.refused { break }
            format = stream.format ?? format
            if diagnostics.shouldStop { break }
        }
        pipeline.finish()
        if let failure = output.failure {
            diagnostics.ioError("write to stdout failed: \(StandardStreams.describe(errno: failure))")
        }
        return diagnostics.exitStatus
    }
}
