import MetricCore
import MetricFormats

/// Logster's MetricLogster: `METRIC_COUNT metric=NAME value=N` lines summed per second, and
/// `METRIC_TIME metric=NAME value=N[unit]` lines as `.mean`, `.median` and `.<p>th_percentile`.
///
/// Same last-match rules as Logster's two regexes, applied to every line (a line can be both).
/// A count needs a byte after its value (Logster's `[^0-9.]`, which its `\n` satisfies), so an
/// unterminated last line does not count. Values Python's `float()` rejects (`1.2.3`, `.`) abort a
/// Logster run; here they skip the line.
final class MetricLineParser: LogParser {
    let percentiles: [(text: String, value: Int)]
    var counterNames: [String] = []
    var counters: [WireKey: Double] = [:]
    var timerNames: [String] = []
    var timers: [WireKey: [Double]] = [:]

    init(percentiles: [(String, Int)]) {
        self.percentiles = percentiles.map { (text: $0.0, value: $0.1) }
    }

    func parse(_ line: UnsafeRawBufferPointer, complete: Bool) -> Bool {
        let n = line.count
        guard n > 0, let base = line.baseAddress else { return false }
        let p = base.assumingMemoryBound(to: UInt8.self)
        var matched = false
        if let (name, text, end) = Self.find("METRIC_COUNT", p, n), end < n || complete, let v = B.pythonFloat(text) {
            if counters[WireKey(name)] == nil {
                counterNames.append(name)
                counters[WireKey(name)] = 0
            }
            counters[WireKey(name)]! += v
            matched = true
        }
        if let (name, text, _) = Self.find("METRIC_TIME", p, n), let v = B.pythonFloat(text) {
            if timers[WireKey(name)] == nil {
                timerNames.append(name)
                timers[WireKey(name)] = []
            }
            timers[WireKey(name)]!.append(v)
            matched = true
        }
        return matched
    }

    /// The last `MARKER\smetric=NAME\s+value=[0-9.]+`: name, value text, index after the value.
    static func find(_ marker: StaticString, _ p: UnsafePointer<UInt8>, _ n: Int) -> (String, String, Int)? {
        var from = n - 1
        while let m = B.lastIndex(of: marker, in: p, n, atOrBefore: from) {
            from = m - 1
            var i = m + marker.utf8CodeUnitCount
            guard i < n, B.isSpace(p[i]) else { continue }
            i += 1
            guard B.has(p, n, i, "metric=") else { continue }
            i += 7
            let nameStart = i
            while i < n, !B.isSpace(p[i]) { i += 1 }
            guard i > nameStart, i < n else { continue }
            let nameEnd = i
            while i < n, B.isSpace(p[i]) { i += 1 }
            guard B.has(p, n, i, "value=") else { continue }
            i += 6
            let vStart = i
            while i < n, B.isDigit(p[i]) || p[i] == 0x2E { i += 1 }
            guard i > vStart else { continue }
            return (B.string(p, nameStart..<nameEnd), B.string(p, vStart..<i), i)
        }
        return nil
    }

    /// Logster's stats_helper: sort, then linear interpolation at rank p/100·(n-1).
    static func percentile(_ sorted: [Double], _ p: Int) -> Double {
        let n = sorted.count
        if n == 1 { return sorted[0] }
        let rank = (Double(p) / 100.0) * Double(n - 1)
        let frac = rank.truncatingRemainder(dividingBy: 1)
        let left = Int(Double(p * (n - 1)) / 100.0)
        if frac != 0 { return sorted[left] + (sorted[left + 1] - sorted[left]) * frac }
        return sorted[left]
    }

    func metrics(_ rate: RateContext) -> [LogMetric] {
        var out: [LogMetric] = counterNames.map { LogMetric($0, rate.rate(counters[WireKey($0)]!)) }
        for name in timerNames {
            let values = timers[WireKey(name)]!
            let mean = values.reduce(0.0, +) / Double(values.count)
            let sorted = values.sorted()
            out.append(LogMetric(name + ".mean", .float(mean)))
            out.append(LogMetric(name + ".median", .float(Self.percentile(sorted, 50))))
            for (text, p) in percentiles {
                out.append(LogMetric("\(name).\(text)th_percentile", .float(Self.percentile(sorted, p))))
            }
        }
        return out
    }
}

/// Logster's JsonLogster: the last valid JSON object of the run, flattened (`a.b`, list items
/// `a.0`), values not divided. Lines that are not a JSON object are unmatched. Strings, booleans
/// and nulls abort a Logster run on Python 3; here they are left out.
final class JSONLineParser: LogParser {
    let separator: String
    var last: [LogMetric] = []

    init(separator: String) { self.separator = separator }

