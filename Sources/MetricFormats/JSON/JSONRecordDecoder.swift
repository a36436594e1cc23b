#if !METRICAT_ONE_MODULE
    import MetricCore
#endif

/// Turns one decoded JSON record into metrics, with the two readings of ``JSONOptions/InputShape``:
/// Telegraf's serializer shape read back losslessly, or Telegraf's JSON parser (flattened keys,
/// every number a float field, strings and bools kept only through `tag_keys`/`json_string_fields`).
struct JSONRecordDecoder {
    /// A metric with the places of the keys it was read from (``MetricOrigin``).
    typealias Emit = (Metric, MetricOrigin) -> Void
    typealias Fail = (_ offset: Int, _ message: String) -> Void
    /// The input line and column of a byte offset in the record.
    typealias Locate = (_ offset: Int) -> (Int, Int)

    let shape: JSONOptions.InputShape
    let units: Int64
    let timestampLayout: GoTimeLayout?
    let metricName: String
    let nameKey: String?
    let tagKeys: [Glob]
    let stringFields: [Glob]
    let query: JSONQuery?
    let timeKey: String?
    let timeFormat: String?
    let timeLayout: GoTimeLayout?
    let timezone: GoTimeZone
    let defaultTags: [Tag]
    /// The direct reading's caches (one per parser: decoders are not shared between streams).
    let caches = Caches()

    /// A top-level array is read element by element unless a query needs the whole document.
    var streamsArrays: Bool { query == nil }

    init(options: FormatOptions) throws(FormatError) {
        let o = options.json
        shape = o.inputShape == .auto && o.usesTelegrafParserOptions ? .flat : o.inputShape
        units = o.timestampUnits
        timestampLayout = o.timestampFormat.map { GoTimeLayout($0) }
        metricName = options.metricName ?? "json"
        nameKey = o.nameKey
        tagKeys = try o.tagKeys.map { pattern throws(FormatError) in try Glob(pattern, flag: "--tag-keys") }
        stringFields = try o.stringFields.map { pattern throws(FormatError) in try Glob(pattern, flag: "--json-string-fields") }
        if let q = o.query {
            guard let parsed = JSONQuery(q) else { throw .invalidOption("--json-query", "'\(q)' is not a path (example: --json-query obj.friends)") }
            query = parsed
        } else {
            query = nil
        }
        timeKey = o.timeKey
        timeFormat = o.timeFormat
        if o.timeKey != nil && o.timeFormat == nil {
            throw .invalidOption("--json-time-key", "needs --json-time-format (unix, unix_ms, unix_us, unix_ns or a Go layout)")
        }
        switch o.timeFormat {
        case nil, "unix", "unix_ms", "unix_us", "unix_ns": timeLayout = nil
        case let layout?: timeLayout = GoTimeLayout(layout)
        }
        timezone = o.timezone
        defaultTags = options.defaultTags
    }

    /// Decodes a top-level value (`inArray`: an element of a streamed top-level array).
    func decode(_ value: JSONValue, at start: Int = 0, inArray: Bool, locate: Locate, emit: Emit, fail: Fail) {
        var value = value
        if let query {
            guard let selected = query.select(value) else { return }
            switch selected {
            case .null: return
            case .object, .array: value = selected
            default:
                fail(start, "json query '\(query.text)' must lead to a JSON object, array of objects or null, but leads to a \(selected.kindName)")
                return
            }
        }
        switch value {
        case .null:
            return
        case .object:
            decodeObject(value, offset: start, locate: locate, emit: emit, fail: fail)
        case .array(let items) where !inArray:
            for (n, item) in items.enumerated() {
                guard case .object = item else {
                    fail(start, "array element \(n) is a \(item.kindName), not an object")
                    continue
                }
                decodeObject(item, offset: start, locate: locate, emit: emit, fail: fail)
            }
        default:
            fail(
                start,
                inArray
                    ? "array element is a \(value.kindName), not an object"
                    : "expected a JSON object, an array of objects or null, found a \(value.kindName)")
        }
    }

