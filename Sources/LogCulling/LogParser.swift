import MetricFormats

/// A line parser: fed every new line of a run, asked for its metrics at the end.
///
/// Lines come as bytes without their newline; `complete` is false only for the unterminated
/// last line of a rotated file (Logster's regexes see the `\n` and some need it).
public protocol LogParser: AnyObject {
    /// Reads one line; false when the line is not one this parser understands (counted as unmatched).
    func parse(_ line: UnsafeRawBufferPointer, complete: Bool) -> Bool
    /// The metrics of the run, in Logster's order, with rates over `rate.duration`.
    func metrics(_ rate: RateContext) -> [LogMetric]
}

/// The built-in parsers by their command-line name; Logster's class names are aliases.
public enum ParserKind: String, CaseIterable, Sendable {
    case sample, log4j, postfix, squid
    case apacheError = "apache-error"
    case metric, json

    /// `sample`, `SampleLogster`, `logster.parsers.SampleLogster.SampleLogster`, ...
    public init?(name: String) {
        let last = name.split(separator: ".").last.map(String.init) ?? name
        switch last.lowercased() {
        case "sample", "samplelogster": self = .sample
        case "log4j", "log4jlogster": self = .log4j
        case "postfix", "postfixlogster": self = .postfix
        case "squid", "squidlogster": self = .squid
        case "apache-error", "errorlog", "errorloglogster": self = .apacheError
        case "metric", "metriclogster": self = .metric
        case "json", "jsonlogster": self = .json
        default: return nil
        }
    }

    public static var names: String { allCases.map(\.rawValue).joined(separator: ", ") }
}

/// Options the built-in parsers take, from flags or Logster's `--parser-options` string.
public struct ParserSettings: Sendable {
    /// log4j: levels to count, in output order (Logster's `-l/--log-levels`).
    public var logLevels: [String] = ["WARN", "ERROR", "FATAL"]
    /// metric: percentiles of each timer (Logster's `-p/--percentiles`), kept as typed for the names.
    public var percentiles: [String] = ["90"]
    /// json: the separator of flattened keys (Logster's `-k/--key-separator`).
    public var keySeparator: String = "."

    public init() {}

    /// Applies Logster's `--parser-options` string: split on single spaces, no quoting, as Logster does.
    /// - Throws: ``TailLogError/invalidOption(_:_:)`` for an option the parser does not take.
    public mutating func apply(parserOptions text: String, for kind: ParserKind) throws(TailLogError) {
        let words = text.split(separator: " ").map(String.init)
        var i = 0
        func value(_ flag: String) throws(TailLogError) -> String {
            if let eq = words[i].firstIndex(of: "=") { return String(words[i][words[i].index(after: eq)...]) }
            i += 1
            guard i < words.count else { throw .invalidOption("--parser-options", "\(flag) needs a value") }
            return words[i]
        }
        while i < words.count {
            let w = words[i]
            let flag = w.split(separator: "=", maxSplits: 1).first.map(String.init) ?? w
            switch (kind, flag) {
            case (.log4j, "-l"), (.log4j, "--log-levels"): logLevels = try value(flag).split(separator: ",").map(String.init)
            case (.metric, "-p"), (.metric, "--percentiles"): percentiles = try value(flag).split(separator: ",").map(String.init)
            case (.json, "-k"), (.json, "--key-separator"): keySeparator = try value(flag)
            case (_, "-h"), (_, "--help"): break  // Logster's --parser-help; the flags are in `tail-log --help`
            default: throw .invalidOption("--parser-options", "'\(w)' is not an option of the \(kind.rawValue) parser")
            }
            i += 1
        }
    }

    /// Checks values the parsers rely on.
    public func validate() throws(TailLogError) {
        if logLevels.isEmpty || logLevels.contains(where: \.isEmpty) {
            throw .invalidOption("--log-levels", "give a comma-separated list of levels (example: WARN,ERROR,FATAL)")
        }
        for p in percentiles {
            guard let v = Int(p), v >= 0, v <= 100 else {
                throw .invalidOption("--percentiles", "'\(p)' is not a whole number from 0 to 100 (example: 50,90,99)")
            }
        }
    }

    /// A parser of `kind` with these settings.
    public func makeParser(_ kind: ParserKind) -> any LogParser {
        switch kind {
        case .sample: return SampleParser()
        case .log4j: return Log4jParser(levels: logLevels)
        case .postfix: return PostfixParser()
        case .squid: return SquidParser()
        case .apacheError: return ApacheErrorParser()
        case .metric: return MetricLineParser(percentiles: percentiles.map { ($0, Int($0) ?? 90) })
        case .json: return JSONLineParser(separator: keySeparator)
        }
    }
}

