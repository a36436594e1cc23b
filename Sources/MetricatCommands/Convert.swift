import ArgumentParser
import MetricFormats
import MetricatKit

/// `metricat convert`: maps flags to ``ConvertOptions`` and runs ``Converter``.
struct Convert: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Translate metrics between formats, streaming, with precise errors.",
        discussion: """
            Reads the FILEs (stdin when none, or '-') line by line and writes every metric in the \
            output format to stdout, with flat memory whatever the input size. A line that does not \
            parse is reported on stderr as FILE:LINE:COLUMN: reason ('-' for stdin); the good lines \
            around it still come out, and the exit status is 65 at the end. A value the output \
            format cannot carry (a string field in StatsD, NaN in JSON) is reported the same way and \
            skipped; it is never written broken. A name or value the output changes (sanitized, \
            rounded by wavefront's %.6f, a tab or newline in a line-protocol key written as \\t \
            or \\n) is a warning; the exit status stays 0. Both name the line and the column where \
            the tag, field or value starts in the input (column 1 for the metric name or the whole \
            record; a Prometheus histogram's findings name the line of its sample). With --from auto (the default) the format is \
            detected from the first lines; an input that several formats would read differently \
            is refused. METRICAT_NOW (nanoseconds since the epoch) fixes the time used for metrics \
            that carry none, for reproducible output.

            From influx to json or influx, a line whose values the output spells as they are \
            (integers, floats of at most 15 digits without an exponent, most strings), with a \
            measurement and tags seen before, is copied piece by piece into the output without \
            being parsed into a metric; the output is byte for byte the same. -v says how many \
            metrics went that way.

            Examples:
              metricat convert --from influx --to json metrics.lp
              printf 'deploys:1|c|#env:prod\\n' | metricat convert --to influx
              metricat convert --from json --json-name-key metric_name --to influx < events.json

            Exit status: 0 every line converted, 2 usage, 65 some input was rejected or could not \
            be written in the output format (the rest came out), 74 an input could not be read or \
            stdout could not be written.
            """
    )

    @Option(name: .long, help: ArgumentHelp("Input format: auto, \(MetricFormat.names).", valueName: "format"))
    var from: InputFormat = .auto

    @Option(name: .long, help: ArgumentHelp("Output format: \(MetricFormat.names).", valueName: "format"))
    var to: MetricFormat

    @OptionGroup var common: CommonFlags
    @OptionGroup var formats: FormatFlagSet<ShownInHelp>

    @Argument(help: ArgumentHelp("Input files; '-' or none reads stdin.", valueName: "file"))
    var files: [String] = []

    func run() throws {
        var options = ConvertOptions(from: from.format, to: to)
        options.inputs = files
        options.format = try formats.options(common: common)
        options.announceDetection = StandardStreams.isTerminal(2)
        let diagnostics = Diagnostics(strict: common.strict, verbose: common.verbose)
        formats.noteIgnored(inPlay: [from.format, to].compactMap { $0 }, autoInput: from.format == nil, diagnostics: diagnostics)
        let status = Converter.run(options, diagnostics: diagnostics, output: ByteSink(fd: 1), now: Clock.now())
        if status != .ok { throw ExitCode(status.rawValue) }
    }
}
