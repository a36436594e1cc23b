/// Finds where a part of a metric (a ``Diagnostic/Subject``) starts in the input record it was read
/// from, for serializer findings: the 1-based byte column of the tag's or field's key (of the value
/// for formats whose field is the sample value: graphite, prometheus, wavefront, statsd), column 1
/// for the name and the whole record.
///
/// It rescans the record only when there is a finding, so reading input costs nothing for it. A
/// part the input did not spell (a default tag, a tag a template made from a path) is placed at
/// column 1 of its record. CSV and JSON input need no rescan: their parsers hand each metric over
/// with the places of its cells or keys (``MetricOrigin``), which are known only while the record
/// is read (a JSON record may span lines, repeat a key or spell it with escapes).
public enum SourceLocator {
    /// The column of `subject` in `record` (one input line, terminator excluded) of `format`.
    public static func column(of subject: Diagnostic.Subject, in record: UnsafeBufferPointer<UInt8>, format: MetricFormat) -> Int {
        let found: Int?
        switch subject {
        case .record, .name: return 1
        case .timestamp:
            switch format {
            case .influx: found = influx(record, key: nil, inFields: true)
            default: found = nil
            }
        case .tag(let key):
            switch format {
            case .influx: found = influx(record, key: key, inFields: false)
            case .prometheus: found = prometheusLabel(record, key: key)
            case .graphite: found = separated(record, key: key, after: UInt8(ascii: ";"), until: ASCII.space)
            case .wavefront: found = wavefrontTag(record, key: key)
            case .statsd: found = statsdTag(record, key: key)
            case .json, .csv: found = nil
            }
        case .field(let key):
            switch format {
            case .influx: found = influx(record, key: key, inFields: true)
            case .prometheus: found = prometheusValue(record)
            case .graphite: found = secondToken(record)
            case .wavefront: found = wavefrontValue(record)
            case .statsd: found = record.firstIndex(of: ASCII.colon).map { $0 + 1 }
            case .json, .csv: found = nil
            }
        }
        return (found ?? 0) + 1
    }

    // MARK: - Line protocol

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

    // MARK: - Prometheus

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

    // MARK: - Graphite, Wavefront, StatsD

    /// The offset of the second blank-separated token (graphite's value).
    static func secondToken(_ line: UnsafeBufferPointer<UInt8>) -> Int? {
        let n = line.count
        var i = 0
        while i < n, line[i] == ASCII.space || line[i] == ASCII.tab { i += 1 }
        while i < n, line[i] != ASCII.space, line[i] != ASCII.tab { i += 1 }
        while i < n, line[i] == ASCII.space || line[i] == ASCII.tab { i += 1 }
        return i < n ? i : nil
    }

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

    /// The offset of Wavefront's value: after the (possibly quoted) name.
    static func wavefrontValue(_ line: UnsafeBufferPointer<UInt8>) -> Int? {
        let n = line.count
        var i = 0
        while i < n, line[i] == ASCII.space || line[i] == ASCII.tab { i += 1 }
        if i < n, line[i] == ASCII.quote {
            i += 1
            while i < n, line[i] != ASCII.quote { i += line[i] == ASCII.backslash ? 2 : 1 }
            i += 1
        }
        while i < n, line[i] != ASCII.space, line[i] != ASCII.tab { i += 1 }
        while i < n, line[i] == ASCII.space || line[i] == ASCII.tab { i += 1 }
        return i < n ? i : nil
    }

    /// The offset of a Wavefront tag `key=` or `"key"=` after the value.
    static func wavefrontTag(_ line: UnsafeBufferPointer<UInt8>, key: String) -> Int? {
        guard var i = wavefrontValue(line) else { return nil }
        let n = line.count
        while i < n {
            while i < n, line[i] == ASCII.space || line[i] == ASCII.tab { i += 1 }
            let keyStart = i
            var keyFrom = i
            var keyEnd: Int
            if i < n, line[i] == ASCII.quote {
                keyFrom = i + 1
                i += 1
                while i < n, line[i] != ASCII.quote { i += line[i] == ASCII.backslash ? 2 : 1 }
                keyEnd = min(i, n)
                i += 1
            } else {
                while i < n, line[i] != ASCII.equals, line[i] != ASCII.space, line[i] != ASCII.tab { i += 1 }
                keyEnd = i
            }
            if i < n, line[i] == ASCII.equals {
                if bytesEqual(line, keyFrom, keyEnd, key) { return keyStart }
                i += 1
            }
            // Skip the value (quoted or not).
            if i < n, line[i] == ASCII.quote {
                i += 1
                while i < n, line[i] != ASCII.quote { i += line[i] == ASCII.backslash ? 2 : 1 }
                i += 1
            }
            while i < n, line[i] != ASCII.space, line[i] != ASCII.tab { i += 1 }
        }
        return nil
    }

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

    static func bytesEqual(_ line: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, _ key: String) -> Bool {
        guard end - start == key.utf8.count else { return false }
        var i = start
        for b in key.utf8 {
            if line[i] != b { return false }
            i += 1
        }
        return true
    }
}
