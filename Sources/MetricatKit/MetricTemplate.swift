import MetricFormats

#if canImport(Glibc)
    import Glibc
#endif

/// A metric to generate again and again (`send --name --field --tag`, and `load`): fixed tags,
/// fields whose values are literals or generators.
///
///     --name speed --field value=10 --field 'jitter=random(1,10)' --field n=seq --tag host=web1
public struct MetricTemplate: Sendable {
    public var name: String
    public var tags: [Tag]
    public var fields: [(key: String, value: ValueGenerator)]

    public init(name: String, tags: [Tag] = [], fields: [(key: String, value: ValueGenerator)]) {
        self.name = name
        self.tags = tags
        self.fields = fields
    }

    /// Parses `--field` arguments (`key=VALUE`) into generators.
    /// - Throws: a message naming the flag and showing an example.
    public static func parseField(_ text: String) throws(TemplateError) -> (String, ValueGenerator) {
        guard let eq = text.firstIndex(of: "="), eq != text.startIndex else {
            throw TemplateError("--field '\(text)': expected key=value (example: --field value=10 or --field 'v=random(1,10)')")
        }
        let key = String(text[..<eq])
        let value = String(text[text.index(after: eq)...])
        return (key, try ValueGenerator(parsing: value, field: key))
    }

    /// Parses a `--tag` argument (`key=value`).
    public static func parseTag(_ text: String) throws(TemplateError) -> Tag {
        guard let eq = text.firstIndex(of: "="), eq != text.startIndex, text.index(after: eq) != text.endIndex else {
            throw TemplateError("--tag '\(text)': expected key=value (example: --tag host=web1)")
        }
        return Tag(String(text[..<eq]), String(text[text.index(after: eq)...]))
    }

}

/// Makes metric after metric from a template, keeping what generators need between metrics
/// (the index for `seq`, the running total of each `counter`).
public struct MetricGenerator {
    public let template: MetricTemplate
    public private(set) var index = 0
    private var counters: [Int64]
    private var sortedTags: [Tag]

    public init(_ template: MetricTemplate) {
        self.template = template
        counters = Array(repeating: 0, count: template.fields.count)
        var probe = Metric(name: template.name, tags: template.tags)
        probe.sortTags()
        sortedTags = probe.tags
    }

    /// The next metric at `time` (ns since the epoch, for `sine`); its timestamp is left nil.
    public mutating func next(time: Int64, rng: inout some RandomNumberGenerator) -> Metric {
        var m = Metric(name: template.name, tags: sortedTags, fields: [], timestamp: nil)
        m.fields.reserveCapacity(template.fields.count)
        for (i, (key, gen)) in template.fields.enumerated() {
            if case .counter = gen {
                counters[i] += Int64.random(in: 1...10, using: &rng)
                m.fields.append(Field(key, .int(counters[i])))
            } else {
                m.fields.append(Field(key, gen.value(index: index, time: time, rng: &rng)))
            }
        }
        index += 1
        return m
    }
}

/// A template problem, with the flag in its text.
public struct TemplateError: Error, CustomStringConvertible, Equatable {
    public var description: String
    init(_ d: String) { description = d }
}

/// A field value: a literal in line-protocol syntax (`10`, `10i`, `10u`, `true`, `"text"`, or bare
/// text as a string) or a generator: `random(a,b)`, `counter`, `seq`, `sine(period)`, `choice(a,b,...)`.
public enum ValueGenerator: Sendable, Equatable {
    case literal(FieldValue)
    /// Uniform in [a, b]: integers when both bounds are integers, else floats.
    case randomInt(Int64, Int64)
    case randomFloat(Double, Double)
    /// A growing counter: each metric adds a random 1...10 to the last value (as real counters grow);
    /// ``MetricGenerator`` keeps the running total.
    case counter
    /// 0, 1, 2, ...: the metric's index.
    case sequence
    /// sin(2π t / period), t the metric's time in seconds.
    case sine(periodSeconds: Double)
    /// One of the listed values, picked at random.
    case choice([FieldValue])

