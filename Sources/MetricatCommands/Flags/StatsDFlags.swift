import ArgumentParser
import MetricFormats

extension StatsDOptions.TagStyle: ExpressibleByArgument {}

/// Flags of the statsd parser and serializer (Telegraf's inputs.statsd option names).
struct StatsDFlags: FormatFlagGroup {
    static let formats: [MetricFormat] = [.statsd]

    @Flag(
        inversion: .prefixedNo, help: "Read DogStatsD |#tags, |c:container and |T<unix> segments and skip events/service checks (statsd in). Default on; Telegraf's default is off."
    )
    var datadogExtensions: Bool?

    @Flag(inversion: .prefixedNo, help: "Keep a DogStatsD |c:<id> container id as tag 'container' (statsd in). Default off, as in Telegraf.")
    var datadogKeepContainerTag: Bool?

    @Flag(inversion: .prefixedNo, help: "Emit 'd' distribution samples (statsd in; needs --datadog-extensions). Default on; Telegraf's default is off.")
    var datadogDistributions: Bool?

    @Option(
        help: ArgumentHelp(
            "What replaces each '.' of a bucket in the metric name (statsd in). Default '.': the bucket is kept; Telegraf's default is '_' (cpu.idle -> cpu_idle).",
            valueName: "sep"))
    var metricSeparator: String?

    @Option(help: ArgumentHelp("How statsd output writes tags: dogstatsd (|#k:v), influx (bucket,k=v) or none. Default dogstatsd.", valueName: "style"))
    var statsdTagStyle: StatsDOptions.TagStyle?

    @Flag(inversion: .prefixedNo, help: "Write each metric's timestamp as DogStatsD |T<unix seconds> (statsd out). Default off: StatsD has no timestamps.")
    var datadogTimestamps: Bool?

    var givenFlags: [String] {
        var out: [String] = []
        if let v = datadogExtensions { out.append(v ? "--datadog-extensions" : "--no-datadog-extensions") }
        if let v = datadogKeepContainerTag { out.append(v ? "--datadog-keep-container-tag" : "--no-datadog-keep-container-tag") }
        if let v = datadogDistributions { out.append(v ? "--datadog-distributions" : "--no-datadog-distributions") }
        if metricSeparator != nil { out.append("--metric-separator") }
        if statsdTagStyle != nil { out.append("--statsd-tag-style") }
        if let v = datadogTimestamps { out.append(v ? "--datadog-timestamps" : "--no-datadog-timestamps") }
        return out
    }

    func apply(to options: inout FormatOptions) throws {
        if let datadogExtensions { options.statsd.datadogExtensions = datadogExtensions }
        if let datadogKeepContainerTag { options.statsd.datadogKeepContainerTag = datadogKeepContainerTag }
        if let datadogDistributions { options.statsd.datadogDistributions = datadogDistributions }
        if let metricSeparator { options.statsd.metricSeparator = metricSeparator }
        if let statsdTagStyle { options.statsd.tagStyle = statsdTagStyle }
        if let datadogTimestamps { options.statsd.datadogTimestamps = datadogTimestamps }
    }
}
