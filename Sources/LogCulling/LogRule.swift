import CMetricSys
import MetricCore
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
    /// The pattern compiled by PCRE2 (Perl and Python `re` syntax, UTF-8).
    let compiled: Pattern
    /// For a pattern that starts with its literal: the same pattern anchored, tried at each place
    /// the literal occurs (a search would scan the rest of the line after a failed start).
    let anchored: Pattern?
    /// A literal every matching line contains, checked with a byte search before the regex runs.
    public let prefilter: [UInt8]?
    /// The pattern starts with `prefilter`: a match can only start where the literal occurs, so the
    /// regex runs anchored there instead of scanning the line.
    public let leadingLiteral: Bool
    /// The pattern is a plain literal: a byte search alone decides (no regex run at all).
    public let plainLiteral: Bool
    let tagNames: [String]
    /// Group numbers of the named captures that become tags, in pattern order, and of `value`.
    let tagGroups: [Int]
    let valueGroup: Int?

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
            compiled = try Pattern(pattern)
        } catch {
            throw .invalidRule("\(name)=\(pattern)", "the regex does not compile: \(error)")
        }
        let named = compiled.groupNames.enumerated().compactMap { g, name in name.map { (g, $0) } }
        valueGroup = named.first { $0.1 == "value" }?.0
        if kind != .count && valueGroup == nil {
            throw .invalidRule("\(name)=\(pattern)", "a \(kind.rawValue) rule needs a named capture 'value' (example: 'time=(?<value>[0-9.]+)ms')")
        }
        tagNames = named.filter { $0.1 != "value" }.map(\.1)
        tagGroups = named.filter { $0.1 != "value" }.map(\.0)
        let lit = Self.requiredLiteral(pattern)
        anchored = lit?.leading == true ? try? Pattern(pattern, anchored: true) : nil
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
                while j < b.count, b[j] != 0x5D {
                    if b[j] == 0x5C { j += 1 }
                    j += 1
                }
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

    /// What matching one rule needs per line, reached by reference (a ``LogRule`` copied per line
    /// would retain and release each of its strings and arrays).
    final class Matcher {
        let rule: LogRule
        let compiled: Pattern
        let anchored: Pattern?
        let prefilter: [UInt8]?
        let leadingLiteral: Bool
        let plainLiteral: Bool
        let tagGroups: [Int]
        let valueGroup: Int?
        let kind: LogRule.Kind
        /// Series by the bytes of their tag values (each value, then 0x1F; 0x1E for an absent group).
        let index = ByteKeyTable()
        var series: [Series] = []
        init(_ rule: LogRule) {
            self.rule = rule
            compiled = rule.compiled
            anchored = rule.anchored
            prefilter = rule.prefilter
            leadingLiteral = rule.leadingLiteral
            plainLiteral = rule.plainLiteral
            tagGroups = rule.tagGroups
            valueGroup = rule.valueGroup
            kind = rule.kind
        }
    }

    let rules: [LogRule]
    let matchers: [Matcher]
    let percentiles: [(String, Int)]
    /// The series key of the current line, built in place.
    var key: [UInt8] = []

    init(_ rules: [LogRule], percentiles: [(String, Int)] = [("90", 90)]) {
        self.rules = rules
        matchers = rules.map(Matcher.init)
        self.percentiles = percentiles
    }

    func parse(_ line: UnsafeRawBufferPointer, complete: Bool) -> Bool {
        var any = false
        let bytes = line.assumingMemoryBound(to: UInt8.self)
        for m in matchers {
            var at = 0
            if let lit = m.prefilter {
                guard let hit = Self.find(line, lit, from: 0) else { continue }
                at = hit
            }
            key.removeAll(keepingCapacity: true)
            var value: Double? = nil
            if !m.plainLiteral {
                let matched: Pattern
                if let anchored = m.anchored, let lit = m.prefilter {
                    // A match starts where the literal does: try each place it occurs.
                    var start: Int? = at
                    while let s = start, !anchored.search(bytes, from: s) { start = Self.find(line, lit, from: s + 1) }
                    guard start != nil else { continue }
                    matched = anchored
                } else {
                    guard m.compiled.search(bytes) else { continue }
                    matched = m.compiled
                }
                for g in m.tagGroups {
                    if let range = matched.range(ofGroup: g) {
                        key.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[range]))
                        key.append(0x1F)
                    } else {
                        key.append(0x1E)  // a group that took no part: no tag
                    }
                }
                if let g = m.valueGroup, let range = matched.range(ofGroup: g) {
                    value = B.pythonFloat(String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self))
                }
            }
            if m.kind != .count && value == nil { continue }
            let i: Int
            if let k = key.withUnsafeBufferPointer({ m.index.value(for: $0) }) {
                i = k
            } else {
                i = m.series.count
                key.withUnsafeBufferPointer { m.index.set(i, for: $0) }
                m.series.append(Series(tags: Self.tags(m, matched: m.anchored ?? m.compiled, bytes)))
            }
            m.series[i].count += 1
            if let v = value {
                m.series[i].sum += v
                m.series[i].last = v
                if m.kind == .timer { m.series[i].values.append(v) }
            }
            any = true
        }
        return any
    }

    /// The tags of a new series, from the captures of the search that just matched.
    static func tags(_ m: Matcher, matched: Pattern, _ bytes: UnsafeBufferPointer<UInt8>) -> [Tag] {
        var tags: [Tag] = []
        for (n, g) in m.tagGroups.enumerated() {
            guard let range = matched.range(ofGroup: g) else { continue }
            tags.append(Tag(m.rule.tagNames[n], String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)))
        }
        return tags
    }

    /// Whether `needle` occurs in `line` (memchr on the first byte, then compare).
    static func contains(_ line: UnsafeRawBufferPointer, _ needle: [UInt8]) -> Bool { find(line, needle, from: 0) != nil }

    /// The first offset `>= from` where `needle` occurs in `line` (glibc's memmem: a line holds
    /// many quotes and spaces, on which a memchr of the first byte stops every few bytes).
    static func find(_ line: UnsafeRawBufferPointer, _ needle: [UInt8], from: Int) -> Int? {
        let n = line.count
        let m = needle.count
        guard m > 0, from <= n - m, let base = line.baseAddress else { return nil }
        return needle.withUnsafeBytes { nb -> Int? in
            guard let hit = cms_memmem(base + from, n - from, nb.baseAddress!, m) else { return nil }
            return base.distance(to: hit)
        }
    }

    func metrics(_ rate: RateContext) -> [LogMetric] {
        var out: [LogMetric] = []
        for m in matchers {
            let rule = m.rule
            for s in m.series {
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
