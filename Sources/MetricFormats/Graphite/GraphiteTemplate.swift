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

    /// `measurement*` alone: nothing to split.
    private let isWholePath: Bool
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
        var measurement: [Substring] = []
        var field: [Substring] = []
        var tagKeys: [String] = []
        var tagValues: [[Substring]] = []
        func addTag(_ key: String, _ value: Substring) {
            if let i = tagKeys.firstIndex(of: key) {
                tagValues[i].append(value)
            } else {
                tagKeys.append(key)
                tagValues.append([value])
            }
        }
        for t in tags { addTag(t.key, Substring(t.value)) }
        // As Telegraf does, a greedy part takes the rest of the path and the loop still goes on.
        for (i, part) in parts.enumerated() where i < fields.count {
            switch part {
            case .skip: continue
            case .measurement: measurement.append(fields[i])
            case .greedyMeasurement: measurement.append(contentsOf: fields[i...])
            case .field: field.append(fields[i])
            case .greedyField: field.append(contentsOf: fields[i...])
            case .tag(let key): addTag(key, fields[i])
            }
        }
        var out: [Tag] = []
        out.reserveCapacity(tagKeys.count)
        for (i, k) in tagKeys.enumerated() { out.append(Tag(k, GraphiteTemplate.join(tagValues[i], joiner))) }
        return GraphiteTemplateMatch(measurement: GraphiteTemplate.join(measurement, joiner), tags: out, field: GraphiteTemplate.join(field, joiner))
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

    static func join(_ parts: [Substring], _ joiner: String) -> String {
        if parts.count == 1 { return String(parts[0]) }
        return parts.joined(separator: joiner)
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
