#if !METRICAT_ONE_MODULE
    import MetricCore
#endif

/// Serializer of the Wavefront data format, line for line as Telegraf's wavefront serializer writes it:
///
///     "<prefix><name>.<field>" <value %.6f> <unix seconds> source="<source>" "<k>"="<v>" ...
///
/// - One line per numeric field; a field named `value` gives just `<prefix><name>`. bool is 1 or 0,
///   ints are written as floats. Strings, NaN and infinities cannot be carried: each is reported and
///   skipped (Telegraf drops strings silently and writes `NaN`).
/// - Names and tag keys: ``sanitize(_:strict:)`` replaces the bytes Wavefront does not accept with `-`
///   (one warning per distinct name); then `_` becomes `.` over the whole name unless
///   `disablePrefixConversion`.
/// - Source: tag `source`; else the first tag of `sourceOverride` that is present (the `host` value then
///   moves to tag `telegraf_host`); else `host`. `host` is never a point tag, empty tags are dropped.
/// - Point tags are written sorted by key (Telegraf's order is a Go map's: unspecified).
/// - Time: the metric's in whole Unix seconds (floor), or `context.now` when it has none.
public struct WavefrontSerializer: MetricSerializer {
    let prefix: String
    let useStrict: Bool
    let sourceOverride: [String]
    let convertUnderscores: Bool
    private var warnedNames: Set<String> = []
    private var warnedTagKeys: Set<String> = []
    /// Field keys whose value `%.6f` rounded (one warning each).
    private var warnedRounding: Set<String> = []
    /// ` source="..." "k"="v"...\n` of the metric being written, shared by its lines.
    private var tail: [UInt8] = []
    private var name: [UInt8] = []
    private var pointTags: [Tag] = []

    public init(options: FormatOptions) throws(FormatError) {
        prefix = options.prefix
        useStrict = options.wavefront.useStrict
        sourceOverride = options.wavefront.sourceOverride
        convertUnderscores = !options.wavefront.disablePrefixConversion
    }

    public mutating func serialize(_ metric: Metric, into out: inout [UInt8], context: SerializerContext) {
        buildTail(metric.tags, context: context)
        let ns = metric.timestamp ?? context.now
        var seconds = ns / 1_000_000_000
        if ns % 1_000_000_000 < 0 { seconds -= 1 }  // Go's Time.Unix() floors

        for field in metric.fields {
            let value: Double
            switch field.value {
            case .float(let v): value = v
            case .int(let v): value = Double(v)
            case .uint(let v): value = Double(v)
            case .bool(let v): value = v ? 1 : 0
            case .string:
                context.report(.error(.field(field.key), "field \"\(field.key)\" of \"\(metric.name)\" is a string, which Wavefront cannot carry: skipped"))
                continue
            }
            if !value.isFinite {
                context.report(.error(.field(field.key), "field \"\(field.key)\" of \"\(metric.name)\" is \(value), which Wavefront cannot carry: skipped"))
                continue
            }
            buildName(metric.name, field: field.key, context: context)
            out.append(ASCII.quote)
            out.append(contentsOf: name)
            out.append(ASCII.quote)
            out.append(ASCII.space)
            let valueStart = out.count
            NumberFormatting.appendFixed(value, decimals: 6, to: &out)
            // Telegraf's `%.6f` rounds: say so when the value read back is not the value.
            if out[valueStart...].withUnsafeBufferPointer({ GoNumber.parseFloat($0).value }) != value, warnedRounding.insert(field.key).inserted {
                context.report(
                    .warning(
                        .field(field.key),
                        "field \"\(field.key)\" of \"\(metric.name)\" is \(value), written with 6 decimals as \(String(decoding: out[valueStart...], as: UTF8.self)) (Telegraf's %.6f)"
                    ))
            }
            out.append(ASCII.space)
            NumberFormatting.append(seconds, to: &out)
            out.append(contentsOf: tail)
        }
    }

    /// `<prefix><name>[.<field>]`, sanitized, `_` turned into `.`, into `name`.
    private mutating func buildName(_ metricName: String, field: String, context: SerializerContext) {
        name.removeAll(keepingCapacity: true)
        name.append(utf8: prefix)
        name.append(utf8: metricName)
        if field != "value" {
            name.append(ASCII.dot)
            name.append(utf8: field)
        }
        if Self.sanitize(&name, strict: useStrict) {
            let original = prefix + metricName + (field == "value" ? "" : "." + field)
            if !warnedNames.contains(original) {
                warnedNames.insert(original)
                context.report(
                    .warning(
                        field == "value" ? .name : .field(field),
                        "name \"\(original)\" written as \"\(String(decoding: name, as: UTF8.self))\": Wavefront names cannot hold those characters"))
            }
        }
        if convertUnderscores {
            for k in name.indices where name[k] == UInt8(ascii: "_") { name[k] = ASCII.dot }
        }
    }

