/// Telegraf's JSON serializer: `{"fields":{...},"name":"...","tags":{...},"timestamp":N}` and a newline
/// per metric, written as Go's `encoding/json` writes a map: keys sorted by bytes, no whitespace,
/// Go's number text and string escaping.
///
/// With ``JSONOptions/batch`` the whole output is one `{"metrics":[...]}` object, as Telegraf's
/// batch serializer writes, streamed element by element. NaN and infinite fields cannot be written
/// in JSON: each is reported and skipped; a metric left without fields is reported and not written.
public struct JSONSerializer: MetricSerializer {
    let units: Int64
    let layout: GoTimeLayout?
    let nestedInclude: [Glob]
    let nestedExclude: [Glob]
    let nesting: Bool
    let batch: Bool
    private var batchCount = 0
    /// Scratch: field indexes in key order, reused across metrics.
    private var order: [Int] = []

    public init(options: FormatOptions) throws(FormatError) {
        let o = options.json
        guard o.timestampUnits > 0 else {
            throw .invalidOption("--json-timestamp-units", "must be positive")
        }
        units = o.timestampUnits
        layout = o.timestampFormat.map { GoTimeLayout($0) }
        nestedInclude = try o.nestedFieldsInclude.map { pattern throws(FormatError) in try Glob(pattern, flag: "--json-nested-fields-include") }
        nestedExclude = try o.nestedFieldsExclude.map { pattern throws(FormatError) in try Glob(pattern, flag: "--json-nested-fields-exclude") }
        nesting = !o.nestedFieldsInclude.isEmpty || !o.nestedFieldsExclude.isEmpty
        batch = o.batch
    }

    public mutating func serialize(_ metric: Metric, into out: inout [UInt8], context: SerializerContext) {
        // Skip what JSON cannot carry before writing anything.
        var usable = 0
        for f in metric.fields {
            if case .float(let v) = f.value, !v.isFinite {
                context.report(.error("field '\(f.key)' of '\(metric.name)' is \(v.isNaN ? "NaN" : (v < 0 ? "-Inf" : "+Inf")), which JSON cannot carry: skipped"))
            } else {
                usable += 1
            }
        }
        if usable == 0 {
            context.report(.error("metric '\(metric.name)' has no field JSON can carry: skipped"))
            return
        }
        if batch {
            out.append(ascii: batchCount == 0 ? "{\"metrics\":[" : ",")
            batchCount += 1
        }
        out.append(ascii: "{\"fields\":{")
        appendFields(metric.fields, into: &out)
        out.append(ascii: "},\"name\":")
        JSONText.appendString(metric.name, to: &out)
        out.append(ascii: ",\"tags\":{")
        appendTags(metric.tags, into: &out)
        out.append(ascii: "},\"timestamp\":")
        let ns = metric.timestamp ?? context.now
        if let layout {
            out.append(ASCII.quote)
            layout.format(nanoseconds: ns, into: &out)
            out.append(ASCII.quote)
        } else {
            NumberFormatting.append(ns / units, to: &out)
        }
        out.append(UInt8(ascii: "}"))
        if !batch { out.append(ASCII.newline) }
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

    private mutating func appendFields(_ fields: [Field], into out: inout [UInt8]) {
        fillOrder(count: fields.count) { fields[$0].key }
        var first = true
        for n in 0..<order.count {
            let field = fields[order[n]]
            // A repeated key: the last one wins, as in a Go map.
            if n + 1 < order.count, fields[order[n + 1]].key == field.key { continue }
            if case .float(let v) = field.value, !v.isFinite { continue }
            if !first { out.append(ASCII.comma) }
            first = false
            JSONText.appendString(field.key, to: &out)
            out.append(ASCII.colon)
            switch field.value {
            case .float(let v): JSONText.appendNumber(v, to: &out)
            case .int(let v): NumberFormatting.append(v, to: &out)
            case .uint(let v): NumberFormatting.append(v, to: &out)
            case .bool(let v): out.append(ascii: v ? "true" : "false")
            case .string(let s):
                if nesting, isNested(field.key), JSONText.appendCompactJSON(of: s, to: &out) { break }
                JSONText.appendString(s, to: &out)
            }
        }
    }

    private mutating func appendTags(_ tags: [Tag], into out: inout [UInt8]) {
        fillOrder(count: tags.count) { tags[$0].key }
        var first = true
        for n in 0..<order.count {
            let tag = tags[order[n]]
            if n + 1 < order.count, tags[order[n + 1]].key == tag.key { continue }
            if !first { out.append(ASCII.comma) }
            first = false
            JSONText.appendString(tag.key, to: &out)
            out.append(ASCII.colon)
            JSONText.appendString(tag.value, to: &out)
        }
    }

    /// Puts `0..<count` in `order`, sorted by key bytes (stable); skips the sort when already sorted.
    private mutating func fillOrder(count: Int, key: (Int) -> String) {
        order.removeAll(keepingCapacity: true)
        for i in 0..<count { order.append(i) }
        if count < 2 { return }
        var sorted = true
        for i in 1..<count where JSONText.precedes(key(i), key(i - 1)) {
            sorted = false
            break
        }
        if sorted { return }
        // Insertion sort: the arrays are small and nearly sorted; stable, so the last repeat wins.
        for i in 1..<count {
            let v = order[i]
            let k = key(v)
            var j = i
            while j > 0, JSONText.precedes(k, key(order[j - 1])) {
                order[j] = order[j - 1]
                j -= 1
            }
            order[j] = v
        }
    }

    private func isNested(_ key: String) -> Bool {
        if !nestedInclude.isEmpty, !nestedInclude.contains(where: { $0.matches(key) }) { return false }
        return !nestedExclude.contains(where: { $0.matches(key) })
    }
}