/// What `tail-log` can fail on, one case per failure.
public enum TailLogError: Error, Equatable, CustomStringConvertible {
    /// `--flag`: what is wrong.
    case invalidOption(String, String)
    /// A rule's regex does not compile or lacks a capture it needs.
    case invalidRule(String, String)
    /// The state file is unreadable or damaged.
    case badState(String, String)
    /// A file operation failed: path, what, errno text.
    case io(String, String)
    /// Flags that do not go together or lack a companion; the whole message.
    case usage(String)

    public var description: String {
        switch self {
        case .invalidOption(let flag, let reason): return "\(flag): \(reason)"
        case .invalidRule(let rule, let reason): return "rule '\(rule)': \(reason)"
        case .badState(let path, let reason): return "\(path): \(reason)"
        case .io(let path, let reason): return "\(path): \(reason)"
        case .usage(let message): return message
        }
    }
}

/// Byte helpers for the hand-written matchers.
@usableFromInline enum B {
    @inline(__always) @usableFromInline static func isDigit(_ c: UInt8) -> Bool { c &- 0x30 < 10 }
    /// Python's `\s` on ASCII: space, \t \n \v \f \r.
    @inline(__always) @usableFromInline static func isSpace(_ c: UInt8) -> Bool { c == 0x20 || (c >= 0x09 && c <= 0x0D) || c == 0x1C || c == 0x1D || c == 0x1E || c == 0x1F }
    /// Python's `\w` on ASCII.
    @inline(__always) @usableFromInline static func isWord(_ c: UInt8) -> Bool {
        isDigit(c) || (c | 0x20) &- 0x61 < 26 || c == 0x5F || c >= 0x80
    }
    /// `pattern` at `i` in `p[0..<n]`.
    @inline(__always) static func has(_ p: UnsafePointer<UInt8>, _ n: Int, _ i: Int, _ pattern: StaticString) -> Bool {
        let m = pattern.utf8CodeUnitCount
        if i < 0 || i + m > n { return false }
        let q = pattern.utf8Start
        for k in 0..<m where p[i + k] != q[k] { return false }
        return true
    }
    static func has(_ p: UnsafePointer<UInt8>, _ n: Int, _ i: Int, _ pattern: [UInt8]) -> Bool {
        if i < 0 || i + pattern.count > n { return false }
        for k in 0..<pattern.count where p[i + k] != pattern[k] { return false }
        return true
    }
    /// The last index `<= from` where `pattern` starts, or nil.
    static func lastIndex(of pattern: StaticString, in p: UnsafePointer<UInt8>, _ n: Int, atOrBefore from: Int, notBefore lo: Int = 0) -> Int? {
        var i = min(from, n - pattern.utf8CodeUnitCount)
        while i >= lo {
            if has(p, n, i, pattern) { return i }
            i -= 1
        }
        return nil
    }
    static func string(_ p: UnsafePointer<UInt8>, _ range: Range<Int>) -> String {
        String(decoding: UnsafeBufferPointer(start: p + range.lowerBound, count: range.count), as: UTF8.self)
    }
    /// Python's `float()` on ASCII text (surrounding whitespace allowed); nil where Python raises.
    static func pythonFloat(_ text: String) -> Double? {
        let t = text.trimmingWhitespace()
        if t.isEmpty { return nil }
        return Double(t)
    }
}

extension String {
    func trimmingWhitespace() -> String {
        var s = Substring(self)
        while let f = s.utf8.first, B.isSpace(f) { s = s.dropFirst() }
        while let l = s.utf8.last, B.isSpace(l) { s = s.dropLast() }
        return String(s)
    }
}

/// Counts of HTTP status classes, as Logster's sample and squid parsers bucket them:
/// below 200 is 1xx (000 included), 500 and above is 5xx (600, 999 included).
struct StatusClasses {
    var counts = [0, 0, 0, 0, 0]
    @inline(__always) mutating func add(_ status: Int) {
        let i = status < 200 ? 0 : status < 300 ? 1 : status < 400 ? 2 : status < 500 ? 3 : 4
        counts[i] &+= 1
    }
    func metrics(_ rate: RateContext) -> [LogMetric] {
        (0..<5).map { LogMetric("http_\($0 + 1)xx", rate.rate(counts[$0])) }
    }
}
