#if !METRICAT_ONE_MODULE
    import MetricCore
#endif

/// Serializer of the telemetry CSV shape: the header `Timepoint,Measurement,Label,PID` once, then one
/// row per numeric field:
///
///     Timepoint,Measurement,Label,PID
///     1700000000000000000,91.5,"cpu,cpu=cpu0,host=a usage_idle",
///     1700000000000000000,12,"proc,name=nginx rss",4242
///
/// - Timepoint: the metric's time in nanoseconds, or `context.now` when it has none.
/// - Measurement: the value as a float (shortest round-trip digits; ints in full; bool 1 or 0).
///   Strings, NaN and infinities cannot be carried: reported and skipped.
/// - Label: the series key and field key (``CSVLabel``), always quoted, `"` doubled.
/// - PID: the `pid` tag when it is a plain decimal integer (then left out of the label), else empty.
public struct CSVSerializer: MetricSerializer {
    private var wroteHeader = false
    private var series: [UInt8] = []
    private var value: [UInt8] = []
    private var fieldBytes: [UInt8] = []
    /// A CR right before a LF: CSV readers (and metricat's) read the pair as one line end.
    static func hasCRLF(_ bytes: [UInt8]) -> Bool {
        guard bytes.contains(ASCII.cr) else { return false }
        for k in bytes.indices.dropLast() where bytes[k] == ASCII.cr && bytes[k + 1] == ASCII.newline { return true }
        return false
    }

    /// Keys of tags dropped for an empty key or value (one warning each), and labels with a CRLF.
    private var warnedTags: Set<String> = []

    public init(options: FormatOptions) throws(FormatError) {}

    public mutating func serialize(_ metric: Metric, into out: inout [UInt8], context: SerializerContext) {
        guard !metric.name.isEmpty else {
            context.report(.error(.name, "a metric with an empty name cannot be written in a CSV Label: skipped"))
            return
        }
        var pid: String? = nil
        var tags = metric.tags
        if let k = tags.firstIndex(where: { $0.key == "pid" }), GoNumber.parseInt(tags[k].value).value.map(String.init) == tags[k].value {
            pid = tags.remove(at: k).value
        }
        for t in tags where t.key.isEmpty || t.value.isEmpty {
            if warnedTags.insert(t.key).inserted {
                context.report(.warning(.tag(t.key), "tag \"\(t.key)\" has an empty key or value, which a CSV Label cannot carry: dropped"))
            }
        }
        series.removeAll(keepingCapacity: true)
        CSVLabel.appendSeries(name: metric.name, tags: tags, to: &series)
        let timestamp = metric.timestamp ?? context.now

        for field in metric.fields {
            value.removeAll(keepingCapacity: true)
            if field.key.isEmpty {
                context.report(.error(.field(field.key), "a field of \"\(metric.name)\" has an empty key, which a CSV Label cannot carry: skipped"))
                continue
            }
            switch field.value {
            case .float(let v):
                guard v.isFinite else {
                    context.report(.error(.field(field.key), "field \"\(field.key)\" of \"\(metric.name)\" is \(v), which CSV Measurement cannot carry: skipped"))
                    continue
                }
                NumberFormatting.appendJSON(v, to: &value)
            case .int(let v): NumberFormatting.append(v, to: &value)
            case .uint(let v): NumberFormatting.append(v, to: &value)
            case .bool(let v): value.append(v ? UInt8(ascii: "1") : ASCII.zero)
            case .string:
                context.report(.error(.field(field.key), "field \"\(field.key)\" of \"\(metric.name)\" is a string, which CSV Measurement cannot carry: skipped"))
                continue
            }
            if !wroteHeader {
                out.append(ascii: "Timepoint,Measurement,Label,PID\n")
                wroteHeader = true
            }
            NumberFormatting.append(timestamp, to: &out)
            out.append(ASCII.comma)
            out.append(contentsOf: value)
            out.append(ASCII.comma)
            out.append(ASCII.quote)
            Self.appendQuoted(series, to: &out)
            fieldBytes.removeAll(keepingCapacity: true)
            CSVLabel.appendField(field.key, to: &fieldBytes)
            Self.appendQuoted(fieldBytes, to: &out)
            if Self.hasCRLF(series) || Self.hasCRLF(fieldBytes), warnedTags.insert("\r\n " + field.key).inserted {
                context.report(
                    .warning(
                        .field(field.key),
                        "the label of field \"\(field.key)\" of \"\(metric.name)\" holds a CR before a newline, which a CSV reader takes as a line end: it reads back without the CR"
                    ))
            }
            out.append(ASCII.quote)
            out.append(ASCII.comma)
            if let pid { out.append(utf8: pid) }
            out.append(ASCII.newline)
        }
    }

    /// Bytes inside a quoted CSV field: `"` doubled.
    static func appendQuoted(_ bytes: [UInt8], to out: inout [UInt8]) {
        for c in bytes {
            if c == ASCII.quote { out.append(ASCII.quote) }
            out.append(c)
        }
    }
}
