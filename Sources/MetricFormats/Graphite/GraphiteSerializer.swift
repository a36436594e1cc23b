/// Graphite plaintext serializer, as Telegraf's: one `path value timestamp` line per field.
///
/// The path comes from a template (`host.tags.measurement.field` unless `--template` or a
/// `glob template` pair in `--templates` that matches the measurement says otherwise), or with
/// `--graphite-tag-support` from `[prefix.]measurement[.field];k=v;...`. A field named `value` is
/// left out of the path. Names are sanitized as Telegraf does (``GraphiteSanitizer``), with one
/// warning per name that changed. Floats are written without exponent, ints as they are, bools as
/// 1 or 0; strings, NaN and infinities cannot be written and are reported and skipped. The
/// timestamp is Unix seconds (the context's "now" for a metric without one).
public struct GraphiteSerializer: MetricSerializer {
    /// A `glob template` pair from `--templates`.
    struct FilteredTemplate {
        var filter: GraphiteGlob
        var template: [TemplatePart]
    }

    enum TemplatePart: Equatable {
        case measurement
        case tags
        case field
        case tag(String)
    }

    static let defaultTemplate = "host.tags.measurement.field"

    let prefix: String
    let template: [TemplatePart]
    let templates: [FilteredTemplate]
    let tagSupport: Bool
    let tagSanitizeMode: GraphiteOptions.TagSanitizeMode
    let separator: String
    let sanitizer: GraphiteSanitizer
    /// Names already warned about.
    private var warned: Set<String> = []
    private var scratch: [UInt8] = []

    public init(options: FormatOptions) throws(FormatError) {
        let g = options.graphite
        prefix = options.prefix
        tagSupport = g.tagSupport
        tagSanitizeMode = g.tagSanitizeMode
        separator = g.graphiteSeparator.isEmpty ? "." : g.graphiteSeparator
        sanitizer = try GraphiteSanitizer(strictRegex: g.strictSanitizeRegex)
        var base = g.template ?? ""
        var filtered: [FilteredTemplate] = []
        for (i, t) in options.templates.enumerated() {
            let words = t.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" })
            switch words.count {
            case 0:
                throw .invalidOption("--templates", "template \(i + 1) is empty")
            case 1:
                base = String(words[0])
            case 2:
                let glob = try GraphiteGlob(String(words[0]), flag: "--templates")
                filtered.append(FilteredTemplate(filter: glob, template: Self.parseTemplate(String(words[1]))))
            default:
                throw .invalidOption("--templates", "\"\(t)\" is not 'glob template' (graphite output example: --templates 'cpu tags.measurement.host.field')")
            }
        }
        template = Self.parseTemplate(base.isEmpty ? Self.defaultTemplate : base)
        templates = filtered
    }

    static func parseTemplate(_ s: String) -> [TemplatePart] {
        s.split(separator: ".", omittingEmptySubsequences: false).map { p -> TemplatePart in
            switch p {
            case "measurement": return .measurement
            case "tags": return .tags
            case "field": return .field
            default: return .tag(String(p))
            }
        }
    }