    private func decodeObject(_ object: JSONValue, offset: Int, locate: Locate, emit: Emit, fail: Fail) {
        if shape != .flat {
            if let metric = readMetric(object, at: offset, locate: locate, fail: fail) {
                if let (m, origin) = metric { emit(finish(m), origin) }
                return
            }
            if case .array(let items)? = object.member("metrics"), case .object(let members) = object, members.count == 1,
                items.allSatisfy({ isMetricShape($0) })
            {
                for item in items {
                    if let (m, origin) = readMetric(item, at: offset, locate: locate, fail: fail) ?? nil { emit(finish(m), origin) }
                }
                return
            }
            if shape == .metric {
                fail(offset, "not a metric object: expected {\"fields\":{...},\"name\":\"...\",\"tags\":{...},\"timestamp\":N} (or use --json-input-shape flat)")
                return
            }
        }
        flatten(object, offset: offset, locate: locate, emit: emit, fail: fail)
    }

    func finish(_ metric: Metric) -> Metric {
        var m = metric
        for t in defaultTags where m.tag(t.key) == nil { m.tags.append(t) }
        m.sortTags()
        return m
    }

    // MARK: serializer shape

    func isMetricShape(_ value: JSONValue) -> Bool {
        guard case .object(let members) = value else { return false }
        var hasName = false
        var hasFields = false
        for m in members {
            switch m.key {
            case "name":
                guard case .string = m.value else { return false }
                hasName = true
            case "fields":
                guard case .object = m.value else { return false }
                hasFields = true
            case "tags", "timestamp": break
            default: return false
            }
        }
        return hasName && hasFields
    }

    /// nil: not in the shape; .some(nil): in the shape but rejected (reported).
    private func readMetric(_ value: JSONValue, at start: Int, locate: Locate, fail: Fail) -> (Metric, MetricOrigin)?? {
        guard isMetricShape(value), case .object(let members) = value else { return nil }
        var metric = Metric(name: "")
        var fieldPositions = KeyPositions()
        var tagPositions = KeyPositions()
        var origin = Self.origin(at: start, locate)
        func place(_ subject: Diagnostic.Subject, _ offset: Int) {
            let (l, c) = locate(offset)
            origin.places.append(MetricOrigin.Place(subject, line: l, column: c))
        }
        for member in members {
            switch member.key {
            case "name":
                if case .string(let s) = member.value {
                    metric.name = s
                    place(.name, member.offset)
                }
            case "tags":
                guard case .object(let tags) = member.value else {
                    if member.value != .null {
                        fail(member.offset, "\"tags\" must be an object of strings, not a \(member.value.kindName)")
                        return .some(nil)
                    }
                    continue
                }
                for t in tags {
                    switch t.value {
                    case .string(let s):
                        metric.setTag(t.key, s, positions: &tagPositions)
                        place(.tag(t.key), t.keyOffset)
                    case .null: continue
                    default:
                        fail(t.offset, "tag '\(t.key)' must be a string, not a \(t.value.kindName)")
                        return .some(nil)
                    }
                }
            case "fields":
                guard case .object(let fields) = member.value else { continue }
                for f in fields {
                    if f.value != .null { place(.field(f.key), f.keyOffset) }
                    switch f.value {
                    case .int(let v): metric.setField(f.key, .int(v), positions: &fieldPositions)
                    case .uint(let v): metric.setField(f.key, .uint(v), positions: &fieldPositions)
                    case .float(let v): metric.setField(f.key, .float(v), positions: &fieldPositions)
                    case .bool(let v): metric.setField(f.key, .bool(v), positions: &fieldPositions)
                    case .string(let s): metric.setField(f.key, .string(s), positions: &fieldPositions)
                    case .null: continue
                    case .object, .array:
                        // A nested field (json_nested_fields) comes back as its JSON text.
                        var text: [UInt8] = []
                        JSONText.appendValue(f.value, to: &text)
                        metric.setField(f.key, .string(String(decoding: text, as: UTF8.self)), positions: &fieldPositions)
                    }
                }
            case "timestamp":
                place(.timestamp, member.offset)
                switch member.value {
                case .null: break
                case .int(let v):
                    let (r, o) = v.multipliedReportingOverflow(by: units)
                    guard !o else {
                        fail(member.offset, "timestamp \(v) overflows nanoseconds with --json-timestamp-units")
                        return .some(nil)
                    }
                    metric.timestamp = r
                case .float(let v):
                    let ns = v * Double(units)
                    guard ns.isFinite, abs(ns) < 9.2e18 else {
                        fail(member.offset, "timestamp \(v) is out of range")
                        return .some(nil)
                    }
                    metric.timestamp = Int64(ns)
                case .string(let s):
                    let layout = timestampLayout ?? GoTimeLayout("RFC3339")
                    switch layout.parse(s, zone: .utc) {
                    case .success(let ns): metric.timestamp = ns
                    case .failure(let e):
                        fail(member.offset, "timestamp: \(e.message) (set --json-timestamp-format)")
                        return .some(nil)
                    }
                default:
                    fail(member.offset, "timestamp must be a number or a string, not a \(member.value.kindName)")
                    return .some(nil)
                }
            default:
                break
            }
        }
        if metric.fields.isEmpty {
            fail(start, "metric '\(metric.name)' has no fields")
            return .some(nil)
        }
        return .some((metric, origin))
    }

