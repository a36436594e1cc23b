import Testing

@testable import MetricFormats

/// Nothing metricat writes may be unreadable by the format's own rules: any metric the parsers can
/// produce, with every awkward byte in its names, keys and values, serialized in every format, parses
/// back without an error, or the serializer reported why it changed or skipped something.
@Suite struct SerializerReadBackTests {
    /// Bytes that break formats: quotes, backslashes, separators, whitespace, newlines, NUL, unicode.
    static let awkward: [String] = [
        "\"", "\\", "\n", "\r", "\r\n", "\u{0}", "\t", " ", ",", "=", ";", ":", "|", "#", "@", "{", "}", "*", "é", "☢", "\u{2028}", "",
        "a\\", "\\\"", "x y", "a=b", "a,b", "le", "__name__", "-", ".", "..", "_",
    ]

    static func word(_ rng: inout SplitMix) -> String {
        var s = ""
        for _ in 0..<Int.random(in: 0...3, using: &rng) {
            if Bool.random(using: &rng) {
                s += awkward.randomElement(using: &rng)!
            } else {
                s += ["a", "b", "cpu", "x1", "Z"].randomElement(using: &rng)!
            }
        }
        return s
    }

    static func metric(_ rng: inout SplitMix) -> Metric {
        var tags: [MetricFormats.Tag] = []
        for _ in 0..<Int.random(in: 0...3, using: &rng) {
            let key = word(&rng)
            if !tags.contains(where: { $0.key == key }) { tags.append(MetricFormats.Tag(key, word(&rng))) }
        }
        tags.sort { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
        var fields: [Field] = []
        for _ in 0..<Int.random(in: 1...3, using: &rng) {
            let key = word(&rng)
            guard !fields.contains(where: { $0.key == key }) else { continue }
            let value: FieldValue
            switch Int.random(in: 0..<6, using: &rng) {
            case 0: value = .float([1.5, -0.25, 1e21, .leastNonzeroMagnitude, .nan, .infinity].randomElement(using: &rng)!)
            case 1: value = .int([0, -1, .max, .min].randomElement(using: &rng)!)
            case 2: value = .uint([0, 1, .max].randomElement(using: &rng)!)
            case 3: value = .string(word(&rng))
            case 4: value = .bool(Bool.random(using: &rng))
            default: value = .float(42)
            }
            fields.append(Field(key, value))
        }
        if fields.isEmpty { fields = [Field("value", .float(1))] }
        return Metric(name: word(&rng), tags: tags, fields: fields, timestamp: 1_700_000_000_000_000_000)
    }

    @Test(arguments: MetricFormat.allCases)
    func everyOutputReadsBackOrWasReported(_ format: MetricFormat) throws {
        var rng = SplitMix(state: 20_261_202)
        var options = FormatOptions()
        options.influx.uintSupport = true
        var unreadable: [String] = []
        for _ in 0..<3000 {
            let m = Self.metric(&rng)
            var serializer = try format.makeSerializer(options)
            var reports: [Diagnostic] = []
            let text = serializer.render([m], now: 1_700_000_000_000_000_000) { reports.append($0) }
            var parser = try format.makeParser(options)
            let back = MetricCollector()
            parser.parse(text: Array(text.utf8), into: back)
            parser.finish(into: back)
            if !back.errors.isEmpty && reports.isEmpty {
                unreadable.append("\(m)\n  wrote \(text.debugDescription)\n  read back: \(back.errors.map(\.description))")
            }
        }
        #expect(unreadable.isEmpty, "\(unreadable.count) unreadable outputs; first: \(unreadable.first ?? "")")
    }

    /// What reading a format's output gives back for `m` when the serializer reported nothing: the
    /// metric itself, changed only by the format's documented normalisations. nil: the format's
    /// output is not compared field for field (it is checked for readability above).
    static func expectedBack(_ m: Metric, _ format: MetricFormat) -> [Metric]? {
        switch format {
        case .influx:
            // Line protocol: tags in key order; no value type.
            var e = m
            e.sortTags()
            e.valueType = .untyped
            return [e]
        case .json:
            // JSON: the same metric; timestamps in whole seconds (--json-timestamp-units 1s).
            var e = m
            e.valueType = .untyped
            e.timestamp = m.timestamp.map { $0 / 1_000_000_000 * 1_000_000_000 }
            return [e]
        case .prometheus:
            // Prometheus: one sample per field, named `<name>_<field>`, as a metric `prometheus`
            // (metric version 2); values as floats (bool 1 or 0); a label with an empty value is no
            // label; no timestamp (--prometheus-export-timestamp writes one).
            return m.fields.map { f in
                let value: Double
                switch f.value {
                case .float(let v): value = v
                case .int(let v): value = Double(v)
                case .uint(let v): value = Double(v)
                case .bool(let v): value = v ? 1 : 0
                case .string: value = .nan  // reported, never compared
                }
                var tags = m.tags.filter { !$0.value.isEmpty }
                tags.sort { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
                return Metric(name: "prometheus", tags: tags, fields: [Field(m.name + "_" + f.key, .float(value))])
            }
        case .wavefront:
            // Wavefront: one point per field, named `<name>.<field>` (`<name>` for the field `value`)
            // with `_` written as `.`; values as floats; timestamps in seconds; the tag `source`, else
            // `host`, is the source (an empty source is no tag); a tag with an empty value is left out.
            return m.fields.map { f in
                let value: Double
                switch f.value {
                case .float(let v): value = v
                case .int(let v): value = Double(v)
                case .uint(let v): value = Double(v)
                case .bool(let v): value = v ? 1 : 0
                case .string: value = .nan  // reported, never compared
                }
                var name = m.name + (f.key == "value" ? "" : "." + f.key)
                name = String(name.map { $0 == "_" ? "." : $0 })
                let source = m.tag("source") ?? m.tag("host") ?? ""
                // A `"` in a tag value is written `\"`, which the Wavefront proxy reads as `"`; Telegraf's
                // parser, and so metricat's, keeps the backslash.
                var tags = m.tags.filter { !$0.value.isEmpty && $0.key != "source" && $0.key != "host" }.map {
                    MetricFormats.Tag($0.key, $0.value.replacingQuotes())
                }
                if !source.isEmpty { tags.append(MetricFormats.Tag("source", source)) }
                tags.sort { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
                return Metric(name: name, tags: tags, fields: [Field("value", .float(value))], timestamp: m.timestamp.map { $0 / 1_000_000_000 * 1_000_000_000 })
            }
        case .graphite:
            // Graphite (Telegraf's default template `host.tags.measurement.field`): one line per field
            // whose path is the host, the other tag values in key order, the name and the field key
            // (not `value`), empty parts left out, a `.` in a tag value written as `_` (it stays one
            // part); values as floats; timestamps in seconds.
            return m.fields.map { f in
                var parts: [String] = []
                func part(_ value: String) -> String { String(value.map { $0 == "." ? "_" : $0 }) }
                if let host = m.tag("host"), !host.isEmpty { parts.append(part(host)) }
                for t in m.tags.sorted(by: { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }) where t.key != "host" && !t.value.isEmpty {
                    parts.append(part(t.value))
                }
                if !m.name.isEmpty { parts.append(m.name) }
                if f.key != "value" && !f.key.isEmpty { parts.append(f.key) }
                return Metric(
                    name: parts.joined(separator: "."), fields: [Field("value", .float(Self.number(f.value)))],
                    timestamp: m.timestamp.map { $0 / 1_000_000_000 * 1_000_000_000 })
            }
        case .statsd:
            // StatsD: one gauge per field named `<name>.<field>` (`<name>` for `value`), the tags and
            // `metric_type=gauge`; a negative gauge is written as a reset to 0 and a delta (a bare
            // negative gauge is a decrement in StatsD), read back as both; no timestamps.
            var back: [Metric] = []
            for f in m.fields {
                let name = m.name + (f.key == "value" ? "" : "." + f.key)
                var tags = m.tags
                tags.append(MetricFormats.Tag("metric_type", "gauge"))
                tags.sort { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
                let v = Self.number(f.value)
                if v < 0 || (v == 0 && v.sign == .minus) {
                    back.append(Metric(name: name, tags: tags, fields: [Field("value", .float(0))]))
                    back.append(Metric(name: name, tags: tags, fields: [Field("value", .float(v)), Field("delta", .bool(true))]))
                } else {
                    back.append(Metric(name: name, tags: tags, fields: [Field("value", .float(v))]))
                }
            }
            return back
        case .csv:
            // CSV telemetry: one row per field, the series (name, tags, field key) in its Label, the
            // Measurement read as a float (an integer above 2^53 loses digits; bool 1 or 0).
            return m.fields.map { f in
                Metric(name: m.name, tags: m.tags, fields: [Field(f.key, .float(Self.number(f.value)))], timestamp: m.timestamp)
            }
        }
    }

    /// A field as the float the numeric formats carry (bool 1 or 0; a string, always reported, NaN).
    static func number(_ v: FieldValue) -> Double {
        switch v {
        case .float(let v): return v
        case .int(let v): return Double(v)
        case .uint(let v): return Double(v)
        case .bool(let v): return v ? 1 : 0
        case .string: return .nan
        }
    }

    /// A comparable form: fields in key order, metrics in text order; NaN as text so that it equals
    /// itself. `untypedNumbers`: a number's value counts, not its type (JSON: `42.0` is written `42`
    /// and read back as an integer; 1e21 as a float).
    static func canonical(_ metrics: [Metric], untypedNumbers: Bool = false) -> [String] {
        metrics.map { m in
            var m = m
            m.fields.sort { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
            m.tags.sort { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
            if untypedNumbers {
                for k in m.fields.indices {
                    switch m.fields[k].value {
                    case .int(let v): m.fields[k].value = .string("number \(v)")
                    case .uint(let v): m.fields[k].value = .string("number \(v)")
                    case .float(let v) where v == v.rounded() && abs(v) < 9.2e18: m.fields[k].value = .string("number \(Int64(v))")
                    case .float(let v): m.fields[k].value = .string("number \(v)")
                    case .string(let v): m.fields[k].value = .string("string \(v)")
                    case .bool: break
                    }
                }
            }
            return String(reflecting: m)
        }.sorted()
    }

    /// Any metric, with every awkward byte, written in every format and read back is equal to what
    /// it was (after the format's normalisations in ``expectedBack(_:_:)``), or the serializer said
    /// what it changed: never silently different.
    @Test(arguments: MetricFormat.allCases)
    func everyOutputReadsBackEqualOrWasReported(_ format: MetricFormat) throws {
        var rng = SplitMix(state: 20_261_203)
        var options = FormatOptions()
        options.influx.uintSupport = true
        var different: [String] = []
        var compared = 0
        for _ in 0..<3000 {
            let m = Self.metric(&rng)
            var serializer = try format.makeSerializer(options)
            var reports: [Diagnostic] = []
            let text = serializer.render([m], now: 1_700_000_000_000_000_000) { reports.append($0) }
            guard reports.isEmpty, let expected = Self.expectedBack(m, format) else { continue }
            var parser = try format.makeParser(options)
            let back = MetricCollector()
            parser.parse(text: Array(text.utf8), into: back)
            parser.finish(into: back)
            compared += 1
            let untyped = format == .json || format == .csv
            if Self.canonical(back.metrics, untypedNumbers: untyped) != Self.canonical(expected, untypedNumbers: untyped) || !back.errors.isEmpty {
                different.append("\(m)\n  wrote \(text.debugDescription)\n  read back: \(back.metrics) \(back.errors.map(\.description))")
            }
        }
        #expect(compared > 40, "too few metrics written without a report to prove anything: \(compared)")
        #expect(different.isEmpty, "\(different.count) silently different; first: \(different.prefix(4).joined(separator: "\n"))")
    }
}

extension String {
    /// `"` as `\"`: Wavefront's tag value escaping as its parser reads it back.
    fileprivate func replacingQuotes() -> String {
        var out = ""
        for c in self { out += c == "\"" ? "\\\"" : String(c) }
        return out
    }
}