    public mutating func serialize(_ metric: Metric, into out: inout [UInt8], context: SerializerContext) {
        let seconds = (metric.timestamp ?? context.now) / 1_000_000_000
        if tagSupport {
            serializeWithTags(metric, seconds: seconds, into: &out, context: context)
            return
        }
        var parts = template
        for t in templates where t.filter.matches(metric.name) {
            parts = t.template
            break
        }
        // Telegraf's bucket: the template's parts joined with ".", with FIELDNAME where the field goes.
        var pieces: [String] = []
        var remaining = metric.tags
        var tagsSlot = -1
        for part in parts {
            switch part {
            case .measurement: pieces.append(metric.name)
            case .field: pieces.append("FIELDNAME")
            case .tags:
                if tagsSlot < 0 { tagsSlot = pieces.count }
                pieces.append("TAGS")
            case .tag(let key):
                if let i = remaining.firstIndex(where: { $0.key == key }) {
                    pieces.append(Self.dotsToUnderscores(remaining[i].value))
                    remaining.remove(at: i)
                }
            }
        }
        if tagsSlot >= 0 {
            remaining.sort { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
            pieces[tagsSlot] = remaining.map { Self.dotsToUnderscores($0.value) }.joined(separator: ".")
        }
        if pieces.isEmpty {
            context.report(.error("the template gives \"\(metric.name)\" an empty graphite path: metric skipped"))
            return
        }
        var bucket: [UInt8] = []
        if !prefix.isEmpty {
            bucket.append(utf8: prefix)
            bucket.append(ASCII.dot)
        }
        for (i, p) in pieces.enumerated() {
            if i > 0 { bucket.append(ASCII.dot) }
            bucket.append(utf8: p)
        }
        for field in metric.fields {
            guard appendValueText(field, metric: metric, context: context) else { continue }
            let path = Self.insertField(bucket, field.key)
            scratch.removeAll(keepingCapacity: true)
            if sanitizer.strict(path, into: &scratch) { warn(path, scratch, context: context) }
            out.append(contentsOf: scratch)
            out.append(ASCII.space)
            out.append(contentsOf: valueText)
            out.append(ASCII.space)
            NumberFormatting.append(seconds, to: &out)
            out.append(ASCII.newline)
        }
    }

    private static let placeholder: [UInt8] = Array("FIELDNAME".utf8)

    @inline(__always) private static func hasPlaceholder(_ b: [UInt8], at i: Int) -> Bool {
        guard i + placeholder.count <= b.count else { return false }
        for k in 0..<placeholder.count where b[i + k] != placeholder[k] { return false }
        return true
    }

    /// Telegraf's InsertField: the first FIELDNAME becomes the field name; for the field `value`,
    /// every ".FIELDNAME" and "FIELDNAME." goes instead (one left-to-right pass, as Go's Replacer).
    static func insertField(_ bucket: [UInt8], _ field: String) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bucket.count + field.utf8.count)
        var i = 0
        if field == "value" {
            while i < bucket.count {
                if bucket[i] == ASCII.dot, hasPlaceholder(bucket, at: i + 1) {
                    i += 1 + placeholder.count
                } else if hasPlaceholder(bucket, at: i), i + placeholder.count < bucket.count, bucket[i + placeholder.count] == ASCII.dot {
                    i += placeholder.count + 1
                } else {
                    out.append(bucket[i])
                    i += 1
                }
            }
            return out
        }
        while i < bucket.count {
            if hasPlaceholder(bucket, at: i) {
                out.append(utf8: field)
                out.append(contentsOf: bucket[(i + placeholder.count)...])
                return out
            }
            out.append(bucket[i])
            i += 1
        }
        return out
    }

    private var valueText: [UInt8] = []
    private var pathBytes: [UInt8] = []

    /// Writes the value's text into `valueText`; false (and an error) when graphite cannot carry it.
    private mutating func appendValueText(_ field: Field, metric: Metric, context: SerializerContext) -> Bool {
        valueText.removeAll(keepingCapacity: true)
        switch field.value {
        case .float(let v):
            if v.isNaN || v.isInfinite {
                context.report(.error("field \"\(field.key)\" of \"\(metric.name)\" is \(v.isNaN ? "NaN" : (v < 0 ? "-Inf" : "+Inf")): graphite cannot carry it, skipped"))
                return false
            }
            NumberFormatting.appendFixed(v, to: &valueText)
        case .int(let v): NumberFormatting.append(v, to: &valueText)
        case .uint(let v): NumberFormatting.append(v, to: &valueText)
        case .bool(let v): valueText.append(v ? UInt8(ascii: "1") : ASCII.zero)
        case .string:
            context.report(.error("field \"\(field.key)\" of \"\(metric.name)\" is a string: graphite carries only numbers, skipped"))
            return false
        }
        return true
    }

    static func dotsToUnderscores(_ s: String) -> String {
        guard s.utf8.contains(ASCII.dot) else { return s }
        return String(decoding: s.utf8.map { $0 == ASCII.dot ? UInt8(ascii: "_") : $0 }, as: UTF8.self)
    }

    private mutating func serializeWithTags(_ metric: Metric, seconds: Int64, into out: inout [UInt8], context: SerializerContext) {
        // The tag part is the same for every field: build it once.
        var tagStrings: [[UInt8]] = []
        tagStrings.reserveCapacity(metric.tags.count)
        for tag in metric.tags {
            let key = tag.key == "name" ? "_name" : tag.key
            var bytes: [UInt8] = []
            switch tagSanitizeMode {
            case .strict:
                let kv = Array((key + "=" + tag.value).utf8)
                if sanitizer.strict(kv, into: &bytes) { warn(kv, bytes, context: context, what: "graphite tag") }
            case .compatible:
                GraphiteSanitizer.compatible(key: key, value: tag.value, into: &bytes)
                let kv = Array((key + "=" + tag.value).utf8)
                if kv != bytes { warn(kv, bytes, context: context, what: "graphite tag") }
            }
            tagStrings.append(bytes)
        }
        tagStrings.sort { $0.lexicographicallyPrecedes($1) }
        for field in metric.fields {
            guard appendValueText(field, metric: metric, context: context) else { continue }
            pathBytes.removeAll(keepingCapacity: true)
            if !prefix.isEmpty {
                pathBytes.append(utf8: prefix)
                pathBytes.append(utf8: separator)
            }
            pathBytes.append(utf8: metric.name)
            if field.key != "value" {
                pathBytes.append(utf8: separator)
                pathBytes.append(utf8: field.key)
            }
            scratch.removeAll(keepingCapacity: true)
            if sanitizer.strict(pathBytes, into: &scratch) { warn(pathBytes, scratch, context: context) }
            out.append(contentsOf: scratch)
            for t in tagStrings {
                out.append(ASCII.semicolon)
                out.append(contentsOf: t)
            }
            out.append(ASCII.space)
            out.append(contentsOf: valueText)
            out.append(ASCII.space)
            NumberFormatting.append(seconds, to: &out)
            out.append(ASCII.newline)
        }
    }

    /// One warning per distinct name that sanitizing changed.
    private mutating func warn(_ bytes: [UInt8], _ written: [UInt8], context: SerializerContext, what: String = "graphite path") {
        let original = String(decoding: bytes, as: UTF8.self)
        if warned.contains(original) { return }
        warned.insert(original)
        context.report(.warning("\(what) \"\(original)\" written as \"\(String(decoding: written, as: UTF8.self))\": graphite does not allow some of its characters"))
    }
}
