import MetricFormats

/// A user-defined rule: a metric from the lines a regex finds (anywhere in the line, not only at
/// its start as Logster's `re.match`). Named captures become tags; `value` is the number for
/// sums, timers and gauges.
public struct LogRule: @unchecked Sendable {
    public enum Kind: String, Sendable, CaseIterable {
        /// Lines that match, per second (or total).
        case count
        /// The sum of `value`, per second (or total).
        case sum
        /// `.mean`, `.median`, `.<p>th_percentile` of `value` (Logster's timer arithmetic).
        case timer
        /// The last `value` seen.
        case gauge
    }

    public let kind: Kind
    public let name: String
    public let pattern: String
    let regex: Regex<AnyRegexOutput>
    /// The same pattern compiled for ASCII lines, when it stays within ``ByteRegex``'s subset.
    let byteRegex: ByteRegex?
    /// A literal every matching line contains, checked with a byte search before the regex runs.
    public let prefilter: [UInt8]?
    /// The pattern starts with `prefilter`: a match can only start where the literal occurs, so the
    /// regex runs anchored there instead of scanning the line.
    public let leadingLiteral: Bool
    /// The pattern is a plain literal: a byte search alone decides (no regex run at all).
    public let plainLiteral: Bool
    let tagNames: [String]

    /// Parses `NAME=REGEX` for `kind`.
    /// - Throws: ``TailLogError/invalidRule(_:_:)`` for a missing name, a regex that does not
    ///   compile, or a sum/timer/gauge without a `(?<value>...)` capture.
    public init(kind: Kind, spec: String) throws(TailLogError) {
        guard let eq = spec.firstIndex(of: "="), eq != spec.startIndex else {
            throw .invalidRule(spec, "expected NAME=REGEX (example: --\(kind.rawValue) 'errors=ERROR (?<code>\\d+)')")
        }
        try self.init(kind: kind, name: String(spec[..<eq]), pattern: String(spec[spec.index(after: eq)...]))
    }

    public init(kind: Kind, name: String, pattern: String) throws(TailLogError) {
        self.kind = kind
        self.name = name
        self.pattern = pattern
        guard !pattern.isEmpty else { throw .invalidRule(name, "empty regex") }
        do {
            regex = try Regex(pattern).matchingSemantics(.unicodeScalar)
        } catch {
            throw .invalidRule("\(name)=\(pattern)", "the regex does not compile: \(error)")
        }
        let names = Self.captureNames(pattern)
        if kind != .count && !names.contains("value") {
            throw .invalidRule("\(name)=\(pattern)", "a \(kind.rawValue) rule needs a named capture 'value' (example: 'time=(?<value>[0-9.]+)ms')")
        }
        tagNames = names.filter { $0 != "value" }
        byteRegex = ByteRegex(pattern)
        let lit = Self.requiredLiteral(pattern)
        prefilter = lit?.bytes
        leadingLiteral = lit?.leading ?? false
        plainLiteral = lit?.bytes.count == pattern.utf8.count && kind == .count
    }

