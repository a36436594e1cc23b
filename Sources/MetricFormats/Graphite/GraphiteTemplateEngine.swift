/// Telegraf's graphite template engine: picks the template for a path and applies it.
///
/// Each template line is `[separator] [filter] template [k=v,...]` (whitespace-separated).
/// Filters are matched part by part against the path in a tree: an exact part beats `*`, and the
/// deepest matching filter wins. Templates without a filter are defaults; of several, the one with
/// the most parts wins. With no match the engine's default template applies (`measurement*`: the
/// whole path is the measurement). The StatsD parser uses the same engine for its buckets.
///
///     let engine = try GraphiteTemplateEngine(templates: ["servers.* .host.measurement*"])
///     engine.apply("servers.web01.cpu_load")   // measurement "cpu_load", host=web01
public struct GraphiteTemplateEngine: Sendable {
    /// Joins repeated measurement, field and tag parts (Telegraf's `separator`).
    public let joiner: String
    private var templates: [GraphiteTemplate] = []
    private var nodes: [Node] = [Node(value: [])]
    /// The separator paths are split on for filter matching: the last added template's, as in Telegraf.
    private var rootSeparator: String = "."
    private var defaultTemplate: Int

    private struct Node: Sendable {
        var value: [UInt8]
        /// Sorted by value, with `*` last.
        var children: [Int] = []
        var template: Int?
    }

    private struct Spec {
        var separator = "."
        var filter = ""
        var template = ""
        var tags = ""
        var partCount = 0
    }

    /// Builds the engine from template lines.
    ///
    /// - Parameters:
    ///   - templates: lines `[separator] [filter] template [k=v,...]`; blank ones are ignored.
    ///   - joiner: joins repeated parts; Telegraf's `separator`, default `.`.
    ///   - defaultTemplate: applies when nothing matches.
    ///   - flag: the option named in errors.
    /// - Throws: ``FormatError/invalidOption(_:_:)`` for a template without a measurement, with both
    ///   `measurement*` and `field*`, with a tag that is not `k=v`, or with too many fields.
    public init(templates: [String], joiner: String = ".", defaultTemplate: String = "measurement*", flag: String = "--templates") throws(FormatError) {
        guard !joiner.isEmpty else { throw .invalidOption("--separator", "the separator is empty (example: --separator _)") }
        self.joiner = joiner
        self.templates = [try GraphiteTemplate(defaultTemplate, flag: flag)]
        self.defaultTemplate = 0
        var specs: [Spec] = []
        for line in templates {
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "\u{0B}" || $0 == "\u{0C}" })
            var spec = Spec()
            switch words.count {
            case 0: continue
            case 1: spec.template = String(words[0])
            case 2, 3:
                if words[words.count - 1].contains("=") {
                    spec.tags = String(words[words.count - 1])
                    spec.template = String(words[words.count - 2])
                    if words.count == 3 { spec.filter = String(words[0]) }
                } else {
                    spec.template = String(words[words.count - 1])
                    if words.count == 2 {
                        spec.filter = String(words[0])
                    } else {
                        spec.separator = String(words[0])
                        spec.filter = String(words[1])
                    }
                }
            case 4:
                spec.separator = String(words[0])
                spec.filter = String(words[1])
                spec.template = String(words[2])
                spec.tags = String(words[3])
            default:
                throw .invalidOption(flag, "\"\(line)\" has \(words.count) fields; a template is '[separator] [filter] template [k=v,...]'")
            }
            spec.partCount = GraphiteTemplate.split(Substring(spec.template), spec.separator).count
            specs.append(spec)
        }
        // Telegraf's order: defaults first, then filtered templates, each by part count; a later
        // default replaces an earlier one, so the default with the most parts wins.
        let ordered = specs.enumerated().sorted { a, b in
            let ka = (a.element.filter.isEmpty ? 0 : 1, a.element.partCount, a.offset)
            let kb = (b.element.filter.isEmpty ? 0 : 1, b.element.partCount, b.offset)
            return ka < kb
        }
        for (_, spec) in ordered {
            var tags: [Tag] = []
            if !spec.tags.isEmpty {
                for kv in spec.tags.split(separator: ",", omittingEmptySubsequences: false) {
                    let pair = kv.split(separator: "=", omittingEmptySubsequences: false)
                    guard pair.count >= 2 else {
                        throw .invalidOption(flag, "template tag \"\(kv)\" is not key=value (example: --templates 'servers.* .host.measurement* region=eu')")
                    }
                    let key = String(pair[0])
                    tags.removeAll { $0.key == key }
                    tags.append(Tag(key, String(pair[1])))
                }
            }
            let template = try GraphiteTemplate(spec.template, separator: spec.separator, tags: tags, flag: flag)
            self.templates.append(template)
            let index = self.templates.count - 1
            rootSeparator = spec.separator
            if spec.filter.isEmpty {
                self.defaultTemplate = index
            } else {
                insert(GraphiteTemplate.split(Substring(spec.filter), spec.separator), template: index)
            }
        }
    }

    private mutating func insert(_ values: [Substring], template: Int) {
        var node = 0
        for v in values {
            let bytes = Array(v.utf8)
            if let c = nodes[node].children.first(where: { nodes[$0].value == bytes }) {
                node = c
                continue
            }
            nodes.append(Node(value: bytes))
            let new = nodes.count - 1
            var children = nodes[node].children
            children.append(new)
            let star: [UInt8] = [0x2A]
            let all = nodes
            children.sort { a, b in
                let va = all[a].value
                let vb = all[b].value
                if va == star { return false }
                if vb == star { return true }
                return va.lexicographicallyPrecedes(vb)
            }
            nodes[node].children = children
            node = new
        }
        nodes[node].template = template
    }

    private func search(_ node: Int, _ parts: ArraySlice<Substring>) -> Int? {
        guard let part = parts.first, !nodes[node].children.isEmpty else { return nodes[node].template }
        let count = nodes[node].children.count
        let last = nodes[node].children[count - 1]
        let hasWildcard = nodes[last].value == [0x2A]
        for k in 0..<(hasWildcard ? count - 1 : count) {
            let c = nodes[node].children[k]
            if nodes[c].value.elementsEqual(part.utf8) {
                if let t = search(c, parts.dropFirst()) { return t }
                break
            }
        }
        if hasWildcard { return search(last, parts.dropFirst()) }
        return nodes[node].template
    }

    /// True when every path maps to itself: no filtered template and a `measurement*` default.
    public var keepsWholePath: Bool {
        nodes[0].children.isEmpty && templates[defaultTemplate].isWholePath
    }

    /// The template that applies to `path`.
    public func template(for path: Substring) -> GraphiteTemplate {
        if nodes[0].children.isEmpty { return templates[defaultTemplate] }
        let parts = GraphiteTemplate.split(path, rootSeparator)
        return templates[search(0, parts[...]) ?? defaultTemplate]
    }

    /// Maps a path (without `;tags`) to a measurement, tags and a field name.
    ///
    /// The measurement is empty when the template gives none, the field empty when it has no
    /// field part; callers then use the whole path and `value`, as Telegraf does.
    public func apply(_ path: Substring) -> GraphiteTemplateMatch {
        template(for: path).apply(path, joiner: joiner)
    }

    /// ``apply(_:)-(Substring)`` on a whole string.
    public func apply(_ path: String) -> GraphiteTemplateMatch {
        apply(Substring(path))
    }
}
