/// The `Label` column of the telemetry CSV shape: a metric's line-protocol series key and field key,
/// `cpu,host=a usage_idle`, so that a metric survives the round trip through CSV.
///
/// Escaping is line protocol's, made reversible: in the measurement `\`, `,` and space get a backslash;
/// in tag keys and values also `=`; in the field key `\` and space. Reading takes any `\x` as `x`.
/// A label without a field part (`cpu,host=a`) means the field `value`.
enum CSVLabel {
    /// Appends the label text of `name`, `tags` and `field` (before CSV quoting).
    static func appendSeries(name: String, tags: [Tag], to out: inout [UInt8]) {
        appendEscaped(name, equals: false, to: &out)
        for t in tags where !t.key.isEmpty && !t.value.isEmpty {  // an empty tag cannot be read back
            out.append(ASCII.comma)
            appendEscaped(t.key, equals: true, to: &out)
            out.append(ASCII.equals)
            appendEscaped(t.value, equals: true, to: &out)
        }
    }

    static func appendField(_ key: String, to out: inout [UInt8]) {
        out.append(ASCII.space)
        for c in key.utf8 {
            if c == ASCII.backslash || c == ASCII.space { out.append(ASCII.backslash) }
            out.append(c)
        }
    }

    private static func appendEscaped(_ s: String, equals: Bool, to out: inout [UInt8]) {
        for c in s.utf8 {
            if c == ASCII.backslash || c == ASCII.comma || c == ASCII.space || (equals && c == ASCII.equals) {
                out.append(ASCII.backslash)
            }
            out.append(c)
        }
    }

    struct Failure: Error {
        /// 0-based byte offset in the label.
        var offset: Int
        var message: String
    }

    /// Reads a label back into name, tags and field key.
    static func decode(_ label: String) throws(Failure) -> (name: String, tags: [Tag], field: String) {
        let b = Array(label.utf8)
        var i = 0
        var token: [UInt8] = []
        /// Reads up to an unescaped byte in `stops`.
        func read(_ stops: [UInt8]) throws(Failure) -> String {
            token.removeAll(keepingCapacity: true)
            while i < b.count, !stops.contains(b[i]) {
                if b[i] == ASCII.backslash {
                    guard i + 1 < b.count else { throw Failure(offset: i, message: "label ends with a lone backslash") }
                    i += 1
                }
                token.append(b[i])
                i += 1
            }
            return String(decoding: token, as: UTF8.self)
        }
        let name = try read([ASCII.comma, ASCII.space])
        guard !name.isEmpty else { throw Failure(offset: 0, message: "label has no measurement name (expected \"name[,k=v...] field\")") }
        var tags: [Tag] = []
        while i < b.count, b[i] == ASCII.comma {
            i += 1
            let keyAt = i
            let key = try read([ASCII.equals, ASCII.comma, ASCII.space])
            guard !key.isEmpty else { throw Failure(offset: keyAt, message: "empty tag key in label") }
            guard i < b.count, b[i] == ASCII.equals else { throw Failure(offset: i, message: "expected '=' after tag key \"\(key)\" in label") }
            i += 1
            let valueAt = i
            let value = try read([ASCII.comma, ASCII.space])
            guard !value.isEmpty else { throw Failure(offset: valueAt, message: "empty value of tag \"\(key)\" in label") }
            tags.append(Tag(key, value))
        }
        guard i < b.count else { return (name, tags, "value") }
        i += 1  // the space
        let fieldAt = i
        let field = try read([])
        guard !field.isEmpty else { throw Failure(offset: fieldAt, message: "empty field key in label") }
        return (name, tags, field)
    }
}
