extension FormatDescriptor {
    /// CSV: the telemetry shape or header-driven columns. The parser places every cell itself
    /// (``MetricOrigin``).
    static let csv = FormatDescriptor(
        makeParser: { options throws(FormatError) in try CSVParser(options: options) },
        makeSerializer: { options throws(FormatError) in try CSVSerializer(options: options) },
        locate: nil,
        detectionPrefixes: ["Timepoint,", "\"Timepoint\","], detectionReason: "a Timepoint,Measurement,Label,PID header",
        precisionFlag: "--csv-timestamp-format", writesTimeForEveryMetric: true)
}
