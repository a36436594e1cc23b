import ArgumentParser
import MetricFormats

extension JSONOptions.InputShape: ExpressibleByArgument {}

/// Flags of the json parser and serializer, named after Telegraf's json options.
struct JSONFlags: FormatFlagGroup {
    static let formats: [MetricFormat] = [.json]

    @Option(
        help: ArgumentHelp(
            "Unit of the written timestamp, a Go duration rounded down to a power of ten (1ns, 1us, 1ms, 10ms, 1s; default 1s as Telegraf). Also the unit numeric timestamps are read back in.",
            valueName: "duration"))
    var jsonTimestampUnits: String?

    @Option(
        help: ArgumentHelp(
            "Write the timestamp as a UTC string in this Go layout (2006-01-02T15:04:05Z07:00, or RFC3339, RFC3339Nano, ...); also the layout string timestamps are read back with.",
            valueName: "layout"))
    var jsonTimestampFormat: String?

    @Option(help: ArgumentHelp("Glob, repeatable or comma list: string fields holding JSON are written as JSON values.", valueName: "glob"))
    var jsonNestedFieldsInclude: [String] = []

    @Option(help: ArgumentHelp("Glob, repeatable or comma list: fields never written as nested JSON.", valueName: "glob"))
    var jsonNestedFieldsExclude: [String] = []

    @Flag(inversion: .prefixedNo, help: "Write all output as one {\"metrics\":[...]} object, as Telegraf's batch serializer (metricat's default: one object per line).")
    var jsonBatch: Bool?

    @Option(
        help: ArgumentHelp(
            "How JSON input is read: auto (an object in the serializer's shape, or a {\"metrics\":[...]} batch, is read back as its metric; any other object the way Telegraf's JSON parser reads it; any of --json-name-key, --json-time-key, --tag-keys, --json-string-fields, --json-query selects flat), metric (every object must be in the serializer's shape), flat (always Telegraf's parser: nested keys joined with _, every number a float). Reading back, a whole number comes back as an integer: JSON cannot tell 42.0 from 42.",
            valueName: "auto|metric|flat"))
    var jsonInputShape: JSONOptions.InputShape?

    @Option(
        help: ArgumentHelp("Flattened key whose string value names the metric (default name: --metric-name, else 'json'; Telegraf uses the input plugin's name).", valueName: "key")
    )
    var jsonNameKey: String?

    @Option(help: ArgumentHelp("Glob, repeatable or comma list: flattened keys that become tags.", valueName: "glob"))
    var tagKeys: [String] = []

    @Option(help: ArgumentHelp("Glob, repeatable or comma list: flattened keys kept as string or boolean fields.", valueName: "glob"))
    var jsonStringFields: [String] = []

    @Option(
        help: ArgumentHelp(
            "GJSON path to the object or array of objects to read (obj.friends, list.0, a\\.b); a top-level array is then read whole, bounded by --max-line.", valueName: "path"))
    var jsonQuery: String?

    @Option(help: ArgumentHelp("Flattened key holding the time; removed from the fields. Needs --json-time-format.", valueName: "key"))
    var jsonTimeKey: String?

    @Option(
        help: ArgumentHelp(
            "Format of --json-time-key: unix, unix_ms, unix_us, unix_ns (number or numeric string, fractions allowed) or a Go layout (02 Jan 06 15:04 MST).", valueName: "format"))
    var jsonTimeFormat: String?

    @Option(
        help: ArgumentHelp("Zone of times read with a layout that has none: UTC, Local, +05:30, or a zone name from /usr/share/zoneinfo (America/New_York).", valueName: "zone"))
    var jsonTimezone: TimeZoneValue?

    @Flag(
        inversion: .prefixedNo,
        help: "An element of a top-level array that fails discards the whole array (its metrics are held until the array closes). metricat's default is off; Telegraf's is on.")
    var jsonStrict: Bool?

