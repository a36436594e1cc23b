/// Serializer of InfluxDB line protocol with the rules of Telegraf's influx serializer.
///
/// Tags in key order, fields in metric order (or sorted), floats in shortest round-trip decimal without
/// an exponent, timestamps in the configured precision (none when the metric has none, so the receiver
/// assigns one). NaN and infinite floats cannot be written: each is reported and skipped, and a metric
/// left with no field is reported and not written.
///
///     var serializer = try InfluxSerializer(options: FormatOptions())
///     serializer.render([Metric(name: "cpu", fields: [Field("usage", .float(0.5))])])  // "cpu usage=0.5\n"
public struct InfluxSerializer: MetricSerializer {
    let precision: TimestampPrecision
    let sortFields: Bool
    let uintSupport: Bool
    let omitTimestamp: Bool
    let maxLineBytes: Int

    // Scratch buffers, reused from metric to metric.
    let header = InfluxLineBuffer()
    let footer = InfluxLineBuffer(capacity: 32)
    let pair = InfluxLineBuffer()
    let line = InfluxLineBuffer(capacity: 1024)
    var order: [Int] = []
    /// Headers (`name,tags `) of recently seen series.
    let headerCache = SeriesTextCache()
    /// Field keys written as they are.
    let fieldKeys = InfluxFieldKeyCache()
    /// Names already warned about, so each sanitized name is reported once.
    var warned: Set<String> = []

    public init(options: FormatOptions) throws(FormatError) {
        precision = options.influx.precision
        sortFields = options.influx.sortFields
        uintSupport = options.influx.uintSupport
        omitTimestamp = options.influx.omitTimestamp
        maxLineBytes = options.influx.maxLineBytes
        if maxLineBytes < 0 {
            throw .invalidOption("--influx-max-line-bytes", "must be 0 (unlimited) or a positive number of bytes")
        }
    }

    public mutating func serialize(_ metric: Metric, into out: inout [UInt8], context: SerializerContext) {
        header.removeAll()
        // A series seen before has its header ready (its warnings, once per name, were given then).
        if !headerCache.append(metric, to: header) {
            guard buildHeader(InfluxSerializer.withSortedTags(metric), context) else { return }
            headerCache.store(header.bytes, for: metric)
        }
        footer.removeAll()
        if !omitTimestamp, let ts = metric.timestamp {
            footer.append(ASCII.space)
            footer.append(precision.fromNanoseconds(ts))
        }
        footer.append(ASCII.newline)

        // Fields in metric order, or by key through `order`.
        if sortFields {
            order.removeAll(keepingCapacity: true)
            order.append(contentsOf: metric.fields.indices)
            order.sort { metric.fields[$0].key.utf8.lexicographicallyPrecedes(metric.fields[$1].key.utf8) }
        }

        // A metric none of whose values can be written is one finding (at its first field), not one
        // per field and one more.
        if let first = metric.fields.first, let problem = valueProblem(first), metric.fields.allSatisfy({ valueProblem($0) != nil }) {
            let more = metric.fields.count > 1 ? " (and \(metric.fields.count - 1) more fields it cannot carry)" : ""
            context.report(.error(.field(first.key), "\(problem)\(more): metric \(series()) skipped"))
            return
        }
        line.removeAll()
        var lineBytes = 0  // bytes of the current line, header included; 0 before its first field
        var written = 0
        for k in metric.fields.indices {
            let field = metric.fields[sortFields ? order[k] : k]
            pair.removeAll()
            guard buildPair(field, context) else { continue }
            if maxLineBytes > 0 {
                var needed = (lineBytes == 0 ? header.count : lineBytes + 1) + pair.count + footer.count
                if needed > maxLineBytes && lineBytes > 0 {
                    line.append(footer)
                    lineBytes = 0
                    needed = header.count + pair.count + footer.count
                }
                if needed > maxLineBytes {
                    context.report(.error(.field(field.key), "\(series()): need more space: a field does not fit in --influx-max-line-bytes \(maxLineBytes)"))
                    return
                }
            }
            if lineBytes == 0 {
                line.append(header)
                lineBytes = header.count
            } else {
                line.append(ASCII.comma)
                lineBytes += 1
            }
            line.append(pair)
            lineBytes += pair.count
            written += 1
        }
        if written == 0 {
            context.report(.error(.record, "\(series()): no serializable fields"))
            return
        }
        line.append(footer)
        out.append(contentsOf: line.bytes)
    }

    /// The series as Telegraf names it in errors: `"cpu,host=a"`.
    func series() -> String {
        var n = header.count
        while n > 0 && header.base[n - 1] == ASCII.space { n -= 1 }
        return "\"" + String(decoding: UnsafeBufferPointer(start: header.base, count: n), as: UTF8.self) + "\""
    }

    mutating func warnOnce(_ key: String, _ subject: Diagnostic.Subject, _ message: String, _ context: SerializerContext) {
        if warned.insert(key).inserted { context.report(.warning(subject, message)) }
    }

    /// The metric with its tags in key order. Parsers that follow Telegraf hand tags over sorted:
    /// check cheaply, sort only when needed.
    static func withSortedTags(_ metric: Metric) -> Metric {
        var series = metric
        var sorted = true
        if series.tags.count > 1 {
            for k in 1..<series.tags.count where !(series.tags[k - 1].key < series.tags[k].key) {
                sorted = false
                break
            }
        }
        if !sorted { series.sortTags() }
        return series
    }