    /// An origin whose record is the object at `offset`, with room for the places of a typical
    /// metric (growing the array place by place cost more than the places themselves).
    static func origin(at offset: Int, _ locate: Locate) -> MetricOrigin {
        let (l, c) = locate(offset)
        var places: [MetricOrigin.Place] = []
        places.reserveCapacity(16)
        places.append(MetricOrigin.Place(.record, line: l, column: c))
        return MetricOrigin(line: l, places: places)
    }

    // MARK: Telegraf's JSON parser

    private func flatten(_ object: JSONValue, offset: Int, locate: Locate, emit: Emit, fail: Fail) {
        // A repeated flattened key moves to its last place with its last value: the earlier entry is
        // left as a hole (nil), found through `positions` in constant time, and dropped after. A leaf
        // is placed at the key it was read under (an array element: the array's key).
        var leaves: [(key: String, value: JSONValue, offset: Int, keyOffset: Int)?] = []
        var positions: [String: Int] = [:]
        func walk(_ prefix: String, _ v: JSONValue, _ at: Int, _ keyAt: Int) {
            switch v {
            case .object(let members):
                for m in members { walk(prefix.isEmpty ? m.key : prefix + "_" + m.key, m.value, m.offset, m.keyOffset) }
            case .array(let items):
                for (n, item) in items.enumerated() { walk(prefix.isEmpty ? String(n) : prefix + "_" + String(n), item, at, keyAt) }
            case .null:
                return
            default:
                if let k = positions.updateValue(leaves.count, forKey: prefix) { leaves[k] = nil }
                leaves.append((prefix, v, at, keyAt))
            }
        }
        walk("", object, offset, offset)
        var origin = Self.origin(at: offset, locate)
        func place(_ subject: Diagnostic.Subject, _ offset: Int) {
            let (l, c) = locate(offset)
            origin.places.append(MetricOrigin.Place(subject, line: l, column: c))
        }
        var fields = leaves.compactMap { $0 }
        var metric = Metric(name: metricName)
        if let nameKey, let f = fields.last(where: { $0.key == nameKey }), case .string(let s) = f.value {
            metric.name = s
            place(.name, f.offset)
        }
        if let timeKey {
            guard let k = fields.lastIndex(where: { $0.key == timeKey }) else {
                fail(offset, "JSON time key could not be found")
                return
            }
            let f = fields[k]
            switch parseTime(f.value) {
            case .success(let ns):
                metric.timestamp = ns
                place(.timestamp, f.offset)
            case .failure(let e):
                fail(f.offset, e.message)
                return
            }
            fields.remove(at: k)
        }
        // The keys are distinct now: each becomes a tag or a field by appending.
        for f in fields {
            if tagKeys.contains(where: { $0.matches(f.key) }) {
                place(.tag(f.key), f.keyOffset)
                switch f.value {
                case .string(let s): metric.tags.append(Tag(f.key, s))
                case .bool(let b): metric.tags.append(Tag(f.key, b ? "true" : "false"))
                default:
                    var text: [UInt8] = []
                    NumberFormatting.appendFixed(f.value.doubleValue ?? 0, to: &text)
                    metric.tags.append(Tag(f.key, String(decoding: text, as: UTF8.self)))
                }
                continue
            }
            let before = metric.fields.count
            switch f.value {
            case .string(let s):
                if stringFields.contains(where: { $0.matches(f.key) }) { metric.fields.append(Field(f.key, .string(s))) }
            case .bool(let b):
                if stringFields.contains(where: { $0.matches(f.key) }) { metric.fields.append(Field(f.key, .bool(b))) }
            default:
                if let d = f.value.doubleValue { metric.fields.append(Field(f.key, .float(d))) }
            }
            if metric.fields.count > before { place(.field(f.key), f.keyOffset) }
        }
        if metric.fields.isEmpty {
            fail(offset, "object has no numeric field (strings and booleans are kept only with --json-string-fields or --tag-keys)")
            return
        }
        emit(finish(metric), origin)
    }

