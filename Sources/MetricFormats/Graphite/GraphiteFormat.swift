extension FormatDescriptor {
    /// Graphite plaintext (`path value timestamp`, tagged paths); timestamps are seconds.
    static let graphite = FormatDescriptor(
        makeParser: { options throws(FormatError) in try GraphiteParser(options: options) },
        makeSerializer: { options throws(FormatError) in try GraphiteSerializer(options: options) },
        locate: { subject, line in
            switch subject {
            case .tag(let key): return SourceLocator.separated(line, key: key, after: UInt8(ascii: ";"), until: ASCII.space)
            case .field: return SourceLocator.token(line, after: 1)
            case .timestamp, .record, .name: return nil
            }
        },
        precisionFlag: nil, writesTimeForEveryMetric: true)
}

extension SourceLocator {
    /// The offset of a `key=` that follows `separator`, before `end` (graphite's `;k=v` tags).
    static func separated(_ line: UnsafeBufferPointer<UInt8>, key: String, after separator: UInt8, until end: UInt8) -> Int? {
        let n = line.count
        var i = 0
        while i < n, line[i] != end {
            if line[i] == separator {
                let keyStart = i + 1
                var j = keyStart
                while j < n, line[j] != ASCII.equals, line[j] != separator, line[j] != end { j += 1 }
                if bytesEqual(line, keyStart, j, key) { return keyStart }
            }
            i += 1
        }
        return nil
    }
}
