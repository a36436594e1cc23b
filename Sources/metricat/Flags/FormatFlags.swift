import ArgumentParser
import MetricFormats
import MetricatKit

/// The options of one format's parser and serializer, as flags named after Telegraf's options.
protocol FormatFlagGroup: ParsableArguments {
    /// The format these flags configure; nil for flags shared by several formats.
    static var formats: [MetricFormat] { get }
    /// The flags the user gave, as `--name`, for the note that they do not apply.
    var givenFlags: [String] { get }
    /// Copies the given flags into `options`.
    /// - Throws: `ValidationError` naming the flag and a correct example.
    func apply(to options: inout FormatOptions) throws
}

/// All format flag groups, each under its own heading in `--help`.
struct FormatFlags: ParsableArguments {
    @OptionGroup(title: "Options shared by several formats") var shared: SharedFormatFlags
    @OptionGroup(title: "Influx line protocol") var influx: InfluxFlags
    @OptionGroup(title: "JSON (Telegraf's serializer shape and parser)") var json: JSONFlags
    @OptionGroup(title: "Wavefront") var wavefront: WavefrontFlags
    @OptionGroup(title: "StatsD / DogStatsD") var statsd: StatsDFlags
    @OptionGroup(title: "Graphite") var graphite: GraphiteFlags
    @OptionGroup(title: "Prometheus text exposition") var prometheus: PrometheusFlags
    @OptionGroup(title: "CSV") var csv: CSVFlags

    var groups: [any FormatFlagGroup] { [shared, influx, json, wavefront, statsd, graphite, prometheus, csv] }

    /// The options value these flags describe.
    func options(common: CommonFlags) throws -> FormatOptions {
        var options = FormatOptions()
        options.maxLineBytes = common.maxLine
        for g in groups { try g.apply(to: &options) }
        return options
    }

    /// With `-v`, notes each given flag whose format is not in play (it is ignored).
    func noteIgnored(inPlay: [MetricFormat], autoInput: Bool, diagnostics: Diagnostics) {
        if autoInput { return }  // any format may turn out to be in play
        for g in groups where !type(of: g).formats.contains(where: inPlay.contains) {
            for flag in g.givenFlags {
                diagnostics.note("\(flag) is ignored: it applies to \(type(of: g).formats.map(\.rawValue).joined(separator: "/")), not to \(inPlay.map(\.rawValue).joined(separator: " or "))")
            }
        }
    }
}

/// Flags used by more than one format (Telegraf's `default_tags`, `prefix`).
struct SharedFormatFlags: FormatFlagGroup {
    static let formats: [MetricFormat] = [.graphite, .wavefront, .influx, .json, .statsd, .prometheus, .csv]

    @Option(help: ArgumentHelp("Tags added to every parsed metric that lacks them (Telegraf's default_tags), repeatable: each flag adds its k=v pairs, a later value for the same key wins; for Wavefront input they override parsed tags, as in Telegraf.", valueName: "k=v,..."))
    var defaultTags: [String] = []

    @Option(help: ArgumentHelp("Prefix for every output name (graphite, wavefront).", valueName: "prefix"))
    var prefix: String?

    @Option(help: ArgumentHelp("Measurement name for input that carries none (json, csv): Telegraf's metric_name.", valueName: "name"))
    var metricName: String?

    @Option(help: ArgumentHelp("Graphite-style template, repeatable: '[filter] template [k=v,...]' (graphite in and out, statsd in): Telegraf's templates.", valueName: "template"))
    var templates: [String] = []

    var givenFlags: [String] { [] }

    func apply(to options: inout FormatOptions) throws {
        if let metricName { options.metricName = metricName }
        options.templates = templates
        if !defaultTags.isEmpty {
            var merged: [Tag] = []
            for text in defaultTags {
                for tag in try parseTagList(text, flag: "--default-tags") {
                    merged.removeAll { $0.key == tag.key }
                    merged.append(tag)
                }
            }
            options.defaultTags = merged
        }
        if let prefix { options.prefix = prefix }
    }
}
