/// One Telegraf graphite template: how the parts of a path (`servers.web01.cpu.load`) become a
/// measurement name, tags and a field name.
///
/// The pattern is split on the template's separator (`.` unless the template line names another);
/// each part says what the path part at the same position is:
/// `measurement`, `measurement*` (this and every later part), `field`, `field*`, a tag name, or
/// nothing (skip the part). Repeated measurement, field or tag parts are joined with the joiner
/// (Telegraf's `separator` option).
///
///     let t = try GraphiteTemplate("env.zone.host.measurement*")
///     t.apply("prod.us-west.server01.cpu.load", joiner: ".")
///     // measurement "cpu.load", tags env=prod host=server01 zone=us-west, field ""
public struct GraphiteTemplate: Sendable, Hashable {
    /// What one part of the pattern takes from the path.
    public enum Part: Sendable, Hashable {
        case skip
        case measurement
        case greedyMeasurement
        case field
        case greedyField
        case tag(String)
    }

    /// The pattern as given.
    public let pattern: String
    /// The separator the pattern and the paths are split on.
    public let separator: String
    public let parts: [Part]
    /// Tags the template adds to every metric it names (`k=v,...` after the pattern).
    public let tags: [Tag]

    /// Parses a pattern.
    /// - Throws: ``FormatError/invalidOption(_:_:)`` for `flag` when the pattern has no part that
    ///   starts with `measurement`, or has both `measurement*` and `field*`.
    public init(_ pattern: String, separator: String = ".", tags: [Tag] = [], flag: String = "--templates") throws(FormatError) {
        guard !separator.isEmpty else {
            throw .invalidOption(flag, "template \"\(pattern)\": the separator is empty")
        }
        let raw = GraphiteTemplate.split(Substring(pattern), separator)
        var parts: [Part] = []
        parts.reserveCapacity(raw.count)
        var hasMeasurement = false
        var greedyMeasurement = false
        var greedyField = false
        for p in raw {
            if p.hasPrefix("measurement") { hasMeasurement = true }
            switch p {
            case "": parts.append(.skip)
            case "measurement": parts.append(.measurement)
            case "measurement*":
                parts.append(.greedyMeasurement)
                greedyMeasurement = true
            case "field": parts.append(.field)
            case "field*":
                parts.append(.greedyField)
                greedyField = true
            default: parts.append(.tag(String(p)))
            }
        }
        guard hasMeasurement else {
            throw .invalidOption(flag, "template \"\(pattern)\" has no measurement part (example: --templates 'servers.* .host.measurement*')")
        }
        if greedyMeasurement && greedyField {
            throw .invalidOption(flag, "template \"\(pattern)\" uses both measurement* and field*: only one of them can take the rest of the path")
        }
        self.pattern = pattern
        self.separator = separator
        self.parts = parts
        self.tags = tags
        isWholePath = parts == [.greedyMeasurement] && tags.isEmpty
        separatorFirstByte = separator.utf8.first ?? 0
    }

    /// `measurement*` alone, no tags: the whole path is the measurement, nothing to split.
    public let isWholePath: Bool
    private let separatorFirstByte: UInt8

    /// Applies the template to a path (the part before any `;tags`).
    ///
    /// - Parameters:
    ///   - path: the metric path, split on ``separator``.
    ///   - joiner: joins repeated measurement, field and tag parts.
    /// - Returns: the measurement (empty when the path gives none: the caller keeps the whole path),
    ///   the tags in no particular order, and the field name (empty: the caller uses `value`).
    public func apply(_ path: Substring, joiner: String) -> GraphiteTemplateMatch {
        // The default template on a plain path: the whole path is the measurement.
        if isWholePath && (joiner == separator || !path.utf8.contains(separatorFirstByte)) {
            return GraphiteTemplateMatch(measurement: String(path), tags: [], field: "")
        }
        let fields = GraphiteTemplate.split(path, separator)
        var measurement = ""
        var field = ""
        var tags: [Tag] = self.tags
        // Count parts, not characters: an empty part still takes a joiner.
        var measurementParts = 0
        var fieldParts = 0
        func append(_ s: inout String, _ count: inout Int, _ part: Substring) {
            if count > 0 { s += joiner }
            s += part
            count += 1
        }
        // As Telegraf does, a greedy part takes the rest of the path and the loop still goes on.
        for (i, part) in parts.enumerated() where i < fields.count {
            switch part {
            case .skip: continue
            case .measurement: append(&measurement, &measurementParts, fields[i])
            case .greedyMeasurement: for f in fields[i...] { append(&measurement, &measurementParts, f) }
            case .field: append(&field, &fieldParts, fields[i])
            case .greedyField: for f in fields[i...] { append(&field, &fieldParts, f) }
            case .tag(let key):
                if let k = tags.firstIndex(where: { $0.key == key }) {
                    tags[k].value += joiner
                    tags[k].value += fields[i]
                } else {
                    tags.append(Tag(key, String(fields[i])))
                }
            }
        }
        return GraphiteTemplateMatch(measurement: measurement, tags: tags, field: field)
    }

    /// Splits `s` on every occurrence of `separator` (byte-wise), keeping empty parts, as Go's
    /// `strings.Split`.
    static func split(_ s: Substring, _ separator: String) -> [Substring] {
        let sep = Array(separator.utf8)
        let u = s.utf8
        var out: [Substring] = []
        guard let first = sep.first else { return [s] }
        var start = u.startIndex
        var i = u.startIndex
        while i != u.endIndex {
            if u[i] == first {
                var j = u.index(after: i)
                var k = 1
                while k < sep.count, j != u.endIndex, u[j] == sep[k] {
                    j = u.index(after: j)
                    k += 1
                }
                if k == sep.count {
                    out.append(s[start..<i])
                    start = j
                    i = j
                    continue
                }
            }
            i = u.index(after: i)
        }
        out.append(s[start..<u.endIndex])
        return out
    }
}

/// What a template makes of a path.
public struct GraphiteTemplateMatch: Sendable, Hashable {
    /// Empty when the template gives none (the caller then keeps the whole path).
    public var measurement: String
    /// In no particular order; keys are unique.
    public var tags: [Tag]
    /// Empty when the template has no field part (the caller then uses `value`).
    public var field: String

    public init(measurement: String, tags: [Tag], field: String) {
        self.measurement = measurement
        self.tags = tags
        self.field = field
    }
}