    public init(parsing text: String, field: String) throws(TemplateError) {
        func args(_ s: String, _ name: String) -> [String]? {
            guard s.hasPrefix(name + "("), s.hasSuffix(")") else { return nil }
            let inner = s.dropFirst(name.count + 1).dropLast()
            return inner.split(separator: ",", omittingEmptySubsequences: false).map { String($0).trimmingSpaces() }
        }
        let t = text.trimmingSpaces()
        if t == "counter" {
            self = .counter
            return
        }
        if t == "seq" {
            self = .sequence
            return
        }
        if let a = args(t, "random") {
            guard a.count == 2 else { throw TemplateError("--field \(field)=\(text): random takes two bounds (example: random(1,10))") }
            if let lo = Int64(a[0]), let hi = Int64(a[1]), lo <= hi {
                self = .randomInt(lo, hi)
            } else if let lo = Double(a[0]), let hi = Double(a[1]), lo <= hi, lo.isFinite, hi.isFinite {
                // Bounds further apart than the largest Double have no uniform distribution.
                guard (hi - lo).isFinite else {
                    throw TemplateError("--field \(field)=\(text): random bounds must be at most 1.7976931348623157e308 apart (example: random(-1e307,1e307))")
                }
                self = .randomFloat(lo, hi)
            } else {
                throw TemplateError("--field \(field)=\(text): random needs two numbers, the lower first (example: random(1,10) or random(0.5,2.5))")
            }
            return
        }
        if let a = args(t, "sine") {
            guard a.count == 1, let p = Self.seconds(a[0]), p > 0 else {
                throw TemplateError("--field \(field)=\(text): sine takes a period (example: sine(60s) or sine(10))")
            }
            self = .sine(periodSeconds: p)
            return
        }
        if let a = args(t, "choice") {
            guard !a.isEmpty, !(a.count == 1 && a[0].isEmpty) else {
                throw TemplateError("--field \(field)=\(text): choice needs at least one value (example: choice(GET,POST))")
            }
            self = .choice(a.map(Self.literal))
            return
        }
        if t.contains("(") && t.hasSuffix(")") && !t.hasPrefix("\"") {
            throw TemplateError("--field \(field)=\(text): unknown generator (use random(a,b), counter, seq, sine(period) or choice(a,b,...))")
        }
        self = .literal(Self.literal(t))
    }

    /// A literal in line-protocol field syntax; anything else is a string.
    static func literal(_ t: String) -> FieldValue {
        if t.count >= 2, t.hasPrefix("\""), t.hasSuffix("\"") { return .string(String(t.dropFirst().dropLast())) }
        if t.hasSuffix("i"), let v = Int64(t.dropLast()) { return .int(v) }
        if t.hasSuffix("u"), let v = UInt64(t.dropLast()) { return .uint(v) }
        switch t {
        case "t", "T", "true", "True", "TRUE": return .bool(true)
        case "f", "F", "false", "False", "FALSE": return .bool(false)
        default: break
        }
        if let d = Double(t), d.isFinite { return .float(d) }
        return .string(t)
    }

    /// Seconds in `10`, `10s`, `500ms`, `2m`, `1h`.
    static func seconds(_ s: String) -> Double? {
        DurationText.parseSeconds(s)
    }

    /// The value for metric `index` at `time`.
    public func value(index: Int, time: Int64, rng: inout some RandomNumberGenerator) -> FieldValue {
        switch self {
        case .literal(let v): return v
        case .randomInt(let lo, let hi): return .int(Int64.random(in: lo...hi, using: &rng))
        case .randomFloat(let lo, let hi): return .float(lo == hi ? lo : Double.random(in: lo...hi, using: &rng))
        case .counter: return .int(Int64(index))  // without a MetricGenerator's state: the index
        case .sequence: return .int(Int64(index))
        case .sine(let p):
            let t = Double(time) / 1e9
            return .float(sin(2 * Double.pi * t / p))
        case .choice(let values): return values[Int.random(in: 0..<values.count, using: &rng)]
        }
    }
}

/// Durations as written on the command line: `500ms`, `2s`, `1.5m`, `1h`, `250us`; a bare number is
/// seconds. (Named so that it does not hide the standard library's `Duration`.)
public enum DurationText {
    public static func parseSeconds(_ text: String) -> Double? {
        let t = text.trimmingSpaces()
        let units: [(String, Double)] = [("ns", 1e-9), ("us", 1e-6), ("µs", 1e-6), ("ms", 1e-3), ("s", 1), ("m", 60), ("h", 3600)]
        for (suffix, factor) in units where t.hasSuffix(suffix) {
            guard let v = Double(t.dropLast(suffix.count)), v.isFinite, v >= 0 else { return nil }
            return v * factor
        }
        guard let v = Double(t), v.isFinite, v >= 0 else { return nil }
        return v
    }

    /// Nanoseconds of a duration text, or nil.
    public static func parseNanoseconds(_ text: String) -> Int64? {
        guard let s = parseSeconds(text), s < 9e9 else { return nil }
        return Int64((s * 1e9).rounded())
    }
}

extension String {
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while s.first == " " { s = s.dropFirst() }
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }
}
