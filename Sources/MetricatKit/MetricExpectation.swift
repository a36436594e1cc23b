import MetricFormats

/// A metric to wait for (`listen --expect-metric 'name,tag=v field>0'`): a measurement name,
/// tags that must be present with these values, and field conditions.
///
///     cpu,host=web1 usage_idle>0 usage_user<=100
///     deploys metric_type=="counter"        (a string comparison)
public struct MetricExpectation: Sendable, Equatable, CustomStringConvertible {
    public enum Comparison: String, Sendable, Equatable, CaseIterable {
        case greaterOrEqual = ">="
        case lessOrEqual = "<="
        case notEqual = "!="
        case equal = "=="
        case greater = ">"
        case less = "<"
    }

    public struct Condition: Sendable, Equatable {
        public var field: String
        public var comparison: Comparison
        public var value: FieldValue
    }

    public var name: String
    public var tags: [Tag]
    public var conditions: [Condition]
    public let description: String

    /// Parses the spec.
    /// - Throws: a message that shows a correct example.
    public init(parsing text: String) throws(TemplateError) {
        description = text
        let example = "(example: --expect-metric 'cpu,host=web1 usage_idle>0')"
        let words = text.split(separator: " ", omittingEmptySubsequences: true)
        guard let series = words.first else { throw TemplateError("--expect-metric: empty \(example)") }
        let parts = series.split(separator: ",", omittingEmptySubsequences: false)
        guard let first = parts.first, !first.isEmpty else { throw TemplateError("--expect-metric '\(text)': the measurement name is missing \(example)") }
        name = String(first)
        tags = []
        for p in parts.dropFirst() {
            guard let eq = p.firstIndex(of: "="), eq != p.startIndex, p.index(after: eq) != p.endIndex else {
                throw TemplateError("--expect-metric '\(text)': '\(p)' is not tag=value \(example)")
            }
            tags.append(Tag(String(p[..<eq]), String(p[p.index(after: eq)...])))
        }
        conditions = []
        for w in words.dropFirst() {
            guard let (range, op) = Comparison.allCases.lazy.compactMap({ op in w.firstRange(of: op.rawValue).map { ($0, op) } }).first,
                range.lowerBound != w.startIndex, range.upperBound != w.endIndex
            else {
                throw TemplateError("--expect-metric '\(text)': '\(w)' is not a field condition like value>0 or status==\"ok\" \(example)")
            }
            let field = String(w[..<range.lowerBound])
            let literal = String(w[range.upperBound...])
            conditions.append(Condition(field: field, comparison: op, value: ValueGenerator.literal(literal)))
        }
    }

    /// True when `metric` has the name, the tags and meets every condition.
    public func matches(_ metric: Metric) -> Bool {
        guard metric.name == name else { return false }
        for t in tags where metric.tag(t.key) != t.value { return false }
        for c in conditions {
            guard let v = metric.field(c.field) else { return false }
            if !Self.compare(v, c.comparison, c.value) { return false }
        }
        return true
    }

    static func compare(_ a: FieldValue, _ op: Comparison, _ b: FieldValue) -> Bool {
        if let x = a.numeric, let y = b.numeric {
            switch op {
            case .greater: return x > y
            case .less: return x < y
            case .greaterOrEqual: return x >= y
            case .lessOrEqual: return x <= y
            case .equal: return x == y
            case .notEqual: return x != y
            }
        }
        let x = a.text
        let y = b.text
        switch op {
        case .equal: return x == y
        case .notEqual: return x != y
        case .greater: return x > y
        case .less: return x < y
        case .greaterOrEqual: return x >= y
        case .lessOrEqual: return x <= y
        }
    }
}

extension FieldValue {
    /// Numbers and bools as Double, for comparisons; nil for strings.
    var numeric: Double? {
        switch self {
        case .string: return nil
        default: return doubleValue
        }
    }

    var text: String {
        switch self {
        case .string(let s): return s
        case .bool(let b): return b ? "true" : "false"
        case .float(let v): return "\(v)"
        case .int(let v): return "\(v)"
        case .uint(let v): return "\(v)"
        }
    }
}
