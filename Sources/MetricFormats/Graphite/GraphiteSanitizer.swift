#if !METRICAT_ONE_MODULE
    import MetricCore
#endif

/// Telegraf's graphite name cleaning.
///
/// Strict (paths, and tags in the default tag mode): `/ @ *` become `-`, `\` is dropped, `..`
/// becomes `.` (one left-to-right pass), then every character outside
/// `[a-zA-Z0-9-:._=\p{L}]` becomes `_` (`--graphite-strict-sanitize-regex` replaces that class).
/// Compatible (tags with `--graphite-tag-sanitize-mode compatible`): keys lose control characters,
/// `! ; = ^` and the backquote; values lose control characters and `;`; non-letter characters beyond
/// ASCII become `_` in both, and leading `~` are dropped from values.
struct GraphiteSanitizer {
    /// The user's replacement for the strict character class: each match becomes `_`.
    let regex: Pattern?

    init(strictRegex: String?) throws(FormatError) {
        guard let strictRegex, !strictRegex.isEmpty else {
            regex = nil
            return
        }
        do {
            regex = try Pattern(strictRegex)
        } catch {
            throw .invalidOption(
                "--graphite-strict-sanitize-regex", "invalid regular expression \"\(strictRegex)\": \(error) (example: --graphite-strict-sanitize-regex '[^a-zA-Z0-9-:._=]')")
        }
    }

    /// Strict sanitizing of `input`, appended to `out`.
    /// - Returns: true when a character was replaced or dropped (collapsing `..` alone does not
    ///   count: an empty template part makes it, not the name).
    @discardableResult
    func strict(_ input: [UInt8], into out: inout [UInt8]) -> Bool {
        if regex == nil {
            // Fast path: nothing to change.
            var clean = true
            var previousDot = false
            for c in input {
                let isDot = c == ASCII.dot
                if !Self.strictAllowed(c) || (isDot && previousDot) {
                    clean = false
                    break
                }
                previousDot = isDot
            }
            if clean {
                out.append(contentsOf: input)
                return false
            }
        }
        var changed = false
        // Steps 1 and 2: hyphens, dropped backslashes, a run of dots -> ".".
        var step: [UInt8] = []
        step.reserveCapacity(input.count)
        var i = 0
        let n = input.count
        while i < n {
            let b = input[i]
            switch b {
            case UInt8(ascii: "/"), ASCII.at, UInt8(ascii: "*"):
                step.append(ASCII.minus)
                changed = true
            case ASCII.backslash:
                changed = true
            case ASCII.dot where i + 1 < n && input[i + 1] == ASCII.dot:
                // Telegraf's: an empty part would be stored as if it were not there (reported).
                step.append(ASCII.dot)
                changed = true
                while i + 1 < n && input[i + 1] == ASCII.dot { i += 1 }
            default:
                step.append(b)
            }
            i += 1
        }
        if let regex {
            let (replaced, any) = regex.replacingMatches(in: step, with: [UInt8(ascii: "_")])
            out.append(contentsOf: replaced)
            return changed || any
        }
        let replaced = Self.replaceDisallowed(step, into: &out, allowed: Self.strictAllowed)
        return changed || replaced
    }

    /// ASCII bytes of `[a-zA-Z0-9-:._=]`.
    @inline(__always) static func strictAllowed(_ c: UInt8) -> Bool {
        (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) || (c >= 0x30 && c <= 0x3A)
            || c == ASCII.minus || c == ASCII.dot || c == 0x5F || c == ASCII.equals
    }

    /// Compatible sanitizing of one tag: `key=value`, appended to `out`.
    static func compatible(key: String, value: String, into out: inout [UInt8]) {
        replaceDisallowed(Array(key.utf8), into: &out) { c in
            c == 0x20 || (c >= 0x22 && c <= 0x3A) || c == 0x3C || (c >= 0x3E && c <= 0x5D) || c == 0x5F || (c >= 0x61 && c <= 0x7E)
        }
        out.append(ASCII.equals)
        var v: [UInt8] = []
        replaceDisallowed(Array(value.utf8), into: &v) { c in
            (c >= 0x20 && c <= 0x3A) || (c >= 0x3C && c <= 0x7E)
        }
        var start = 0
        while start < v.count && v[start] == UInt8(ascii: "~") { start += 1 }
        out.append(contentsOf: v[start...])
    }

    /// Copies `input`, writing `_` for each ASCII byte that `allowed` refuses and for each non-ASCII
    /// character that is not a letter (an invalid UTF-8 byte counts as one character, as in Go).
    @discardableResult
    static func replaceDisallowed(_ input: [UInt8], into out: inout [UInt8], allowed: (UInt8) -> Bool) -> Bool {
        var replaced = false
        var i = 0
        let n = input.count
        while i < n {
            let b = input[i]
            if b < 0x80 {
                if allowed(b) {
                    out.append(b)
                } else {
                    out.append(0x5F)
                    replaced = true
                }
                i += 1
                continue
            }
            let (scalar, width) = decode(input, at: i)
            if let scalar, isLetter(scalar) {
                out.append(contentsOf: input[i..<(i + width)])
            } else {
                out.append(0x5F)
                replaced = true
            }
            i += width
        }
        return replaced
    }

    static func isLetter(_ s: Unicode.Scalar) -> Bool {
        switch s.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return true
        default: return false
        }
    }

    /// One UTF-8 sequence at `i`: the scalar and its width, or nil and width 1 for an invalid byte.
    static func decode(_ b: [UInt8], at i: Int) -> (Unicode.Scalar?, Int) {
        let n = b.count
        let lead = b[i]
        var need = 0
        var lo: UInt8 = 0x80
        var hi: UInt8 = 0xBF
        var value: UInt32 = 0
        switch lead {
        case 0xC2...0xDF:
            need = 1
            value = UInt32(lead & 0x1F)
        case 0xE0:
            need = 2
            lo = 0xA0
            value = UInt32(lead & 0x0F)
        case 0xE1...0xEC, 0xEE...0xEF:
            need = 2
            value = UInt32(lead & 0x0F)
        case 0xED:
            need = 2
            hi = 0x9F
            value = UInt32(lead & 0x0F)
        case 0xF0:
            need = 3
            lo = 0x90
            value = UInt32(lead & 0x07)
        case 0xF1...0xF3:
            need = 3
            value = UInt32(lead & 0x07)
        case 0xF4:
            need = 3
            hi = 0x8F
            value = UInt32(lead & 0x07)
        default: return (nil, 1)
        }
        guard i + need < n else { return (nil, 1) }
        for k in 1...need {
            let c = b[i + k]
            if k == 1 {
                guard c >= lo && c <= hi else { return (nil, 1) }
            } else {
                guard c >= 0x80 && c <= 0xBF else { return (nil, 1) }
            }
            value = value << 6 | UInt32(c & 0x3F)
        }
        return (Unicode.Scalar(value), need + 1)
    }
}
