import MetricFormats

/// A metric value as Logster computes it: Python ints stay ints (`numSent 3`), floats are floats
/// (`pctSent 0.0`), so the text matches Python 3's `str()` byte for byte.
public enum LogValue: Sendable, Equatable {
    case int(Int64)
    case float(Double)

    public var double: Double {
        switch self {
        case .int(let i): return Double(i)
        case .float(let d): return d
        }
    }

    public var fieldValue: FieldValue {
        switch self {
        case .int(let i): return .int(i)
        case .float(let d): return .float(d)
        }
    }

    /// Python 3 `str()`: `2`, `0.0`, `0.016666666666666666`, `1e-07`, `1e+16`, `inf`, `nan`.
    public var pythonText: String {
        switch self {
        case .int(let i): return String(i)
        case .float(let d): return LogValue.pythonRepr(d)
        }
    }

    /// Python 3's `repr(float)`: shortest round-trip digits; exponent form when the decimal point
    /// would sit more than 16 places right or 4 places left (`1e-05`, `1e+16`), else fixed with `.0`.
    public static func pythonRepr(_ v: Double) -> String {
        if v.isNaN { return "nan" }
        if v.isInfinite { return v < 0 ? "-inf" : "inf" }
        if v == 0 { return v.sign == .minus ? "-0.0" : "0.0" }
        let (digits, decpt) = shortestDigits(abs(v))
        var out = v < 0 ? "-" : ""
        let n = digits.count
        if decpt > -4 && decpt <= 16 {
            if decpt <= 0 {
                out += "0." + String(repeating: "0", count: -decpt) + digits
            } else if decpt >= n {
                out += digits + String(repeating: "0", count: decpt - n) + ".0"
            } else {
                let i = digits.index(digits.startIndex, offsetBy: decpt)
                out += digits[..<i] + "." + digits[i...]
            }
        } else {
            let e = decpt - 1
            out += String(digits.first!)
            if n > 1 { out += "." + digits.dropFirst() }
            out += e < 0 ? "e-" : "e+"
            let mag = String(abs(e))
            out += (mag.count < 2 ? "0" : "") + mag
        }
        return out
    }

    /// Digits (no leading/trailing zeros) and exponent with v = 0.DIGITS × 10^exponent, from Swift's
    /// shortest round-trip description (the same digits Python's repr picks).
    static func shortestDigits(_ v: Double) -> (String, Int) {
        let text = v.description
        var digits = ""
        var point: Int? = nil
        var exp = 0
        var chars = Substring(text)
        if let e = chars.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            exp = Int(chars[chars.index(after: e)...].replacingOccurrences(of: "+", with: "")) ?? 0
            chars = chars[..<e]
        }
        for c in chars {
            if c == "." { point = digits.count } else { digits.append(c) }
        }
        let intDigits = point ?? digits.count
        var lead = 0
        for c in digits { if c == "0" { lead += 1 } else { break } }
        digits.removeFirst(lead)
        while digits.last == "0" { digits.removeLast() }
        return (digits, intDigits + exp - lead)
    }
}

extension Substring {
    fileprivate func replacingOccurrences(of a: String, with b: String) -> String {
        String(self).split(separator: Character(a), omittingEmptySubsequences: false).joined(separator: b)
    }
}

/// One metric a parser reports: a name (before prefix and suffix), tags from named captures, a value.
public struct LogMetric: Sendable, Equatable {
    public var name: String
    public var tags: [Tag]
    public var value: LogValue

    public init(_ name: String, _ value: LogValue, tags: [Tag] = []) {
        self.name = name
        self.value = value
        self.tags = tags
    }
}

/// How a parser turns counts into values: per second over the time since the last run (Logster),
/// or raw totals (`--totals`).
public struct RateContext: Sendable {
    /// Whole seconds since the previous run; 0 is possible (two runs in one second).
    public var duration: Int64
    public var totals: Bool

    public init(duration: Int64, totals: Bool) {
        self.duration = duration
        self.totals = totals
    }

    /// Logster's `count / duration`; a raw count with `--totals`; a duration of 0 divides by 1
    /// instead of aborting (Logster raises ZeroDivisionError there).
    public func rate(_ count: Int) -> LogValue {
        if totals { return .int(Int64(count)) }
        return .float(Double(count) / Double(max(duration, 1)))
    }

    public func rate(_ sum: Double) -> LogValue {
        if totals { return .float(sum) }
        return .float(sum / Double(max(duration, 1)))
    }
}