    func parse(_ line: UnsafeRawBufferPointer, complete: Bool) -> Bool {
        var reader = FlatJSON(line.bindMemory(to: UInt8.self), separator: separator)
        guard let metrics = reader.readObjectLine() else { return false }
        last = metrics
        return true
    }

    func metrics(_ rate: RateContext) -> [LogMetric] { last }
}

/// A small JSON reader that flattens one object into numeric leaves, in document order.
struct FlatJSON {
    let b: UnsafeBufferPointer<UInt8>
    let separator: String
    var i = 0
    var out: [LogMetric] = []
    var depth = 0

    init(_ b: UnsafeBufferPointer<UInt8>, separator: String) {
        self.b = b
        self.separator = separator
    }

    mutating func readObjectLine() -> [LogMetric]? {
        skipSpace()
        guard i < b.count, b[i] == 0x7B, value(path: nil) else { return nil }
        skipSpace()
        return i == b.count ? out : nil
    }

    mutating func skipSpace() { while i < b.count, b[i] == 0x20 || b[i] == 0x09 || b[i] == 0x0D || b[i] == 0x0A { i += 1 } }

    mutating func value(path: String?) -> Bool {
        skipSpace()
        guard i < b.count else { return false }
        switch b[i] {
        case 0x7B:
            depth += 1
            defer { depth -= 1 }
            guard depth < 64 else { return false }
            i += 1
            skipSpace()
            if i < b.count, b[i] == 0x7D {
                i += 1
                return true
            }
            while true {
                skipSpace()
                guard let key = string() else { return false }
                skipSpace()
                guard i < b.count, b[i] == 0x3A else { return false }
                i += 1
                guard value(path: path.map { $0 + separator + key } ?? key) else { return false }
                skipSpace()
                guard i < b.count else { return false }
                if b[i] == 0x2C {
                    i += 1
                    continue
                }
                if b[i] == 0x7D {
                    i += 1
                    return true
                }
                return false
            }
        case 0x5B:
            depth += 1
            defer { depth -= 1 }
            guard depth < 64 else { return false }
            i += 1
            skipSpace()
            if i < b.count, b[i] == 0x5D {
                i += 1
                return true
            }
            var k = 0
            while true {
                guard value(path: (path.map { $0 + separator } ?? "") + String(k)) else { return false }
                k += 1
                skipSpace()
                guard i < b.count else { return false }
                if b[i] == 0x2C {
                    i += 1
                    continue
                }
                if b[i] == 0x5D {
                    i += 1
                    return true
                }
                return false
            }
        case 0x22: return string() != nil
        case 0x74: return literal("true")
        case 0x66: return literal("false")
        case 0x6E: return literal("null")
        default:
            let s = i
            var isFloat = false
            while i < b.count, B.isDigit(b[i]) || b[i] == 0x2D || b[i] == 0x2B || b[i] == 0x2E || b[i] == 0x65 || b[i] == 0x45 {
                if b[i] == 0x2E || b[i] == 0x65 || b[i] == 0x45 { isFloat = true }
                i += 1
            }
            let text = UnsafeBufferPointer(rebasing: b[s..<i])
            guard i > s, let path else { return false }
            if !isFloat, let v = GoNumber.parseInt(text).value {
                out.append(LogMetric(path, .int(v)))
                return true
            }
            switch GoNumber.parseFloat(text) {
            case .value(let d): out.append(LogMetric(path, .float(d)))
            // Python's json reads a float beyond the range as an infinity.
            case .outOfRange: out.append(LogMetric(path, .float(b[s] == 0x2D ? -.infinity : .infinity)))
            case .invalid: return false
            }
            return true
        }
    }

    mutating func literal(_ word: StaticString) -> Bool {
        guard B.has(b.baseAddress!, b.count, i, word) else { return false }
        i += word.utf8CodeUnitCount
        return true
    }

    mutating func string() -> String? {
        guard i < b.count, b[i] == 0x22 else { return nil }
        i += 1
        var bytes: [UInt8] = []
        while i < b.count {
            let c = b[i]
            i += 1
            if c == 0x22 { return String(validating: bytes, as: UTF8.self) }
            if c == 0x5C {
                guard i < b.count else { return nil }
                let e = b[i]
                i += 1
                switch e {
                case 0x6E: bytes.append(0x0A)
                case 0x74: bytes.append(0x09)
                case 0x72: bytes.append(0x0D)
                case 0x62: bytes.append(0x08)
                case 0x66: bytes.append(0x0C)
                case 0x75:
                    guard i + 4 <= b.count, let u = UInt32(String(decoding: UnsafeBufferPointer(rebasing: b[i..<i + 4]), as: UTF8.self), radix: 16) else { return nil }
                    i += 4
                    bytes.append(contentsOf: Array(String(Character(Unicode.Scalar(u) ?? "\u{FFFD}")).utf8))
                default: bytes.append(e)
                }
            } else {
                bytes.append(c)
            }
        }
        return nil
    }
}
