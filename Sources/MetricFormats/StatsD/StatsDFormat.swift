extension FormatDescriptor {
    /// StatsD and DogStatsD: no timestamps (a DogStatsD `|T` is seconds).
    static let statsd = FormatDescriptor(
        makeParser: { options throws(FormatError) in try StatsDParser(options: options) },
        makeSerializer: { options throws(FormatError) in try StatsDSerializer(options: options) },
        locate: { subject, line in
            switch subject {
            case .tag(let key): return SourceLocator.statsdTag(line, key: key)
            case .field: return line.firstIndex(of: ASCII.colon).map { $0 + 1 }
            case .timestamp, .record, .name: return nil
            }
        },
        detectionReason: "bucket:value|type", detectionShape: { FormatDetector.isStatsD($0) },
        precisionFlag: nil, writesTimeForEveryMetric: false)
}

extension SourceLocator {
    /// The offset of a DogStatsD tag `key:` (or `key=`) after `|#`.
    static func statsdTag(_ line: UnsafeBufferPointer<UInt8>, key: String) -> Int? {
        let n = line.count
        var i = 0
        while i + 1 < n, !(line[i] == ASCII.pipe && line[i + 1] == ASCII.hash) { i += 1 }
        guard i + 1 < n else { return nil }
        i += 2
        while i < n {
            let keyStart = i
            while i < n, line[i] != ASCII.colon, line[i] != ASCII.equals, line[i] != ASCII.comma, line[i] != ASCII.pipe { i += 1 }
            if bytesEqual(line, keyStart, i, key) { return keyStart }
            while i < n, line[i] != ASCII.comma, line[i] != ASCII.pipe { i += 1 }
            guard i < n, line[i] == ASCII.comma else { return nil }
            i += 1
        }
        return nil
    }
}
