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

/// Where the format flags show: `convert`'s `--help` lists them (they are its subject); the other
/// commands' `--help` leaves them to `--help-hidden`, so their own options are not buried under about
/// 250 lines of format options. Man pages and completions list them everywhere.
protocol FormatFlagsPlacement {
    static var visibility: ArgumentVisibility { get }
}

/// Every `--help`, and the man page.
enum ShownInHelp: FormatFlagsPlacement {
    static var visibility: ArgumentVisibility { .default }
}

/// `--help-hidden`, the man page (generated from `--experimental-dump-help`) and shell completions,
/// not `--help`.
enum ShownInReference: FormatFlagsPlacement {
    static var visibility: ArgumentVisibility {
        let args = CommandLine.arguments
        return args.contains("--experimental-dump-help") || args.contains("--generate-completion-script") ? .default : .hidden
    }
}

/// The format flags of `send`, `listen` and `load`.
typealias FormatFlags = FormatFlagSet<ShownInReference>

/// All format flag groups, each under its own heading.
struct FormatFlagSet<Placement: FormatFlagsPlacement>: ParsableArguments {
    @OptionGroup(title: "Options shared by several formats", visibility: Placement.visibility) var shared: SharedFormatFlags
    @OptionGroup(title: "Influx line protocol", visibility: Placement.visibility) var influx: InfluxFlags
    @OptionGroup(title: "JSON (Telegraf's serializer shape and parser)", visibility: Placement.visibility) var json: JSONFlags
    @OptionGroup(title: "Wavefront", visibility: Placement.visibility) var wavefront: WavefrontFlags
    @OptionGroup(title: "StatsD / DogStatsD", visibility: Placement.visibility) var statsd: StatsDFlags
    @OptionGroup(title: "Graphite", visibility: Placement.visibility) var graphite: GraphiteFlags
    @OptionGroup(title: "Prometheus text exposition", visibility: Placement.visibility) var prometheus: PrometheusFlags
    @OptionGroup(title: "CSV", visibility: Placement.visibility) var csv: CSVFlags

    var groups: [any FormatFlagGroup] { [shared, influx, json, wavefront, statsd, graphite, prometheus, csv] }

    /// The options value these flags describe.
    func options(common: CommonFlags) throws -> FormatOptions {
        var options = FormatOptions()
        options.maxLineBytes = common.maxLine?.bytes ?? 1 << 20
        for g in groups { try g.apply(to: &options) }
        return options
    }

    /// With `-v`, notes each given flag whose format is not in play (it is ignored).
    func noteIgnored(inPlay: [MetricFormat], autoInput: Bool, diagnostics: Diagnostics) {
        if autoInput { return }  // any format may turn out to be in play
        for g in groups where !type(of: g).formats.contains(where: inPlay.contains) {
            for flag in g.givenFlags {
                diagnostics.note(
                    "\(flag) is ignored: it applies to \(type(of: g).formats.map(\.rawValue).joined(separator: "/")), not to \(inPlay.map(\.rawValue).joined(separator: " or "))")
            }
        }
    }
}

/// Flags used by more than one format (Telegraf's `default_tags`, `prefix`).
struct SharedFormatFlags: FormatFlagGroup {
    static let formats: [MetricFormat] = [.graphite, .wavefront, .influx, .json, .statsd, .prometheus, .csv]

    @Option(
        help: ArgumentHelp(
            "Tags added to every parsed metric that lacks them (Telegraf's default_tags), repeatable: each flag adds its k=v pairs, a later value for the same key wins; for Wavefront input they override parsed tags, as in Telegraf.",
            valueName: "k=v,..."))
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
