/// Options of the JSON parser and serializer, named after Telegraf's (`json_name_key` is `nameKey`).
public struct JSONOptions: Sendable {
    /// How parsed objects are read.
    public enum InputShape: String, Sendable, CaseIterable {
        /// An object in the serializer's shape (`name`, `fields`, `tags`, `timestamp`, or a
        /// `{"metrics":[...]}` batch) is read back as that metric; any other object is flattened.
        /// Any of Telegraf's JSON parser options (name key, time key, tag keys, string fields, query)
        /// selects `flat`.
        case auto
        /// Every object must be in the serializer's shape.
        case metric
        /// Telegraf's JSON parser: nested keys flattened with `_`, every number a float field.
        case flat
    }

    // MARK: serializer

    /// `json_timestamp_units`: the unit of the written timestamp in nanoseconds, a power of ten
    /// (Telegraf rounds the configured duration down to one). Default 1s, as Telegraf.
    public var timestampUnits: Int64 = 1_000_000_000
    /// `json_timestamp_format`: a Go time layout; when set the timestamp is written as a UTC string.
    public var timestampFormat: String?
    /// `json_nested_fields_include`: string fields (globs) holding JSON written as JSON values.
    public var nestedFieldsInclude: [String] = []
    /// `json_nested_fields_exclude`: fields (globs) never embedded.
    public var nestedFieldsExclude: [String] = []
    /// Write one `{"metrics":[...]}` object for the whole output, as Telegraf's batch serializer.
    public var batch = false

    // MARK: parser

    /// Which of the two readings applies to parsed objects.
    public var inputShape: InputShape = .auto
    /// `json_name_key`: the flattened key whose string value names the metric.
    public var nameKey: String?
    /// `tag_keys`: globs of flattened keys that become tags.
    public var tagKeys: [String] = []
    /// `json_string_fields`: globs of flattened keys kept as string or bool fields.
    public var stringFields: [String] = []
    /// `json_query`: a GJSON path selecting the object or array of objects to read.
    public var query: String?
    /// `json_time_key`: the flattened key holding the time; removed from the fields.
    public var timeKey: String?
    /// `json_time_format`: `unix`, `unix_ms`, `unix_us`, `unix_ns` or a Go layout.
    public var timeFormat: String?
    /// `json_timezone`: the zone of times parsed with a layout that has none, as an offset.
    public var timezone: GoTimeZone = .utc
    /// `json_strict`: an array element that fails discards the whole array (its metrics are held until
    /// the array ends). metricat's default is off (Telegraf's is on): each element stands alone.
    public var strict = false

    /// True when a Telegraf JSON parser option is set, which makes `auto` read objects flattened.
    public var usesTelegrafParserOptions: Bool {
        nameKey != nil || !tagKeys.isEmpty || !stringFields.isEmpty || query != nil || timeKey != nil
    }

    public init() {}
}
