/// Options of the StatsD parser and serializer.
///
/// The parser options carry Telegraf's `inputs.statsd` names (`datadog_extensions` is
/// `datadogExtensions`, flag `--datadog-extensions`); metricat turns the DogStatsD extensions on by
/// default, Telegraf leaves them off.
public struct StatsDOptions: Sendable {
    /// How the serializer writes tags.
    public enum TagStyle: String, Sendable, CaseIterable {
        /// DogStatsD: `name:1|c|#k:v,k2:v2`.
        case dogstatsd
        /// Influx-style bucket tags, as Telegraf's statsd input reads them: `name,k=v,k2=v2:1|c`.
        case influx
        /// Tags are dropped.
        case none
    }

    /// Read DogStatsD `|#k:v` tags, `|c:<container>` and `|T<unix>` segments, and skip events
    /// (`_e{...}`) and service checks (`_sc|...`). Telegraf's `datadog_extensions` (default false there).
    public var datadogExtensions = true
    /// Keep a DogStatsD container id as tag `container`. Telegraf's `datadog_keep_container_tag`.
    public var datadogKeepContainerTag = false
    /// Emit `d` (distribution) samples; without it they are skipped with a note. Telegraf's
    /// `datadog_distributions` (default false there); needs ``datadogExtensions`` as in Telegraf.
    public var datadogDistributions = true

    /// Parser: what replaces each `.` of a bucket in the metric name. Telegraf's `metric_separator`
    /// (its default template joins the bucket's parts with `_`); metricat keeps the bucket as it is.
    public var metricSeparator = "."

    /// Serializer: how tags are written.
    public var tagStyle: TagStyle = .dogstatsd
    /// Serializer: write a metric's timestamp as DogStatsD `|T<unix seconds>`.
    public var datadogTimestamps = false

    public init() {}
}
