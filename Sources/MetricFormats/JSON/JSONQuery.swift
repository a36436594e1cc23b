/// A GJSON path (`json_query`): keys separated by `.`, `\.` for a dot inside a key, `*` and `?`
/// wildcards (the first matching key), array indexes (`friends.1`), `#` for an array's length and
/// `#.key` for that key of every element.
struct JSONQuery: Sendable {
    let text: String
    let components: [String]

    init?(_ text: String) {
        self.text = text
        var parts: [String] = []
        var current = ""
        var escaped = false
        for c in text {
            if escaped {
                current.append(c)
                escaped = false
            } else if c == "\\" {
                escaped = true
            } else if c == "." {
                parts.append(current)
                current = ""
            } else {
                current.append(c)
            }
        }
        parts.append(current)
        if text.isEmpty || parts.contains(where: \.isEmpty) { return nil }
        components = parts
    }

    /// The selected value, or nil when the path leads nowhere.
    func select(_ root: JSONValue) -> JSONValue? {
        select(root, components[...])
    }

    private func select(_ value: JSONValue, _ path: ArraySlice<String>) -> JSONValue? {
        guard let key = path.first else { return value }
        let rest = path.dropFirst()
        switch value {
        case .array(let items):
            if key == "#" {
                if rest.isEmpty { return .int(Int64(items.count)) }
                return .array(items.compactMap { select($0, rest) })
            }
            guard let n = Int(key), n >= 0, n < items.count else { return nil }
            return select(items[n], rest)
        case .object(let members):
            let glob = GJSONWildcard(key)
            guard let m = members.first(where: { glob.matches($0.key) }) else { return nil }
            return select(m.value, rest)
        default:
            return nil
        }
    }
}