    /// Source and point tags of a metric, into `tail`.
    private mutating func buildTail(_ metricTags: [Tag], context: SerializerContext) {
        // Non-empty tags, the last of a repeated key winning; source, host and override candidates aside.
        var tags: [Tag] = []
        swap(&tags, &pointTags)  // reuse the buffer without a copy
        tags.removeAll(keepingCapacity: true)
        var source: String? = nil
        var host: String? = nil
        var override: (rank: Int, index: Int)? = nil
        for t in metricTags where !t.value.isEmpty {
            if t.key.isEmpty {
                if warnedTagKeys.insert("").inserted {
                    context.report(.warning(.tag(""), "a tag with an empty key cannot be written in Wavefront: dropped"))
                }
                continue
            }
            if t.key == "source" {
                source = t.value
                continue
            }
            if t.key == "host" {
                host = t.value
                continue
            }
            if let k = tags.firstIndex(where: { $0.key.hasSameBytes(as: t.key) }) {
                tags[k].value = t.value
            } else {
                tags.append(t)
            }
        }
        if source == nil, !sourceOverride.isEmpty {
            // The first key of the override list that the metric has; `host` may be one of them.
            for (k, t) in tags.enumerated() {
                if let rank = sourceOverride.firstIndex(where: { $0.hasSameBytes(as: t.key) }), rank < (override?.rank ?? Int.max) {
                    override = (rank, k)
                }
            }
            if host != nil, let rank = sourceOverride.firstIndex(of: "host"), rank < (override?.rank ?? Int.max) {
                override = (rank, -1)
            }
        }
        if let o = override {
            if o.index >= 0 {
                source = tags.remove(at: o.index).value
                // Telegraf writes an empty telegraf_host when there is no host; an empty tag is left out.
                if let host { tags.append(Tag("telegraf_host", host)) }
            } else {
                source = host  // `host` itself in the list: it is the source, nothing moves
            }
        } else if source == nil {
            source = host
        } else if let host, host != source, warnedTagKeys.insert("host beside source").inserted {
            // Wavefront's host is its source: with a `source` tag too, the host has no place (Telegraf drops it silently).
            context.report(.warning(.tag("host"), "tag \"host\" (\(host)) dropped: the tag \"source\" is the Wavefront source, which is its host"))
        }
        var sorted = true
        for k in tags.indices.dropFirst() where !tags[k - 1].key.utf8.lexicographicallyPrecedes(tags[k].key.utf8) {
            sorted = false
            break
        }
        if !sorted { tags.sort { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) } }
        defer { pointTags = tags }

        tail.removeAll(keepingCapacity: true)
        tail.append(ascii: " source=\"")
        if Self.appendTagValue(source ?? "", to: &tail), warnedTagKeys.insert("value of source").inserted {
            context.report(.warning(.record, "source \"\(source ?? "")\" has a control character, a '*' or a backslash Wavefront cannot carry: written with '-'"))
        }
        tail.append(ASCII.quote)
        for t in tags {
            tail.append(ascii: " \"")
            let start = tail.count
            tail.append(utf8: t.key)
            if Self.sanitize(&tail, from: start, strict: useStrict), !warnedTagKeys.contains(t.key) {
                warnedTagKeys.insert(t.key)
                context.report(
                    .warning(.tag(t.key), "tag key \"\(t.key)\" written as \"\(String(decoding: tail[start...], as: UTF8.self))\": Wavefront tag keys cannot hold those characters")
                )
            }
            tail.append(ascii: "\"=\"")
            if Self.appendTagValue(t.value, to: &tail), warnedTagKeys.insert("value of " + t.key).inserted {
                context.report(
                    .warning(.tag(t.key), "tag \"\(t.key)\" has a value with a control character, a '*' or a backslash Wavefront cannot carry: written with '-'"))
            }
            tail.append(ASCII.quote)
        }
        tail.append(ASCII.newline)
    }

    /// A tag value or source: `"` escaped as `\"`, `*` replaced with `-`, as Telegraf does. A control
    /// character (a newline would split the point) and a backslash at the end (it would swallow the
    /// closing quote) cannot be carried: each is written as `-`; true if one was.
    @discardableResult
    static func appendTagValue(_ s: String, to out: inout [UInt8]) -> Bool {
        var changed = false
        let bytes = Array(s.utf8)
        for (k, c) in bytes.enumerated() {
            switch c {
            case ASCII.quote:
                out.append(ASCII.backslash)
                out.append(ASCII.quote)
            case UInt8(ascii: "*"):
                // Telegraf's replacement (Wavefront reads `*` as a wildcard in queries): reported.
                out.append(ASCII.minus)
                changed = true
            case ASCII.backslash where k + 1 == bytes.count:
                out.append(ASCII.minus)
                changed = true
            case 0..<0x20, 0x7F:
                out.append(ASCII.minus)
                changed = true
            default: out.append(c)
            }
        }
        return changed
    }

    /// Replaces ``!@#$%^&*()+`'"[]{}:;<>,?/\|``, space and `=` with `-` in `bytes[from...]`
    /// (`strict` keeps `,` and `/`); returns whether anything changed.
    @discardableResult
    static func sanitize(_ bytes: inout [UInt8], from: Int = 0, strict: Bool) -> Bool {
        var changed = false
        for k in from..<bytes.count {
            let c = bytes[k]
            let bad: Bool
            switch c {
            case UInt8(ascii: "!"), UInt8(ascii: "@"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"),
                UInt8(ascii: "^"), UInt8(ascii: "&"), UInt8(ascii: "*"), UInt8(ascii: "("), UInt8(ascii: ")"),
                UInt8(ascii: "+"), UInt8(ascii: "`"), UInt8(ascii: "'"), ASCII.quote, UInt8(ascii: "["),
                UInt8(ascii: "]"), UInt8(ascii: "{"), UInt8(ascii: "}"), ASCII.colon, ASCII.semicolon,
                UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "?"), ASCII.backslash, ASCII.pipe,
                ASCII.space, ASCII.equals:
                bad = true
            case ASCII.comma, UInt8(ascii: "/"):
                bad = !strict
            case 0..<0x20, 0x7F:
                bad = true  // a control character (a newline) would split the point
            default:
                bad = false
            }
            if bad {
                bytes[k] = ASCII.minus
                changed = true
            }
        }
        return changed
    }
}
