extension FormatDescriptor {
    /// Prometheus text and OpenMetrics; timestamps are milliseconds by definition.
    static let prometheus = FormatDescriptor(
        makeParser: { options throws(FormatError) in try PrometheusParser(options: options) },
        makeSerializer: { options throws(FormatError) in try PrometheusSerializer(options: options) },
        locate: { subject, line in
            switch subject {
            case .tag(let key): return SourceLocator.prometheusLabel(line, key: key)
            case .field: return SourceLocator.prometheusValue(line)
            case .timestamp, .record, .name: return nil
            }
        },
        detectionPrefixes: ["# HELP ", "# TYPE "], detectionReason: "a # HELP or # TYPE line",
        precisionFlag: nil, writesTimeForEveryMetric: true)
}

extension SourceLocator {
    /// The offset of label `key` inside `{...}`.
    static func prometheusLabel(_ line: UnsafeBufferPointer<UInt8>, key: String) -> Int? {
        guard var i = line.firstIndex(of: UInt8(ascii: "{")) else { return nil }
        let n = line.count
        i += 1
        while i < n, line[i] != UInt8(ascii: "}") {
            while i < n, line[i] == ASCII.space || line[i] == ASCII.tab || line[i] == ASCII.comma { i += 1 }
            let keyStart = i
            while i < n, line[i] != ASCII.equals, line[i] != ASCII.space, line[i] != UInt8(ascii: "}") { i += 1 }
            if bytesEqual(line, keyStart, i, key) { return keyStart }
            while i < n, line[i] != ASCII.quote, line[i] != UInt8(ascii: "}") { i += 1 }
            guard i < n, line[i] == ASCII.quote else { return nil }
            i += 1
            while i < n, line[i] != ASCII.quote { i += line[i] == ASCII.backslash ? 2 : 1 }
            i += 1
        }
        return nil
    }

    /// The offset of the sample value: after the name and the labels.
    static func prometheusValue(_ line: UnsafeBufferPointer<UInt8>) -> Int? {
        let n = line.count
        var i = 0
        while i < n, line[i] == ASCII.space || line[i] == ASCII.tab { i += 1 }
        while i < n, line[i] != ASCII.space, line[i] != ASCII.tab, line[i] != UInt8(ascii: "{") { i += 1 }
        if i < n, line[i] == UInt8(ascii: "{") {
            var quoted = false
            while i < n {
                let b = line[i]
                if quoted {
                    if b == ASCII.backslash { i += 1 } else if b == ASCII.quote { quoted = false }
                } else if b == ASCII.quote {
                    quoted = true
                } else if b == UInt8(ascii: "}") {
                    i += 1
                    break
                }
                i += 1
            }
        }
        while i < n, line[i] == ASCII.space || line[i] == ASCII.tab { i += 1 }
        return i < n ? i : nil
    }
}