    /// Rules from a file: `KIND NAME REGEX` per line (`count errors ERROR (?<code>\d+)`), `#` comments.
    public static func load(file text: String, path: String) throws(TailLogError) -> [LogRule] {
        var rules: [LogRule] = []
        for (n, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.drop { $0 == " " || $0 == "\t" }
            if line.isEmpty || line.hasPrefix("#") { continue }
            let parts = line.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true)
            guard parts.count == 3, let kind = Kind(rawValue: String(parts[0])) else {
                throw .invalidRule(String(line), "\(path):\(n + 1): expected KIND NAME REGEX with KIND one of count, sum, timer, gauge")
            }
            do {
                rules.append(try LogRule(kind: kind, name: String(parts[1]), pattern: String(parts[2])))
            } catch {
                throw .invalidRule(String(line), "\(path):\(n + 1): \(error)")
            }
        }
        return rules
    }

    /// Names of `(?<name>...)` and `(?P<name>...)` groups, in order.
    static func captureNames(_ pattern: String) -> [String] {
        var names: [String] = []
        let b = Array(pattern.utf8)
        var i = 0
        while i + 3 < b.count {
            if b[i] == 0x5C { i += 2; continue }
            if b[i] == 0x28, b[i + 1] == 0x3F {
                var j = i + 2
                if j < b.count, b[j] == 0x50 { j += 1 }  // (?P<name>
                if j < b.count, b[j] == 0x3C, j + 1 < b.count, b[j + 1] != 0x3D, b[j + 1] != 0x21 {
                    var k = j + 1
                    while k < b.count, b[k] != 0x3E { k += 1 }
                    names.append(String(decoding: b[(j + 1)..<k], as: UTF8.self))
                    i = k
                }
            }
            i += 1
        }
        return names
    }

    /// The longest run of literal bytes that every match must contain, from the top level of a
    /// pattern without alternation or flags; nil when none of 3 bytes or more is certain.
    static func requiredLiteral(_ pattern: String) -> (bytes: [UInt8], leading: Bool)? {
        let b = Array(pattern.utf8)
        if b.contains(0x7C) || pattern.contains("(?i") || pattern.contains("(?x") || pattern.contains("(?s") { return nil }
        var best: [UInt8] = []
        var bestLeading = false
        var run: [UInt8] = []
        var runLeading = true  // the current run started at the very beginning of the pattern
        func endRun() {
            if run.count > best.count || (run.count == best.count && runLeading && !best.isEmpty) {
                best = run
                bestLeading = runLeading
            }
            run = []
            runLeading = false
        }
        var i = 0
        var depth = 0
        while i < b.count {
            let c = b[i]
            var literal: UInt8? = nil
            var width = 1
            switch c {
            case 0x5C:  // escape
                guard i + 1 < b.count else { return nil }
                let e = b[i + 1]
                width = 2
                if ".*+?()[]{}|^$\\/-\" '#:=<>@%&,;~`!".utf8.contains(e) { literal = e }
            case 0x5B:  // character class: skip it
                var j = i + 1
                if j < b.count, b[j] == 0x5E { j += 1 }
                if j < b.count, b[j] == 0x5D { j += 1 }
                while j < b.count, b[j] != 0x5D { if b[j] == 0x5C { j += 1 }; j += 1 }
                width = j - i + 1
            case 0x28: depth += 1
            case 0x29: depth -= 1
            case 0x2E, 0x5E, 0x24, 0x2A, 0x2B, 0x3F, 0x7B, 0x7D: break
            default: literal = c
            }
            i += width
            // A quantifier after the atom makes it optional or repeated: it ends the run.
            let q: UInt8? = i < b.count ? b[i] : nil
            let optional = q == 0x3F || q == 0x2A || q == 0x7B
            if let l = literal, depth == 0, !optional {
                run.append(l)
                if q == 0x2B { endRun() }
            } else {
                endRun()
            }
        }
        endRun()
        return best.count >= 3 ? (best, bestLeading) : nil
    }
}

/// Applies the user rules to every line and aggregates per rule and tag values.
final class RuleParser: LogParser {
    struct Series {
        var tags: [Tag]
        var count = 0
        var sum = 0.0
        var values: [Double] = []
        var last = 0.0
    }

    let rules: [LogRule]
    var series: [[Series]]
    var index: [[String: Int]]
    let percentiles: [(String, Int)]
    var captures: [Range<Int>?] = []

    init(_ rules: [LogRule], percentiles: [(String, Int)] = [("90", 90)]) {
        self.rules = rules
        series = Array(repeating: [], count: rules.count)
        index = Array(repeating: [:], count: rules.count)
        self.percentiles = percentiles
    }

