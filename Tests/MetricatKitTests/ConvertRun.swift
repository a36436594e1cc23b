import MetricFormats

@testable import MetricatKit

/// One in-process `convert` run, for the tests that compare a run with the direct path against one
/// without it: its output, its diagnostics and status; the verbose note that counts direct lines
/// is kept apart.
struct ConvertRun: Equatable {
    var stdout: [UInt8]
    var diagnostics: [String]
    var status: MetricatKit.ExitStatus

    /// `convert --from from --to to` over `text` (named `name`); `chunked` flushes the output after
    /// every metric.
    static func convert(
        _ text: [UInt8], name: String, from: MetricFormat, to: MetricFormat, direct: Bool, strict: Bool = false, chunked: Bool = false
    ) -> (ConvertRun, note: String?) {
        var options = ConvertOptions(from: from, to: to)
        options.directPaths = direct
        options.texts = [(name: name, bytes: text)]
        var messages: [String] = []
        let diagnostics = Diagnostics(strict: strict, verbose: true, write: { messages.append($0) })
        var out: [UInt8] = []
        let sink = ByteSink(flushThreshold: chunked ? 0 : 1 << 16) { buffer in
            out += buffer
            buffer.removeAll(keepingCapacity: true)
        }
        let status = Converter.run(options, diagnostics: diagnostics, output: sink, now: 1_700_000_000_000_000_000)
        let note = messages.first { $0.contains("went straight from") }
        messages.removeAll { $0 == note }
        return (ConvertRun(stdout: out, diagnostics: messages, status: status), note)
    }
}