    private func parseTime(_ value: JSONValue) -> Result<Int64, GoTimeLayout.ParseError> {
        let format = timeFormat ?? "unix"
        if let timeLayout {
            guard case .string(let s) = value else {
                return .failure(.init(message: "time key value \(value.kindName) is not a string for layout '\(format)'"))
            }
            return timeLayout.parse(s, zone: timezone)
        }
        let scale: Double
        switch format {
        case "unix": scale = 1e9
        case "unix_ms": scale = 1e6
        case "unix_us": scale = 1e3
        default: scale = 1
        }
        var number: Double
        var value = value
        if case .float(let v) = value, v.isFinite {
            // As Telegraf: the number's shortest text, split at the dot, so 1536002769.123 is exact.
            var text: [UInt8] = []
            NumberFormatting.appendFixed(v, to: &text)
            value = .string(String(decoding: text, as: UTF8.self))
        }
        switch value {
        case .int(let v):
            let (r, o) = v.multipliedReportingOverflow(by: Int64(scale))
            if !o { return .success(r) }
            number = Double(v)
        case .uint(let v): number = Double(v)
        case .float(let v): number = v
        case .string(let s):
            guard let d = GoNumber.parseFloat(s).value else { return .failure(.init(message: "cannot parse '\(s)' as a \(format) time")) }
            // Whole seconds exactly, the fraction separately, as Telegraf splits the text at the dot.
            // Only digits after the dot: "1.5e300" is read as the float it is.
            if let dot = s.firstIndex(of: "."), let whole = Int64(s[..<dot]),
                s.utf8[s.utf8.index(after: dot)...].allSatisfy(ASCII.isDigit)
            {
                let frac = Double("0" + s[dot...]) ?? 0
                let (r, o) = whole.multipliedReportingOverflow(by: Int64(scale))
                let sign: Int64 = s.hasPrefix("-") ? -1 : 1
                // The fraction can carry the last whole second past Int64: then the range check below.
                let (t, o2) = r.addingReportingOverflow(sign * Int64((frac * scale).rounded(.towardZero)))
                if !o && !o2 { return .success(t) }
            } else if let whole = Int64(s) {
                let (r, o) = whole.multipliedReportingOverflow(by: Int64(scale))
                if !o { return .success(r) }
            }
            number = d
        default:
            return .failure(.init(message: "time key value is a \(value.kindName), not a number"))
        }
        let ns = number * scale
        guard ns.isFinite, abs(ns) < 9.2e18 else { return .failure(.init(message: "time \(number) is out of range")) }
        return .success(Int64(ns))
    }
}
