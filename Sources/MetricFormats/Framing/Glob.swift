/// A glob as Telegraf's filters use it (gobwas/glob without separators): `*` any run of characters,
/// `?` one character, `[abc]` `[a-z]` `[!abc]` one of a set, `{a,b}` alternatives, `\` escapes.
/// A pattern without any of these matches only itself.
public struct Glob: Sendable {
    private enum Token: Equatable, Sendable {
        case literal(Unicode.Scalar)
        case one
        case star
        case set([ClosedRange<Unicode.Scalar>], negated: Bool)
    }

    public let pattern: String
    private let alternatives: [[Token]]

    public init(_ pattern: String, flag: String) throws(FormatError) {
        self.pattern = pattern
        var expanded: [[Unicode.Scalar]] = []
        guard Self.expand(Array(pattern.unicodeScalars), into: &expanded) else {
            throw .invalidOption(flag, "glob \"\(pattern)\" has an unclosed '{' or too many alternatives")
        }
        var alternatives: [[Token]] = []
        for scalars in expanded {
            guard let tokens = Self.tokenize(scalars) else {
                throw .invalidOption(flag, "glob \"\(pattern)\" has an unclosed '[' or a trailing '\\'")
            }
            alternatives.append(tokens)
        }
        self.alternatives = alternatives
    }

    /// Expands `{a,b}` groups (nested ones too) into plain patterns.
    private static func expand(_ p: [Unicode.Scalar], into out: inout [[Unicode.Scalar]]) -> Bool {
        var i = 0
        var inSet = false
        while i < p.count {
            let c = p[i]
            if c == "\\" {
                i += 2
                continue
            }
            if inSet {
                if c == "]" { inSet = false }
            } else if c == "[" {
                inSet = true
            } else if c == "{" {
                // Find the matching close and the top-level commas.
                var depth = 0
                var j = i
                var commas: [Int] = []
                var close = -1
                while j < p.count {
                    let d = p[j]
                    if d == "\\" {
                        j += 2
                        continue
                    }
                    if d == "{" { depth += 1 }
                    if d == "}" {
                        depth -= 1
                        if depth == 0 {
                            close = j
                            break
                        }
                    }
                    if d == "," && depth == 1 { commas.append(j) }
                    j += 1
                }
                guard close >= 0 else { return false }
                var bounds = [i] + commas + [close]
                bounds.sort()
                for k in 0..<(bounds.count - 1) {
                    let alt = Array(p[(bounds[k] + 1)..<bounds[k + 1]])
                    let candidate = Array(p[..<i]) + alt + Array(p[(close + 1)...])
                    guard expand(candidate, into: &out), out.count <= 1024 else { return false }
                }
                return true
            }
            i += 1
        }
        out.append(p)
        return true
    }

    private static func tokenize(_ p: [Unicode.Scalar]) -> [Token]? {
        var tokens: [Token] = []
        var i = 0
        while i < p.count {
            let c = p[i]
            switch c {
            case "\\":
                guard i + 1 < p.count else { return nil }
                tokens.append(.literal(p[i + 1]))
                i += 2
                continue
            case "*":
                if tokens.last != .star { tokens.append(.star) }
            case "?":
                tokens.append(.one)
            case "[":
                var j = i + 1
                var negated = false
                if j < p.count && p[j] == "!" {
                    negated = true
                    j += 1
                }
                var ranges: [ClosedRange<Unicode.Scalar>] = []
                var closed = false
                while j < p.count {
                    if p[j] == "]" {
                        closed = true
                        break
                    }
                    var lo = p[j]
                    if lo == "\\", j + 1 < p.count {
                        j += 1
                        lo = p[j]
                    }
                    if j + 2 < p.count, p[j + 1] == "-", p[j + 2] != "]" {
                        let hi = p[j + 2]
                        if lo <= hi { ranges.append(lo...hi) }
                        j += 3
                    } else {
                        ranges.append(lo...lo)
                        j += 1
                    }
                }
                guard closed else { return nil }
                tokens.append(.set(ranges, negated: negated))
                i = j + 1
                continue
            default:
                tokens.append(.literal(c))
            }
            i += 1
        }
        return tokens
    }

    public func matches(_ name: String) -> Bool {
        let s = Array(name.unicodeScalars)
        for tokens in alternatives where Self.match(tokens, s) { return true }
        return false
    }

    /// Wildcard matching with backtracking to the last star.
    private static func match(_ t: [Token], _ s: [Unicode.Scalar]) -> Bool {
        var ti = 0
        var si = 0
        var starT = -1
        var starS = 0
        while si < s.count {
            if ti < t.count {
                switch t[ti] {
                case .star:
                    starT = ti
                    starS = si
                    ti += 1
                    continue
                case .one:
                    ti += 1
                    si += 1
                    continue
                case .literal(let c) where c == s[si]:
                    ti += 1
                    si += 1
                    continue
                case .set(let ranges, let negated) where ranges.contains(where: { $0.contains(s[si]) }) != negated:
                    ti += 1
                    si += 1
                    continue
                default:
                    break
                }
            }
            guard starT >= 0 else { return false }
            ti = starT + 1
            starS += 1
            si = starS
        }
        while ti < t.count && t[ti] == .star { ti += 1 }
        return ti == t.count
    }
}
