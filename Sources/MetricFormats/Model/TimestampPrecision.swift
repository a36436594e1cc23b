/// The unit of an integer timestamp on the wire: `ns`, `us`, `ms` or `s`.
///
/// Accepts Telegraf's duration spellings (`1ns`, `1us`, `1µs`, `1ms`, `1s`) and InfluxDB's
/// write-API spellings (`n`, `u`, `ms`, `s`).
public enum TimestampPrecision: String, Sendable, CaseIterable {
    case nanoseconds = "ns"
    case microseconds = "us"
    case milliseconds = "ms"
    case seconds = "s"

    public init?(parsing text: String) {
        var t = Substring(text)
        if t.hasPrefix("1") && t.count > 1 { t = t.dropFirst() }
        switch t {
        case "ns", "n": self = .nanoseconds
        case "us", "u", "µs", "μs": self = .microseconds
        case "ms": self = .milliseconds
        case "s": self = .seconds
        default: return nil
        }
    }

    /// Nanoseconds in one unit.
    public var nanoseconds: Int64 {
        switch self {
        case .nanoseconds: return 1
        case .microseconds: return 1_000
        case .milliseconds: return 1_000_000
        case .seconds: return 1_000_000_000
        }
    }

    /// Converts a wire value to nanoseconds; nil when it overflows Int64.
    public func toNanoseconds(_ value: Int64) -> Int64? {
        let (r, o) = value.multipliedReportingOverflow(by: nanoseconds)
        return o ? nil : r
    }

    /// Converts nanoseconds to this unit, truncating toward negative infinity as Go's integer division
    /// of UnixNano does for positive times.
    public func fromNanoseconds(_ ns: Int64) -> Int64 {
        ns / nanoseconds
    }
}

/// A check for the commonest timestamp mistake: a value in one precision read as another.
public enum TimestampSanity {
    /// 2001-09-09 in nanoseconds: anything after 1970 but before this, read as nanoseconds,
    /// was almost certainly written in a coarser unit.
    static let plausibleNanoseconds: Int64 = 1_000_000_000_000_000_000

    /// A warning text when `ns` (nanoseconds since the epoch) lands in 1970, which happens when
    /// seconds, milliseconds or microseconds of a recent date are read as nanoseconds; nil when it
    /// looks plausible. Only values that are a date after 1973 in a coarser unit are flagged, so
    /// small test values (`1`, `42`) pass quietly.
    public static func suspiciousPrecision(nanoseconds ns: Int64, flag: String) -> String? {
        let guess: String
        switch ns {
        case 100_000_000..<10_000_000_000: guess = "seconds"
        case 100_000_000_000..<10_000_000_000_000: guess = "milliseconds"
        case 100_000_000_000_000..<10_000_000_000_000_000: guess = "microseconds"
        default: return nil
        }
        return "timestamp \(ns) is in 1970 when read as nanoseconds; it looks like \(guess): set \(flag)"
    }
}
