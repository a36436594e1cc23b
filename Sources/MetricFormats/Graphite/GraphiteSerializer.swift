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
        var filter: Glob
        var template: Template
    }

    enum TemplatePart: Equatable {
        case measurement
        case tags
        case field
        case tag(String)
        /// A tag named again: Telegraf writes a tag once.
        case repeatedTag
    }

    /// A serializer template: its parts and the tags it names (they stay out of "tags").
    struct Template {
        var parts: [TemplatePart]
        var named: [String]
    }

    static let defaultTemplate = "host.tags.measurement.field"

    let prefix: String
    let template: Template
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
        tagSupport = g.tagSupport ?? false
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
                let glob = try Glob(String(words[0]), flag: "--templates")
                filtered.append(FilteredTemplate(filter: glob, template: Self.parseTemplate(String(words[1]))))
            default:
                throw .invalidOption("--templates", "\"\(t)\" is not 'glob template' (graphite output example: --templates 'cpu tags.measurement.host.field')")
            }
        }
        template = Self.parseTemplate(base.isEmpty ? Self.defaultTemplate : base)
        templates = filtered
    }

    static func parseTemplate(_ s: String) -> Template {
        var t = Template(parts: [], named: [])
        for p in s.split(separator: ".", omittingEmptySubsequences: false) {
            switch p {
            case "measurement": t.parts.append(.measurement)
            case "tags": t.parts.append(.tags)
            case "field": t.parts.append(.field)
            default:
                let key = String(p)
                if t.named.contains(key) {
                    t.parts.append(.repeatedTag)
                } else {
                    t.named.append(key)
                    t.parts.append(.tag(key))
                }
            }
        }
        return t
    }

    public mutating func serialize(_ metric: Metric, into out: inout [UInt8], context: SerializerContext) {
        let seconds = (metric.timestamp ?? context.now) / 1_000_000_000
        if tagSupport {
            serializeWithTags(metric, seconds: seconds, into: &out, context: context)
            return
        }
        var template = self.template
        for t in templates where t.filter.matches(metric.name) {
            template = t.template
            break
        }
        // Telegraf's bucket: the template's parts joined with ".", with FIELDNAME where the field goes,
        // the "tags" part holding the values of the tags the template does not name, sorted by key.
        bucket.removeAll(keepingCapacity: true)
        if !prefix.isEmpty {
            bucket.append(utf8: prefix)
            bucket.append(ASCII.dot)
        }
        var written = 0
        var tagsWritten = false
        for part in template.parts {
            switch part {
            case .measurement:
                if written > 0 { bucket.append(ASCII.dot) }
                bucket.append(utf8: metric.name)
            case .field:
                if written > 0 { bucket.append(ASCII.dot) }
                bucket.append(contentsOf: Self.placeholder)
            case .tags:
                let before = bucket.count
                if written > 0 { bucket.append(ASCII.dot) }
                if tagsWritten {
                    bucket.append(ascii: "TAGS")
                } else {
                    tagsWritten = true
                    let start = bucket.count
                    appendUnnamedTags(metric.tags, named: template.named)
                    // No tags left: leave the part out (Telegraf writes an empty part, a leading ".").
                    if bucket.count == start {
                        bucket.removeSubrange(before...)
                        continue
                    }
                }
            case .tag(let key):
                guard let value = metric.tag(key) else { continue }
                if written > 0 { bucket.append(ASCII.dot) }
                Self.appendDotsToUnderscores(value, to: &bucket)
            case .repeatedTag:
                continue
            }
            written += 1
        }
        if written == 0 {
            context.report(.error(.name, "the template gives \"\(metric.name)\" an empty graphite path: metric skipped"))
            return
        }
        for field in metric.fields {
            guard appendValueText(field, metric: metric, context: context) else { continue }
            Self.insertField(bucket, field.key, into: &pathBytes)
            scratch.removeAll(keepingCapacity: true)
            if sanitizer.strict(pathBytes, into: &scratch) { warn(pathBytes, scratch, .name, context: context) }
            guard keepNonEmptyParts(context) else { continue }
            out.append(contentsOf: scratch)
            out.append(ASCII.space)
            out.append(contentsOf: valueText)
            out.append(ASCII.space)
            NumberFormatting.append(seconds, to: &out)
            out.append(ASCII.newline)
        }
    }

    private var bucket: [UInt8] = []

    /// The values of the tags the template does not name, sorted by key, joined with ".".
    private mutating func appendUnnamedTags(_ tags: [Tag], named: [String]) {
        var sorted = true
        for i in tags.indices.dropFirst() where !tags[i - 1].key.utf8.lexicographicallyPrecedes(tags[i].key.utf8) {
            sorted = false
            break
        }
        let ordered = sorted ? tags : tags.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
        var first = true
        for t in ordered where !named.contains(t.key) {
            if !first { bucket.append(ASCII.dot) }
            first = false
            Self.appendDotsToUnderscores(t.value, to: &bucket)
        }
    }

    static func appendDotsToUnderscores(_ s: String, to out: inout [UInt8]) {
        var s = s
        s.withUTF8 { b in
            for c in b { out.append(c == ASCII.dot ? 0x5F : c) }
        }
    }

    private var valueText: [UInt8] = []
    private var pathBytes: [UInt8] = []

    /// Writes the value's text into `valueText`; false (and an error) when graphite cannot carry it.
    private mutating func appendValueText(_ field: Field, metric: Metric, context: SerializerContext) -> Bool {
        valueText.removeAll(keepingCapacity: true)
        switch field.value {
        case .float(let v):
            if v.isNaN || v.isInfinite {
                context.report(
                    .error(.field(field.key), "field \"\(field.key)\" of \"\(metric.name)\" is \(v.isNaN ? "NaN" : (v < 0 ? "-Inf" : "+Inf")): graphite cannot carry it, skipped"))
                return false
            }
            NumberFormatting.appendFixed(v, to: &valueText)
        case .int(let v): NumberFormatting.append(v, to: &valueText)
        case .uint(let v): NumberFormatting.append(v, to: &valueText)
        case .bool(let v): valueText.append(v ? UInt8(ascii: "1") : ASCII.zero)
        case .string:
            context.report(.error(.field(field.key), "field \"\(field.key)\" of \"\(metric.name)\" is a string: graphite carries only numbers, skipped"))
            return false
        }
        return true
    }

    private static let placeholder: [UInt8] = Array("FIELDNAME".utf8)

    @inline(__always) private static func hasPlaceholder(_ b: [UInt8], at i: Int) -> Bool {
        guard i + placeholder.count <= b.count else { return false }
        for k in 0..<placeholder.count where b[i + k] != placeholder[k] { return false }
        return true
    }

    /// Telegraf's InsertField: the first FIELDNAME becomes the field name; for the field `value`,
    /// every ".FIELDNAME" and "FIELDNAME." goes instead (one left-to-right pass, as Go's Replacer).
    static func insertField(_ bucket: [UInt8], _ field: String, into out: inout [UInt8]) {
        out.removeAll(keepingCapacity: true)
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
            return
        }
        while i < bucket.count {
            if bucket[i] == UInt8(ascii: "F"), hasPlaceholder(bucket, at: i) {
                out.append(utf8: field)
                out.append(contentsOf: bucket[(i + placeholder.count)...])
                return
            }
            out.append(bucket[i])
            i += 1
        }
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
                if sanitizer.strict(kv, into: &bytes) { warn(kv, bytes, .tag(tag.key), context: context, what: "graphite tag") }
            case .compatible:
                GraphiteSanitizer.compatible(key: key, value: tag.value, into: &bytes)
                let kv = Array((key + "=" + tag.value).utf8)
                if kv != bytes { warn(kv, bytes, .tag(tag.key), context: context, what: "graphite tag") }
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
            if sanitizer.strict(pathBytes, into: &scratch) { warn(pathBytes, scratch, .name, context: context) }
            guard keepNonEmptyParts(context) else { continue }
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

    /// Carbon stores `a..b` as `a.b` (and `.a` as `a`): a path with an empty part would silently
    /// share another's series. The empty parts of `scratch` are left out, with a warning; false (and
    /// an error) when nothing is left.
    private mutating func keepNonEmptyParts(_ context: SerializerContext) -> Bool {
        var empty = scratch.first == ASCII.dot || scratch.last == ASCII.dot
        if !empty {
            for k in scratch.indices.dropFirst() where scratch[k] == ASCII.dot && scratch[k - 1] == ASCII.dot {
                empty = true
                break
            }
        }
        guard empty else { return true }
        let original = String(decoding: scratch, as: UTF8.self)
        var kept: [UInt8] = []
        for part in scratch.split(separator: ASCII.dot, omittingEmptySubsequences: true) {
            if !kept.isEmpty { kept.append(ASCII.dot) }
            kept.append(contentsOf: part)
        }
        scratch = kept
        if kept.isEmpty {
            context.report(.error(.name, "graphite path \"\(original)\" has only empty parts: skipped"))
            return false
        }
        if warned.insert("empty part " + original).inserted {
            context.report(
                .warning(
                    .name,
                    "graphite path \"\(original)\" has an empty part, which carbon stores as if it were not there: written as \"\(String(decoding: kept, as: UTF8.self))\""))
        }
        return true
    }

    /// One warning per distinct name that sanitizing changed.
    private mutating func warn(_ bytes: [UInt8], _ written: [UInt8], _ subject: Diagnostic.Subject, context: SerializerContext, what: String = "graphite path") {
        let original = String(decoding: bytes, as: UTF8.self)
        if warned.contains(original) { return }
        warned.insert(original)
        context.report(.warning(subject, "\(what) \"\(original)\" written as \"\(String(decoding: written, as: UTF8.self))\": graphite does not allow some of its characters"))
    }
}
