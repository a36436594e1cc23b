/// A GJSON path wildcard (`*` any run of bytes, `?` one byte, nothing else special): GJSON keys
/// are not Telegraf filter globs (see ``Glob``), where `[` and `{` mean sets and alternatives.
struct GJSONWildcard: Sendable {
    let pattern: [UInt8]
    let isLiteral: Bool

    init(_ text: String) {
        pattern = Array(text.utf8)
        isLiteral = !pattern.contains(UInt8(ascii: "*")) && !pattern.contains(UInt8(ascii: "?"))
    }

    func matches(_ s: String) -> Bool {
        if isLiteral { return s.utf8.elementsEqual(pattern) }
        let t = Array(s.utf8)
        var p = 0
        var i = 0
        var star = -1
        var mark = 0
        while i < t.count {
            if p < pattern.count && (pattern[p] == UInt8(ascii: "?") || pattern[p] == t[i]) {
                p += 1
                i += 1
            } else if p < pattern.count && pattern[p] == UInt8(ascii: "*") {
                star = p
                mark = i
                p += 1
            } else if star >= 0 {
                p = star + 1
                mark += 1
                i = mark
            } else {
                return false
            }
        }
        while p < pattern.count && pattern[p] == UInt8(ascii: "*") { p += 1 }
        return p == pattern.count
    }
}
