extension JSONRecordDecoder {
    /// Whether ``readMetricDirectly(_:locate:)`` may be tried: the serializer shape can be read and no
    /// query rewrites the record.
    var readsMetricsDirectly: Bool { shape != .flat && query == nil }

    /// Reads one object in Telegraf's serializer shape (`name`, `tags`, `fields`, `timestamp`)
    /// straight into a metric, without building the ``JSONValue`` tree, whose allocations cost more
    /// than half of reading such a record (measured with callgrind). It gives the metric and origin
    /// ``decode(_:at:inArray:locate:emit:fail:)`` would give, and nil for anything else (another
    /// shape, a nested field, a value the general path reports, a syntax error): then the caller reads
    /// the record the general way, which decides and reports as it always did.
    func readMetricDirectly(_ reader: inout JSONReader, locate: Locate) -> (Metric, MetricOrigin)? {
        let start = reader.pos
        let bytes = reader.bytes
        guard start < bytes.count, bytes[start] == UInt8(ascii: "{") else { return nil }
        var metric = Metric(name: "")
        var fieldPositions = KeyPositions()
        var tagPositions = KeyPositions()
        var origin = Self.origin(at: start, locate)
        var hasName = false
        var hasFields = false
        func place(_ subject: Diagnostic.Subject, _ offset: Int) {
            let (l, c) = locate(offset)
            origin.places.append(MetricOrigin.Place(subject, line: l, column: c))
        }
        /// Reads `{ "key": value, ... }` calling `member` at each value; false on anything unexpected.
        func members(_ reader: inout JSONReader, _ member: (String, Int, inout JSONReader) throws(JSONReader.SyntaxError) -> Bool) -> Bool {
            do throws(JSONReader.SyntaxError) {
                reader.skipWhitespace()
                guard reader.pos < bytes.count, bytes[reader.pos] == UInt8(ascii: "{") else { return false }
                reader.advance()
                reader.skipWhitespace()
                if reader.pos < bytes.count, bytes[reader.pos] == UInt8(ascii: "}") {
                    reader.advance()
                    return true
                }
                while true {
                    reader.skipWhitespace()
                    guard reader.pos < bytes.count, bytes[reader.pos] == ASCII.quote else { return false }
                    let keyOffset = reader.pos
                    let key = try reader.readString()
                    reader.skipWhitespace()
                    guard reader.pos < bytes.count, bytes[reader.pos] == ASCII.colon else { return false }
                    reader.advance()
                    reader.skipWhitespace()
                    guard reader.pos < bytes.count, try member(key, keyOffset, &reader) else { return false }
                    reader.skipWhitespace()
                    guard reader.pos < bytes.count else { return false }
                    if bytes[reader.pos] == ASCII.comma {
                        reader.advance()
                        continue
                    }
                    guard bytes[reader.pos] == UInt8(ascii: "}") else { return false }
                    reader.advance()
                    return true
                }
            } catch {
                return false
            }
        }
        /// `null` at the reader: consumed, true.
        func null(_ r: inout JSONReader) throws(JSONReader.SyntaxError) -> Bool {
            guard bytes[r.pos] == UInt8(ascii: "n") else { return false }
            try r.expectLiteral("null")
            return true
        }
        let read = members(&reader) { key, _, r throws(JSONReader.SyntaxError) in
            let valueOffset = r.pos
            switch key {
            case "name":
                guard bytes[r.pos] == ASCII.quote else { return false }
                metric.name = try r.readString()
                hasName = true
                place(.name, valueOffset)
                return true
            case "tags":
                if try null(&r) { return true }
                return members(&r) { tag, tagOffset, r throws(JSONReader.SyntaxError) in
                    if try null(&r) { return true }
                    guard bytes[r.pos] == ASCII.quote else { return false }
                    metric.setTag(tag, try r.readString(), positions: &tagPositions)
                    place(.tag(tag), tagOffset)
                    return true
                }
            case "fields":
                hasFields = true
                return members(&r) { field, fieldOffset, r throws(JSONReader.SyntaxError) in
                    let value: FieldValue
                    switch bytes[r.pos] {
                    case UInt8(ascii: "n"):
                        try r.expectLiteral("null")
                        return true
                    case ASCII.quote: value = .string(try r.readString())
                    case UInt8(ascii: "t"):
                        try r.expectLiteral("true")
                        value = .bool(true)
                    case UInt8(ascii: "f"):
                        try r.expectLiteral("false")
                        value = .bool(false)
                    case ASCII.minus, ASCII.zero...ASCII.nine: value = try r.readNumberField()
                    default: return false  // a nested field: the general path writes its JSON text
                    }
                    place(.field(field), fieldOffset)
                    metric.setField(field, value, positions: &fieldPositions)
                    return true
                }
            case "timestamp":
                place(.timestamp, valueOffset)
                if try null(&r) { return true }
                guard case .int(let v) = try r.readNumberField() else { return false }
                let (ns, overflow) = v.multipliedReportingOverflow(by: units)
                guard !overflow else { return false }
                metric.timestamp = ns
                return true
            default:
                return false
            }
        }
        guard read, hasName, hasFields, !metric.fields.isEmpty else { return nil }
        return (finish(metric), origin)
    }
}
