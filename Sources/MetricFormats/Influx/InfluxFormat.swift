extension FormatDescriptor {
    /// Influx line protocol: the model's own shape, timestamps in `--precision` units.
    static let influx = FormatDescriptor(
        makeParser: { options throws(FormatError) in try InfluxParser(options: options) },
        makeSerializer: { options throws(FormatError) in try InfluxSerializer(options: options) },
        locate: { subject, line in
            switch subject {
            case .tag(let key): return SourceLocator.influx(line, key: key, inFields: false)
            case .field(let key): return SourceLocator.influx(line, key: key, inFields: true)
            case .timestamp: return SourceLocator.influx(line, key: nil, inFields: true)
            case .record, .name: return nil
            }
        },
        precisionFlag: "--precision", readsCoarserUnit: { $0.influx.precision != .nanoseconds }, writesTimeForEveryMetric: false,
        makeDirect: { options, to, now in
            switch to {
            case .json: InfluxDirect(options: options, output: .json, now: now)
            case .influx: InfluxDirect(options: options, output: .influx, now: now)
            default: nil
            }
        })
}

extension SourceLocator {
    /// The offset of tag key `key` (or of field key `key`, with `inFields`; of the timestamp for a nil
    /// key) in a line-protocol line.
    static func influx(_ line: UnsafeBufferPointer<UInt8>, key: String?, inFields: Bool) -> Int? {
        let n = line.count
        var i = 0
        // The measurement: up to an unescaped ',' or ' '.
        while i < n, line[i] != ASCII.comma, line[i] != ASCII.space { i += line[i] == ASCII.backslash ? 2 : 1 }
        // Tags: ',' key '=' value ...
        while i < n, line[i] == ASCII.comma {
            let keyStart = i + 1
            i = keyStart
            while i < n, line[i] != ASCII.equals, line[i] != ASCII.space, line[i] != ASCII.comma { i += line[i] == ASCII.backslash ? 2 : 1 }
            if !inFields, let key, keyMatches(line, keyStart, min(i, n), key) { return keyStart }
            while i < n, line[i] != ASCII.comma, line[i] != ASCII.space { i += line[i] == ASCII.backslash ? 2 : 1 }
        }
        guard inFields else { return nil }
        while i < n, line[i] == ASCII.space { i += 1 }
        // Fields: key '=' value (a quoted string may hold ',' and ' ') separated by ','.
        while i < n {
            let keyStart = i
            while i < n, line[i] != ASCII.equals, line[i] != ASCII.space, line[i] != ASCII.comma { i += line[i] == ASCII.backslash ? 2 : 1 }
            if let key, keyMatches(line, keyStart, min(i, n), key) { return keyStart }
            guard i < n, line[i] == ASCII.equals else { return nil }
            i += 1
            if i < n, line[i] == ASCII.quote {
                i += 1
                while i < n, line[i] != ASCII.quote { i += line[i] == ASCII.backslash ? 2 : 1 }
                i += 1
            }
            while i < n, line[i] != ASCII.comma, line[i] != ASCII.space { i += 1 }
            guard i < n, line[i] == ASCII.comma else {
                guard key == nil else { return nil }
                while i < n, line[i] == ASCII.space { i += 1 }
                return i < n ? i : nil
            }
            i += 1
        }
        return nil
    }

    /// Whether `line[start..<end]`, with line protocol's `\,` `\=` `\ ` (and `\\`) escapes read, is `key`.
    static func keyMatches(_ line: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, _ key: String) -> Bool {
        var k = key.utf8.makeIterator()
        var i = start
        while i < end {
            var b = line[i]
            if b == ASCII.backslash, i + 1 < end {
                let next = line[i + 1]
                if next == ASCII.comma || next == ASCII.equals || next == ASCII.space || next == ASCII.backslash || next == ASCII.quote {
                    b = next
                    i += 1
                }
            }
            guard k.next() == b else { return false }
            i += 1
        }
        return k.next() == nil
    }
}
