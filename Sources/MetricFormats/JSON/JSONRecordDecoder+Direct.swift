#if !METRICAT_ONE_MODULE
    import MetricCore
#endif

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
    ///
    /// Member keys without escapes are matched on their bytes, and a `"tags"` object seen before is
    /// found by its bytes in ``Caches/tagObjects`` with its finished tags and places.
    func readMetricDirectly(_ reader: inout JSONReader, locate: Locate) -> (Metric, MetricOrigin)? {
        do throws(JSONReader.SyntaxError) {
            return try readDirectly(&reader, locate: locate)
        } catch {
            return nil
        }
    }

    /// A member of the serializer shape.
    private enum Member { case name, tags, fields, timestamp, other }

    /// Reads the key at the reader (a quote) as a member of the serializer shape.
    @inline(__always)
    private static func member(_ r: inout JSONReader) throws(JSONReader.SyntaxError) -> Member {
        guard let (start, n) = r.readPlainString() else {
            switch try r.readString() {
            case "name": return .name
            case "tags": return .tags
            case "fields": return .fields
            case "timestamp": return .timestamp
            default: return .other
            }
        }
        let p = r.bytes.baseAddress! + start
        @inline(__always) func `is`(_ word: StaticString) -> Bool {
            n == word.utf8CodeUnitCount && UnsafeRawPointer(p).sameBytes(as: UnsafeRawPointer(word.utf8Start), count: n)
        }
        switch p[0] {
        case UInt8(ascii: "n") where `is`("name"): return .name
        case UInt8(ascii: "t") where `is`("tags"): return .tags
        case UInt8(ascii: "f") where `is`("fields"): return .fields
        case UInt8(ascii: "t") where `is`("timestamp"): return .timestamp
        default: return .other
        }
    }

    /// The String of the string at the reader (a quote): a name or key without escapes of more than
    /// 15 bytes comes from ``Caches/tokens``, the same String each time it repeats.
    @inline(__always)
    private func token(_ r: inout JSONReader) throws(JSONReader.SyntaxError) -> String {
        guard let (start, n) = r.readPlainString() else { return try r.readString() }
        let p = r.bytes.baseAddress! + start
        return caches.tokens.string(p, n)
    }

    /// Reads `{`, or `}` ending an empty object: true when the object has members.
    @inline(__always)
    private static func open(_ r: inout JSONReader) -> Bool? {
        r.skipWhitespace()
        guard r.pos < r.bytes.count, r.bytes[r.pos] == UInt8(ascii: "{") else { return nil }
        r.advance()
        r.skipWhitespace()
        if r.pos < r.bytes.count, r.bytes[r.pos] == UInt8(ascii: "}") {
            r.advance()
            return false
        }
        return true
    }

    /// Moves to the next member key (true) after a comma, or past the closing `}` (false); nil when
    /// neither follows.
    @inline(__always)
    private static func next(_ r: inout JSONReader) -> Bool? {
        r.skipWhitespace()
        guard r.pos < r.bytes.count else { return nil }
        if r.bytes[r.pos] == ASCII.comma {
            r.advance()
            return true
        }
        guard r.bytes[r.pos] == UInt8(ascii: "}") else { return nil }
        r.advance()
        return false
    }

    /// Skips whitespace: true when a key (a quote) follows.
    @inline(__always)
    private static func atKey(_ r: inout JSONReader) -> Bool {
        r.skipWhitespace()
        return r.pos < r.bytes.count && r.bytes[r.pos] == ASCII.quote
    }

    /// After a key: the colon and the whitespace around it; false when there is no colon or no value.
    @inline(__always)
    private static func colon(_ r: inout JSONReader) -> Bool {
        r.skipWhitespace()
        guard r.pos < r.bytes.count, r.bytes[r.pos] == ASCII.colon else { return false }
        r.advance()
        r.skipWhitespace()
        return r.pos < r.bytes.count
    }

    private func readDirectly(_ r: inout JSONReader, locate: Locate) throws(JSONReader.SyntaxError) -> (Metric, MetricOrigin)? {
        let start = r.pos
        let bytes = r.bytes
        guard start < bytes.count, bytes[start] == UInt8(ascii: "{") else { return nil }
        var metric = Metric(name: "")
        var fieldPositions = KeyPositions()
        var origin = Self.origin(at: start, locate)
        var hasName = false
        var hasFields = false
        /// The finished tags of the one `"tags"` object read, when there is one.
        var finishedTags: [Tag]? = nil
        @inline(__always) func place(_ subject: Diagnostic.Subject, _ offset: Int) {
            let (l, c) = locate(offset)
            origin.places.append(MetricOrigin.Place(subject, line: l, column: c))
        }
        guard var more = Self.open(&r) else { return nil }
        while more {
            guard Self.atKey(&r) else { return nil }
            let member = try Self.member(&r)
            guard Self.colon(&r) else { return nil }
            let valueOffset = r.pos
            switch member {
            case .name:
                guard bytes[r.pos] == ASCII.quote else { return nil }
                metric.name = try token(&r)
                hasName = true
                place(.name, valueOffset)
            case .tags:
                if bytes[r.pos] == UInt8(ascii: "n") {
                    try r.expectLiteral("null")
                    break
                }
                // A second tags object merges into the first: the general way does that.
                guard finishedTags == nil, let object = try readTags(&r) else { return nil }
                finishedTags = object.finished
                for p in object.places { place(p.subject, valueOffset + p.offset) }
            case .fields:
                hasFields = true
                if metric.fields.isEmpty { metric.fields.reserveCapacity(8) }
                guard var field = Self.open(&r) else { return nil }
                while field {
                    guard Self.atKey(&r) else { return nil }
                    let keyOffset = r.pos
                    let key = try token(&r)
                    guard Self.colon(&r) else { return nil }
                    let value: FieldValue
                    switch bytes[r.pos] {
                    case UInt8(ascii: "n"):
                        try r.expectLiteral("null")
                        guard let n = Self.next(&r) else { return nil }
                        field = n
                        continue
                    case ASCII.quote: value = .string(try r.readString())
                    case UInt8(ascii: "t"):
                        try r.expectLiteral("true")
                        value = .bool(true)
                    case UInt8(ascii: "f"):
                        try r.expectLiteral("false")
                        value = .bool(false)
                    case ASCII.minus, ASCII.zero...ASCII.nine: value = try r.readNumberField()
                    default: return nil  // a nested field: the general path writes its JSON text
                    }
                    place(.field(key), keyOffset)
                    metric.setField(key, value, positions: &fieldPositions)
                    guard let n = Self.next(&r) else { return nil }
                    field = n
                }
            case .timestamp:
                place(.timestamp, valueOffset)
                if bytes[r.pos] == UInt8(ascii: "n") {
                    try r.expectLiteral("null")
                    break
                }
                guard case .int(let v) = try r.readNumberField() else { return nil }
                let (ns, overflow) = v.multipliedReportingOverflow(by: units)
                guard !overflow else { return nil }
                metric.timestamp = ns
            case .other:
                return nil
            }
            guard let n = Self.next(&r) else { return nil }
            more = n
        }
        guard hasName, hasFields, !metric.fields.isEmpty else { return nil }
        if let finishedTags {
            metric.tags = finishedTags
            return (metric, origin)
        }
        return (finish(metric), origin)
    }

    /// Reads the `"tags"` object at the reader: from ``Caches/tagObjects`` when its bytes were seen
    /// before, else member by member (then kept). nil when a value is not a string or null.
    private func readTags(_ r: inout JSONReader) throws(JSONReader.SyntaxError) -> Caches.TagObject? {
        let start = r.pos
        let cache = caches.tagObjects
        let p = r.bytes.baseAddress! + start
        let end = r.firstClosingBrace()
        var hash: UInt64 = 0
        if let end, end - start <= cache.maxKeyBytes {
            hash = ByteCache<Caches.TagObject>.hash(p, end - start)
            let slot = cache.find(p, end - start, hash: hash)
            if slot >= 0 {
                r.skip(to: end)
                return cache[slot]
            }
        }
        var object = Caches.TagObject()
        var tags = Metric(name: "")
        var positions = KeyPositions()
        guard var more = Self.open(&r) else { return nil }
        while more {
            guard Self.atKey(&r) else { return nil }
            let keyOffset = r.pos
            let key = try token(&r)
            guard Self.colon(&r) else { return nil }
            if r.bytes[r.pos] == UInt8(ascii: "n") {
                try r.expectLiteral("null")
            } else {
                guard r.bytes[r.pos] == ASCII.quote else { return nil }
                tags.setTag(key, try token(&r), positions: &positions)
                object.places.append((.tag(key), keyOffset - start))
            }
            guard let n = Self.next(&r) else { return nil }
            more = n
        }
        object.finished = finish(tags).tags
        if let end, r.pos == end, end - start <= cache.maxKeyBytes { cache.insert(p, end - start, hash: hash, object) }
        return object
    }
}
