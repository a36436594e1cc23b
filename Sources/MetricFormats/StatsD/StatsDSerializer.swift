/// StatsD / DogStatsD serializer: one line per numeric field.
///
/// The line is `name.field` (`name` for field `value`), the type comes from tag `metric_type`
/// (gauge when absent), field `sample_rate` becomes `|@rate` on every line of the metric, and
/// `delta=true` makes a gauge signed (`+3|g`, `-3|g`). A negative absolute gauge is written as
/// `0|g` then the value, as StatsD clients do, since `-3|g` alone would be a delta. A set's string
/// member is written as `name:member|s`; other strings cannot be carried (error, skipped); a bool is
/// 1 or 0. Tags are DogStatsD `|#k:v,...` by default, Influx-style bucket tags or none by option.
/// StatsD has no escaping: characters that would break a line are replaced by `_`, with one warning
/// per distinct name.
public struct StatsDSerializer: MetricSerializer {
    private let tagStyle: StatsDOptions.TagStyle
    private let timestamps: Bool
    /// Names already warned about.
    private var warned: Set<String> = []
    private var tagBytes: [UInt8] = []
    private var nameBytes: [UInt8] = []

    public init(options: FormatOptions) throws(FormatError) {
        tagStyle = options.statsd.tagStyle
        timestamps = options.statsd.datadogTimestamps
    }

    public mutating func serialize(_ metric: Metric, into out: inout [UInt8], context: SerializerContext) {
        var kind = StatsDSample.Kind.gauge
        var typeTagIndex: Int? = nil
        if let i = metric.tags.firstIndex(where: { $0.key == "metric_type" }), let k = StatsDSample.Kind(metricType: metric.tags[i].value) {
            kind = k
            typeTagIndex = i
        }
        var rate: Double? = nil
        var delta = false
        for f in metric.fields {
            if f.key == "sample_rate", let r = f.value.doubleValue, f.value.isNumeric { rate = r }
            if f.key == "delta", case .bool(let d) = f.value { delta = d }
        }
        if let r = rate, !(r.isFinite && r > 0) {
            context.report(.error(.field("sample_rate"), "metric \(metric.name): sample_rate \(r) is not a positive number: written without a rate"))
            rate = nil
        }

        // Tags, rendered once for every line of the metric.
        tagBytes.removeAll(keepingCapacity: true)
        if tagStyle != .none {
            for (i, t) in metric.tags.enumerated() where i != typeTagIndex {
                if tagStyle == .dogstatsd {
                    tagBytes.append(ASCII.comma)
                    Self.appendSanitized(t.key, keyOf: .dogstatsdKey, into: &tagBytes, warned: &warned, context: context, what: "tag key", .tag(t.key))
                    tagBytes.append(ASCII.colon)
                    Self.appendSanitized(t.value, keyOf: .dogstatsdValue, into: &tagBytes, warned: &warned, context: context, what: "tag value", .tag(t.key))
                } else {
                    tagBytes.append(ASCII.comma)
                    Self.appendSanitized(t.key, keyOf: .influxKey, into: &tagBytes, warned: &warned, context: context, what: "tag key", .tag(t.key))
                    tagBytes.append(ASCII.equals)
                    Self.appendSanitized(t.value, keyOf: .influxValue, into: &tagBytes, warned: &warned, context: context, what: "tag value", .tag(t.key))
                }
            }
        }
        let nameStyle: Unsafe = tagStyle == .influx ? .influxName : .name

        var wrote = false
        var failed = false
        for f in metric.fields {
            if f.key == "sample_rate" && f.value.isNumeric { continue }
            if f.key == "delta", case .bool = f.value { continue }
            // The text of the value, and whether it needs a sign or a zeroing line first.
            var number: Double? = nil
            var integer: Int64? = nil
            var unsigned: UInt64? = nil
            var member: String? = nil
            switch f.value {
            case .float(let v): number = v
            case .int(let v): integer = v
            case .uint(let v): unsigned = v
            case .bool(let v): integer = v ? 1 : 0
            case .string(let s):
                if kind == .set && f.key == "value" {
                    if s.isEmpty || s.utf8.contains(where: { $0 == ASCII.pipe || $0 == ASCII.colon || $0 == ASCII.newline || $0 == ASCII.cr }) {
                        context.report(
                            .error(.field(f.key), "metric \(metric.name): set member \"\(s)\" cannot be carried by StatsD (empty, or holds ':', '|' or a newline): skipped"))
                        failed = true
                        continue
                    }
                    member = s
                } else {
                    context.report(.error(.field(f.key), "metric \(metric.name): string field \"\(f.key)\" cannot be carried by StatsD: skipped"))
                    failed = true
                    continue
                }
            }
            if let v = number {
                if !v.isFinite {
                    context.report(.error(.field(f.key), "metric \(metric.name): field \"\(f.key)\" is \(v): StatsD carries only finite numbers: skipped"))
                    failed = true
                    continue
                }
                if kind == .counter, v == v.rounded(.towardZero), abs(v) < 9.2e18 {
                    integer = Int64(v)
                    number = nil
                }
            }
            let negative = (number.map { $0 < 0 } ?? false) || (integer.map { $0 < 0 } ?? false)

            // Name: `name.field`, or `name` for field `value`.
            nameBytes.removeAll(keepingCapacity: true)
            if f.key == "value" {
                Self.appendSanitized(metric.name, keyOf: nameStyle, into: &nameBytes, warned: &warned, context: context, what: "metric name", .name)
            } else {
                Self.appendSanitized(metric.name + "." + f.key, keyOf: nameStyle, into: &nameBytes, warned: &warned, context: context, what: "metric name", .field(f.key))
            }

            if kind == .gauge && !delta && negative {
                // `-3|g` would be read as a delta: set zero first, then subtract.
                appendHead(&out)
                out.append(ASCII.zero)
                appendTail(kind: kind, rate: rate, metric: metric, &out)
            }
            appendHead(&out)
            if kind == .gauge && delta && !negative { out.append(ASCII.plus) }
            if let member {
                out.append(utf8: member)
            } else if let integer {
                NumberFormatting.append(integer, to: &out)
            } else if let unsigned {
                NumberFormatting.append(unsigned, to: &out)
            } else if let number {
                if number == 0 {
                    out.append(ASCII.zero)  // no "-0": the sign was written or is not wanted
                } else {
                    NumberFormatting.appendFixed(number, to: &out)
                }
            }
            appendTail(kind: kind, rate: rate, metric: metric, &out)
            wrote = true
        }
        if !wrote && !failed {
            context.report(.error(.record, "metric \(metric.name): no numeric field for StatsD to carry: skipped"))
        }
    }