    var givenFlags: [String] {
        var given: [String] = []
        if jsonTimestampUnits != nil { given.append("--json-timestamp-units") }
        if jsonTimestampFormat != nil { given.append("--json-timestamp-format") }
        if !jsonNestedFieldsInclude.isEmpty { given.append("--json-nested-fields-include") }
        if !jsonNestedFieldsExclude.isEmpty { given.append("--json-nested-fields-exclude") }
        if jsonBatch != nil { given.append("--json-batch") }
        if jsonInputShape != nil { given.append("--json-input-shape") }
        if jsonNameKey != nil { given.append("--json-name-key") }
        if !tagKeys.isEmpty { given.append("--tag-keys") }
        if !jsonStringFields.isEmpty { given.append("--json-string-fields") }
        if jsonQuery != nil { given.append("--json-query") }
        if jsonTimeKey != nil { given.append("--json-time-key") }
        if jsonTimeFormat != nil { given.append("--json-time-format") }
        if jsonTimezone != nil { given.append("--json-timezone") }
        if jsonStrict != nil { given.append("--json-strict") }
        return given
    }

    func apply(to options: inout FormatOptions) throws {
        if let jsonTimestampUnits {
            guard let ns = goDurationNanoseconds(jsonTimestampUnits) else {
                throw ValidationError("--json-timestamp-units: '\(jsonTimestampUnits)' is not a Go duration (example: --json-timestamp-units 1ms)")
            }
            options.json.timestampUnits = JSONFlags.powerOfTenAtMost(ns)
        }
        if let jsonTimestampFormat { options.json.timestampFormat = jsonTimestampFormat }
        options.json.nestedFieldsInclude = splitList(jsonNestedFieldsInclude)
        options.json.nestedFieldsExclude = splitList(jsonNestedFieldsExclude)
        if let jsonBatch { options.json.batch = jsonBatch }
        if let jsonInputShape { options.json.inputShape = jsonInputShape }
        if let jsonNameKey { options.json.nameKey = jsonNameKey }
        options.json.tagKeys = splitList(tagKeys)
        options.json.stringFields = splitList(jsonStringFields)
        if let jsonQuery { options.json.query = jsonQuery }
        if let jsonTimeKey { options.json.timeKey = jsonTimeKey }
        if let jsonTimeFormat { options.json.timeFormat = jsonTimeFormat }
        if let jsonTimezone { options.json.timezone = jsonTimezone.zone }
        if let jsonStrict { options.json.strict = jsonStrict }
        if options.json.timeKey != nil && options.json.timeFormat == nil {
            throw ValidationError("--json-time-key: needs --json-time-format (example: --json-time-key time --json-time-format unix)")
        }
    }

    private func splitList(_ values: [String]) -> [String] {
        values.flatMap { $0.split(separator: ",").map(String.init) }
    }

    /// Telegraf rounds json_timestamp_units down to a power of ten; zero or less means 1s.
    static func powerOfTenAtMost(_ ns: Int64) -> Int64 {
        if ns <= 0 { return 1_000_000_000 }
        var d: Int64 = 1
        while d <= ns / 10 { d *= 10 }
        return d
    }
}

/// Nanoseconds of a Go duration (`1ns`, `1us`, `1µs`, `10ms`, `1.5s`, `1m`, `1h30m`); nil when malformed.
func goDurationNanoseconds(_ text: String) -> Int64? {
    let units: [(String, Double)] = [("ns", 1), ("us", 1e3), ("µs", 1e3), ("μs", 1e3), ("ms", 1e6), ("s", 1e9), ("m", 60e9), ("h", 3600e9)]
    var rest = Substring(text)
    var negative = false
    if rest.first == "-" || rest.first == "+" {
        negative = rest.first == "-"
        rest = rest.dropFirst()
    }
    if rest == "0" { return 0 }
    var total = 0.0
    guard !rest.isEmpty else { return nil }
    while !rest.isEmpty {
        let number = rest.prefix(while: { $0.isNumber || $0 == "." })
        guard !number.isEmpty, let v = Double(number) else { return nil }
        rest = rest.dropFirst(number.count)
        guard let unit = units.filter({ rest.hasPrefix($0.0) }).max(by: { $0.0.count < $1.0.count }) else { return nil }
        rest = rest.dropFirst(unit.0.count)
        total += v * unit.1
    }
    guard total < 9.2e18 else { return nil }
    return Int64(negative ? -total : total)
}
