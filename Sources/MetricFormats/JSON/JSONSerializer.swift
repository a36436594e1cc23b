/// Telegraf's JSON serializer: `{"fields":{...},"name":"...","tags":{...},"timestamp":N}` and a newline
/// per metric, written as Go's `encoding/json` writes a map: keys sorted by bytes, no whitespace,
/// Go's number text and string escaping.
///
/// With ``JSONOptions/batch`` the whole output is one `{"metrics":[...]}` object, as Telegraf's
/// batch serializer writes, streamed element by element. NaN and infinite fields cannot be written
/// in JSON: each is reported and skipped; a metric left without fields is reported and not written.
public struct JSONSerializer: MetricSerializer {
    let layout: GoTimeLayout?
    let nestedInclude: [Glob]
    let nestedExclude: [Glob]
    let nesting: Bool
    let batch: Bool
    private var batchCount = 0
    /// The metric's text is assembled here with plain stores, then copied out once.
    private let line = InfluxLineBuffer(capacity: 1024)
    /// Sorted, escaped field keys per key sequence (consecutive metrics of one measurement share them).
    private let fieldPlans = JSONKeyPlanCache()
    /// The name-and-tags text per series.
    private let series = SeriesTextCache()
    /// The timestamp's digits (the last second's are reused).
    private let timestampText: JSONTimestampText

    public init(options: FormatOptions) throws(FormatError) {
        let o = options.json
        guard o.timestampUnits > 0 else {
            throw .invalidOption("--json-timestamp-units", "must be positive")
        }
        timestampText = JSONTimestampText(units: o.timestampUnits)
        layout = o.timestampFormat.map { GoTimeLayout($0) }
        nestedInclude = try o.nestedFieldsInclude.map { pattern throws(FormatError) in try Glob(pattern, flag: "--json-nested-fields-include") }
        nestedExclude = try o.nestedFieldsExclude.map { pattern throws(FormatError) in try Glob(pattern, flag: "--json-nested-fields-exclude") }
        nesting = !o.nestedFieldsInclude.isEmpty || !o.nestedFieldsExclude.isEmpty
        batch = o.batch
    }

    /// `NaN`, `+Inf` or `-Inf` for a float JSON cannot carry; nil for any other value.
    @inline(__always)
    static func nonFinite(_ field: Field) -> String? {
        guard case .float(let v) = field.value, !v.isFinite else { return nil }
        return v.isNaN ? "NaN" : (v < 0 ? "-Inf" : "+Inf")
    }

    public mutating func serialize(_ metric: Metric, into out: inout [UInt8], context: SerializerContext) {
        // Skip what JSON cannot carry before writing anything. By index: copying each Field out
        // would count references on its Strings.
        var usable = 0
        for k in metric.fields.indices where Self.nonFinite(metric.fields[k]) == nil { usable += 1 }
        if usable == 0 {
            // One finding for the metric (at its first field), not one per field and one more.
            guard let first = metric.fields.first, let what = Self.nonFinite(first) else {
                context.report(.error(.record, "metric '\(metric.name)' has no field: skipped"))
                return
            }
            let more = metric.fields.count > 1 ? " (and \(metric.fields.count - 1) more fields JSON cannot carry)" : ""
            context.report(.error(.field(first.key), "field '\(first.key)' of '\(metric.name)' is \(what), which JSON cannot carry\(more): metric skipped"))
            return
        }
        if usable < metric.fields.count {
            for k in metric.fields.indices {
                guard let what = Self.nonFinite(metric.fields[k]) else { continue }
                context.report(.error(.field(metric.fields[k].key), "field '\(metric.fields[k].key)' of '\(metric.name)' is \(what), which JSON cannot carry: skipped"))
            }
        }
        line.removeAll()
        if batch {
            line.append(ascii: batchCount == 0 ? "{\"metrics\":[" : ",")
            batchCount += 1
        }
        line.append(ascii: "{\"fields\":{")
        metric.fields.withUnsafeBufferPointer { appendFields($0) }
        // `},"name":...,"tags":{...},"timestamp":`, kept per series.
        if !series.append(metric, to: line) {
            let start = line.count
            JSONSerializer.appendSeries(metric, to: line)
            series.store(UnsafeBufferPointer(start: line.base + start, count: line.count - start), for: metric)
        }
        let ns = metric.timestamp ?? context.now
        if let layout {
            var text: [UInt8] = [ASCII.quote]
            layout.format(nanoseconds: ns, into: &text)
            text.append(ASCII.quote)
            text.withUnsafeBufferPointer { line.append($0.baseAddress!, $0.count) }
        } else {
            timestampText.append(ns, to: line)
        }
        line.append(UInt8(ascii: "}"))
        if !batch { line.append(ASCII.newline) }
        out.append(contentsOf: line.bytes)
    }

    public mutating func finish(into out: inout [UInt8], context: SerializerContext) {
        guard batch else { return }
        if batchCount == 0 {
            out.append(ascii: "{\"metrics\":[]}\n")
        } else {
            out.append(ascii: "]}\n")
        }
        batchCount = 0
    }

    /// The fields in key order; through a buffer pointer, so the key closure below holds no reference.
    private func appendFields(_ fields: UnsafeBufferPointer<Field>) {
        fieldPlans.plan(fields.count) { fields[$0].key }._withUnsafeGuaranteedRef { plan in
            let keyText = plan.text.base
            var first = true
            var keyStart = 0
            for n in 0..<plan.order.count {
                let keyEnd = plan.ends[n]
                defer { keyStart = keyEnd }
                let index = plan.order[n]
                if case .float(let v) = fields[index].value, !v.isFinite { continue }
                if !first { line.append(ASCII.comma) }
                first = false
                line.append(keyText + keyStart, keyEnd - keyStart)
                switch fields[index].value {
                case .float(let v): JSONText.appendNumber(v, to: line)
                case .int(let v): line.append(v)
                case .uint(let v): line.append(v)
                case .bool(let v): line.append(ascii: v ? "true" : "false")
                case .string(let s):
                    if nesting, isNested(fields[index].key) {
                        var text: [UInt8] = []
                        if JSONText.appendCompactJSON(of: s, to: &text) {
                            text.withUnsafeBufferPointer { line.append($0.baseAddress!, $0.count) }
                            break
                        }
                    }
                    JSONText.appendString(s, to: line)
                }
            }
        }
    }

    /// `},"name":...,"tags":{...},"timestamp":`: what follows the fields, the same for every metric
    /// of a series.
    static func appendSeries(_ metric: Metric, to line: InfluxLineBuffer) {
        line.append(ascii: "},\"name\":")
        JSONText.appendString(metric.name, to: line)
        line.append(ascii: ",\"tags\":{")
        let plan = JSONKeyPlan(keys: metric.tags.map(\.key))
        let keyText = plan.text.base
        var keyStart = 0
        for n in 0..<plan.order.count {
            if n > 0 { line.append(ASCII.comma) }
            let keyEnd = plan.ends[n]
            line.append(keyText + keyStart, keyEnd - keyStart)
            keyStart = keyEnd
            JSONText.appendString(metric.tags[plan.order[n]].value, to: line)
        }
        line.append(ascii: "},\"timestamp\":")
    }

    private func isNested(_ key: String) -> Bool {
        if !nestedInclude.isEmpty, !nestedInclude.contains(where: { $0.matches(key) }) { return false }
        return !nestedExclude.contains(where: { $0.matches(key) })
    }
}
