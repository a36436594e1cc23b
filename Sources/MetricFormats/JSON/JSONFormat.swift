extension FormatDescriptor {
    /// Telegraf's JSON: its serializer shape, or any object read the way its JSON parser reads it.
    /// The parser places every key itself (``MetricOrigin``).
    static let json = FormatDescriptor(
        makeParser: { options throws(FormatError) in try JSONParser(options: options) },
        makeSerializer: { options throws(FormatError) in try JSONSerializer(options: options) },
        locate: nil,
        detectionPrefixes: ["{", "["], detectionReason: "starts with { or [",
        precisionFlag: "--json-timestamp-units (or --json-time-format with --json-time-key)",
        readsCoarserUnit: { $0.json.timestampUnits != 1 || $0.json.timestampFormat != nil }, writesTimeForEveryMetric: true,
        makeDirect: { options, to, now in to == .json ? JSONDirect(options: options, now: now) : nil })
}