    /// `name,tagk=tagv,... ` into `header`; false when the metric cannot be written.
    mutating func buildHeader(_ metric: Metric, _ context: SerializerContext) -> Bool {
        let nameChanges = InfluxEscaping.appendName(metric.name, to: header)
        if nameChanges & InfluxEscaping.controlEscaped != 0 {
            warnOnce(
                "m\\t:" + metric.name, .name,
                "measurement \"\(metric.name)\" has a tab, newline, form feed or CR, which line protocol cannot carry: written as \\t, \\n, \\f or \\r", context)
        }
        if nameChanges & InfluxEscaping.backslashReplaced != 0 {
            warnOnce(
                "m\\:" + metric.name, .name,
                "measurement \"\(metric.name)\" has a backslash before a character line protocol escapes, which it cannot carry: written as '_'",
                context)
        }
        if InfluxEscaping.trimOddTrailingBackslashes(header, from: 0) {
            warnOnce("m:" + metric.name, .name, "measurement \"\(metric.name)\" ends with a backslash, which line protocol cannot carry: trimmed", context)
        }
        if header.count == 0 {
            context.report(.error(.name, "invalid name: the measurement name is empty"))
            return false
        }
        for tag in metric.tags {
            let mark = header.count
            header.append(ASCII.comma)
            let keyStart = header.count
            var controls = InfluxEscaping.appendKey(tag.key, to: header)
            var trimmed = InfluxEscaping.trimTrailingBackslashes(header, from: keyStart)
            let keyEmpty = header.count == keyStart
            header.append(ASCII.equals)
            let valueStart = header.count
            controls |= InfluxEscaping.appendKey(tag.value, to: header)
            trimmed = InfluxEscaping.trimTrailingBackslashes(header, from: valueStart) || trimmed
            if keyEmpty || header.count == valueStart {
                header.count = mark
                warnOnce("t:" + tag.key, .tag(tag.key), "tag \"\(tag.key)\" has an empty key or value, which line protocol cannot carry: dropped", context)
                continue
            }
            if controls & InfluxEscaping.backslashReplaced != 0 {
                warnOnce(
                    "t\\:" + tag.key, .tag(tag.key), "tag \"\(tag.key)\" has a backslash before a quote, which line protocol readers take as an escape: written as '_'", context)
            }
            if controls & InfluxEscaping.controlEscaped != 0 {
                warnOnce(
                    "t\\t:" + tag.key, .tag(tag.key), "tag \"\(tag.key)\" has a tab, newline, form feed or CR, which line protocol cannot carry: written as \\t, \\n, \\f or \\r",
                    context)
            }
            if trimmed {
                warnOnce("t:" + tag.key, .tag(tag.key), "tag \"\(tag.key)\" ends with a backslash, which line protocol cannot carry: trimmed", context)
            }
        }
        header.append(ASCII.space)
        return true
    }

    /// Why line protocol cannot carry the field's value, or nil.
    func valueProblem(_ field: Field) -> String? {
        switch field.value {
        case .float(let v) where !v.isFinite:
            return "field \"\(field.key)\" is \(v.isNaN ? "NaN" : "Inf"), which line protocol cannot carry"
        case .uint(let v) where !uintSupport && v > UInt64(Int64.max):
            return "field \"\(field.key)\" is \(v)u, above the largest integer (9223372036854775807) line protocol carries without --influx-uint-support"
        default:
            return nil
        }
    }

    /// `key=value` into `pair`; false (with a diagnostic) when the field cannot be written.
    mutating func buildPair(_ field: Field, _ context: SerializerContext) -> Bool {
        if let problem = valueProblem(field) {
            context.report(.error(.field(field.key), problem + ": skipped"))
            return false
        }
        if !fieldKeys.appendWithEquals(field.key, to: pair) {
            let keyChanges = InfluxEscaping.appendFieldKey(field.key, to: pair)
            if keyChanges & InfluxEscaping.controlEscaped != 0 {
                warnOnce(
                    "f\\t:" + field.key, .field(field.key),
                    "field key \"\(field.key)\" has a tab, newline, form feed or CR, which line protocol cannot carry: written as \\t, \\n, \\f or \\r", context)
            }
            if keyChanges & InfluxEscaping.backslashReplaced != 0 {
                warnOnce(
                    "f\\:" + field.key, .field(field.key),
                    "field key \"\(field.key)\" has a backslash before a character line protocol escapes, which it cannot carry: written as '_'",
                    context)
            }
            let trimmed = InfluxEscaping.trimOddTrailingBackslashes(pair, from: 0)
            if trimmed {
                warnOnce("f:" + field.key, .field(field.key), "field key \"\(field.key)\" ends with a backslash, which line protocol cannot carry: trimmed", context)
            }
            if pair.count == 0 {
                context.report(.error(.field(field.key), "field with an empty key cannot be written: skipped"))
                return false
            }
            // Written as it is: the next time, copied without a scan.
            if keyChanges == 0 && !trimmed && pair.count == field.key.utf8.count { fieldKeys.keep(field.key) }
            pair.append(ASCII.equals)
        }
        switch field.value {
        case .float(let v):
            InfluxSerializer.appendFloat(v, to: pair)
        case .int(let v):
            pair.append(v)
            pair.append(UInt8(ascii: "i"))
        case .uint(let v):
            if uintSupport {
                pair.append(v)
                pair.append(UInt8(ascii: "u"))
            } else {
                pair.append(Int64(v))  // at most Int64.max: larger values were refused above
                pair.append(UInt8(ascii: "i"))
            }
        case .string(let s):
            pair.append(ASCII.quote)
            InfluxEscaping.appendStringContent(s, to: pair)
            pair.append(ASCII.quote)
        case .bool(let b):
            if b { pair.append(ascii: "true") } else { pair.append(ascii: "false") }
        }
        return true
    }
}