    /// `name[,k=v...]:` (influx-style tags go in the bucket).
    @inline(__always)
    private func appendHead(_ out: inout [UInt8]) {
        out.append(contentsOf: nameBytes)
        if tagStyle == .influx { out.append(contentsOf: tagBytes) }
        out.append(ASCII.colon)
    }

    /// `|type[|@rate][|#tags][|T<unix>]\n`.
    private func appendTail(kind: StatsDSample.Kind, rate: Double?, metric: Metric, _ out: inout [UInt8]) {
        out.append(ASCII.pipe)
        out.append(utf8: kind.rawValue)
        if let rate {
            out.append(ASCII.pipe)
            out.append(ASCII.at)
            NumberFormatting.appendFixed(rate, to: &out)
        }
        if tagStyle == .dogstatsd && !tagBytes.isEmpty {
            out.append(ASCII.pipe)
            out.append(ASCII.hash)
            out.append(contentsOf: tagBytes.dropFirst())
        }
        if timestamps, let ts = metric.timestamp {
            out.append(ASCII.pipe)
            out.append(UInt8(ascii: "T"))
            // Whole seconds, rounded toward the past.
            let secs = ts / 1_000_000_000 - (ts % 1_000_000_000 < 0 ? 1 : 0)
            NumberFormatting.append(secs, to: &out)
        }
        out.append(ASCII.newline)
    }

    /// Where a text goes decides which bytes would break the line.
    enum Unsafe {
        case name, influxName, dogstatsdKey, dogstatsdValue, influxKey, influxValue

        @inline(__always)
        func isUnsafe(_ b: UInt8) -> Bool {
            if b < 0x20 || b == ASCII.space || b == 0x7F { return true }  // whitespace and controls
            switch self {
            case .name:
                return b == ASCII.colon || b == ASCII.pipe || b == ASCII.at || b == ASCII.hash || b == ASCII.comma
            case .influxName:
                return b == ASCII.colon || b == ASCII.pipe || b == ASCII.at || b == ASCII.hash || b == ASCII.comma || b == ASCII.equals
            case .dogstatsdKey:
                return b == ASCII.colon || b == ASCII.pipe || b == ASCII.comma
            case .dogstatsdValue:
                return b == ASCII.pipe || b == ASCII.comma
            case .influxKey:
                return b == ASCII.colon || b == ASCII.pipe || b == ASCII.comma || b == ASCII.equals
            case .influxValue:
                return b == ASCII.colon || b == ASCII.pipe || b == ASCII.comma
            }
        }
    }

    /// Appends `text` with unsafe bytes replaced by `_`; warns once per distinct text changed.
    private static func appendSanitized(
        _ text: String, keyOf style: Unsafe, into buf: inout [UInt8], warned: inout Set<String>, context: SerializerContext, what: String, _ subject: Diagnostic.Subject
    ) {
        var text = text
        let start = buf.count
        var changed = false
        text.withUTF8 { bytes in
            buf.append(contentsOf: bytes)
            for i in 0..<bytes.count where style.isUnsafe(bytes[i]) {
                buf[start + i] = UInt8(ascii: "_")
                changed = true
            }
        }
        if text.isEmpty {
            buf.append(UInt8(ascii: "_"))
            changed = true
        }
        if changed && warned.insert(what + "\u{0}" + text).inserted {
            let written = String(decoding: buf[start...], as: UTF8.self)
            context.report(.warning(subject, "\(what) \"\(text)\" has characters StatsD cannot carry: written as \"\(written)\""))
        }
    }
}