    func parse(_ line: UnsafeRawBufferPointer, complete: Bool) -> Bool {
        var text: String? = nil
        var any = false
        for (r, rule) in rules.enumerated() {
            var at = 0
            if let lit = rule.prefilter {
                guard let hit = Self.find(line, lit, from: 0) else { continue }
                at = hit
            }
            var tags: [Tag] = []
            var value: Double? = nil
            if !rule.plainLiteral, let br = rule.byteRegex, Self.isASCII(line) {
                let p = line.baseAddress!.assumingMemoryBound(to: UInt8.self)
                var matched = false
                if rule.leadingLiteral, let lit = rule.prefilter {
                    var k: Int? = at
                    while let start = k, !matched {
                        matched = br.firstMatch(p, line.count, from: start, anchored: true, captures: &captures)
                        k = Self.find(line, lit, from: start + 1)
                    }
                } else {
                    matched = br.firstMatch(p, line.count, captures: &captures)
                }
                guard matched else { continue }
                for (g, name) in br.names.enumerated() {
                    guard let name, let r = captures[g] else { continue }
                    let text = B.string(p, r)
                    if name == "value" { value = B.pythonFloat(text) } else { tags.append(Tag(name, text)) }
                }
            } else if !rule.plainLiteral {
                if text == nil {
                    guard let t = String(validating: line.bindMemory(to: UInt8.self), as: UTF8.self) else { return false }
                    text = t
                }
                let t = text!
                var found: Regex<AnyRegexOutput>.Match? = nil
                if rule.leadingLiteral, let lit = rule.prefilter {
                    // Anchored runs at each occurrence of the literal the match must start with.
                    var k: Int? = at
                    while let start = k, found == nil {
                        let i = t.utf8.index(t.startIndex, offsetBy: start)
                        found = try? rule.regex.prefixMatch(in: t[i...])
                        k = Self.find(line, lit, from: start + 1)
                    }
                } else {
                    found = try? rule.regex.firstMatch(in: t)
                }
                guard let match = found else { continue }
                for el in match.output {
                    guard let name = el.name, let sub = el.substring else { continue }
                    if name == "value" { value = B.pythonFloat(String(sub)) } else { tags.append(Tag(name, String(sub))) }
                }
            }
            if rule.kind != .count && value == nil { continue }
            let key = tags.map(\.value).joined(separator: "\u{1F}")
            let i: Int
            if let k = index[r][key] { i = k } else {
                i = series[r].count
                index[r][key] = i
                series[r].append(Series(tags: tags))
            }
            series[r][i].count += 1
            if let v = value {
                series[r][i].sum += v
                series[r][i].last = v
                if rule.kind == .timer { series[r][i].values.append(v) }
            }
            any = true
        }
        return any
    }

    /// Whether `needle` occurs in `line` (memchr on the first byte, then compare).
    /// True when every byte is below 0x80 (eight at a time).
    static func isASCII(_ line: UnsafeRawBufferPointer) -> Bool {
        var i = 0
        let n = line.count
        while i + 8 <= n {
            if line.loadUnaligned(fromByteOffset: i, as: UInt64.self) & 0x8080_8080_8080_8080 != 0 { return false }
            i += 8
        }
        while i < n {
            if line[i] >= 0x80 { return false }
            i += 1
        }
        return true
    }

    static func contains(_ line: UnsafeRawBufferPointer, _ needle: [UInt8]) -> Bool { find(line, needle, from: 0) != nil }

    /// The first offset `>= from` where `needle` occurs in `line`.
    static func find(_ line: UnsafeRawBufferPointer, _ needle: [UInt8], from: Int) -> Int? {
        let n = line.count, m = needle.count
        guard m > 0, m <= n, let base = line.baseAddress else { return nil }
        let first = Int32(needle[0])
        var i = from
        return needle.withUnsafeBytes { nb -> Int? in
            while i <= n - m {
                guard let hit = memchr(base + i, first, n - m - i + 1) else { return nil }
                let at = base.distance(to: UnsafeRawPointer(hit))
                if memcmp(base + at, nb.baseAddress!, m) == 0 { return at }
                i = at + 1
            }
            return nil
        }
    }

    func metrics(_ rate: RateContext) -> [LogMetric] {
        var out: [LogMetric] = []
        for (r, rule) in rules.enumerated() {
            for s in series[r] {
                switch rule.kind {
                case .count: out.append(LogMetric(rule.name, rate.rate(s.count), tags: s.tags))
                case .sum: out.append(LogMetric(rule.name, rate.rate(s.sum), tags: s.tags))
                case .gauge: out.append(LogMetric(rule.name, .float(s.last), tags: s.tags))
                case .timer:
                    let sorted = s.values.sorted()
                    out.append(LogMetric(rule.name + ".mean", .float(s.values.reduce(0.0, +) / Double(s.values.count)), tags: s.tags))
                    out.append(LogMetric(rule.name + ".median", .float(MetricLineParser.percentile(sorted, 50)), tags: s.tags))
                    for (text, p) in percentiles {
                        out.append(LogMetric("\(rule.name).\(text)th_percentile", .float(MetricLineParser.percentile(sorted, p)), tags: s.tags))
                    }
                }
            }
        }
        return out
    }
}

#if canImport(Glibc)
import Glibc
#endif
