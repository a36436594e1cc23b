/// A backtracking matcher on bytes for the regex subset most rules use: literals, `.`, `\d \w \s`
/// (and their negations), classes, `^ $`, quantifiers on single atoms (greedy or lazy), and groups
/// (named, plain or `(?:`) without a quantifier or alternation. Swift's Regex costs microseconds a
/// line; this is what lets a rule that matches every line keep up with Logster's parsers.
///
/// Only used on ASCII lines, where bytes and Unicode scalars coincide, so its matches are Swift
/// Regex's (leftmost, greedy first, same backtracking order); other patterns and lines go to Swift Regex.
struct ByteRegex {
    enum Atom {
        case set(ByteSet, min: Int, max: Int, greedy: Bool)
        case open(Int)
        case close(Int)
        case start
        case end
    }

    struct ByteSet {
        var bits: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        @inline(__always) func contains(_ b: UInt8) -> Bool {
            let w: UInt64
            switch b >> 6 {
            case 0: w = bits.0
            case 1: w = bits.1
            case 2: w = bits.2
            default: w = bits.3
            }
            return w & (1 << UInt64(b & 63)) != 0
        }
        mutating func insert(_ b: UInt8) {
            let m: UInt64 = 1 << UInt64(b & 63)
            switch b >> 6 {
            case 0: bits.0 |= m
            case 1: bits.1 |= m
            case 2: bits.2 |= m
            default: bits.3 |= m
            }
        }
        mutating func insert(_ r: ClosedRange<UInt8>) { for b in r { insert(b) } }
        mutating func formUnion(_ o: ByteSet) { bits = (bits.0 | o.bits.0, bits.1 | o.bits.1, bits.2 | o.bits.2, bits.3 | o.bits.3) }
        /// Negated within ASCII (lines given to this matcher are ASCII).
        func invertedASCII() -> ByteSet { ByteSet(bits: (~bits.0, ~bits.1 & 0xFFFF_FFFF_FFFF_FFFF, 0, 0)) }

        static func of(_ bytes: [UInt8]) -> ByteSet { var s = ByteSet(); for b in bytes { s.insert(b) }; return s }
        static let digit: ByteSet = { var s = ByteSet(); s.insert(0x30...0x39); return s }()
        static let word: ByteSet = { var s = digit; s.insert(0x41...0x5A); s.insert(0x61...0x7A); s.insert(0x5F); return s }()
        static let space: ByteSet = .of([0x20, 0x09, 0x0A, 0x0B, 0x0C, 0x0D])
        static let dot: ByteSet = { var s = ByteSet(); s.insert(0x00...0x7F); for b in 0x0A...0x0D { s.bits.0 &= ~(1 << UInt64(b)) }; return s }()
    }

    let atoms: [Atom]
    /// Capture names by group number (nil for unnamed groups).
    let names: [String?]
    let anchoredStart: Bool

    /// Compiles `pattern`; nil when it uses anything outside the subset.
    init?(_ pattern: String) {
        let b = Array(pattern.utf8)
        if b.contains(where: { $0 >= 0x80 }) || b.contains(0x7C) { return nil }
        var atoms: [Atom] = []
        var names: [String?] = []
        var stack: [Int] = []
        var i = 0
        while i < b.count {
            let c = b[i]
            var set: ByteSet? = nil
            switch c {
            case 0x28:  // (
                if i + 1 < b.count, b[i + 1] == 0x3F {  // (?
                    var j = i + 2
                    if j < b.count, b[j] == 0x3A {  // (?:
                        stack.append(-1)
                        i = j + 1
                        continue
                    }
                    if j < b.count, b[j] == 0x50 { j += 1 }
                    guard j < b.count, b[j] == 0x3C, j + 1 < b.count, b[j + 1] != 0x3D, b[j + 1] != 0x21 else { return nil }
                    var k = j + 1
                    while k < b.count, b[k] != 0x3E { k += 1 }
                    guard k < b.count else { return nil }
                    names.append(String(decoding: b[(j + 1)..<k], as: UTF8.self))
                    i = k + 1
                } else {
                    names.append(nil)
                    i += 1
                }
                stack.append(names.count - 1)
                atoms.append(.open(names.count - 1))
                continue
            case 0x29:  // )
                guard let g = stack.popLast() else { return nil }
                if g >= 0 { atoms.append(.close(g)) }
                i += 1
                if i < b.count, [0x2A, 0x2B, 0x3F, 0x7B].contains(b[i]) { return nil }  // quantified group
                continue
            case 0x5E:  // ^
                guard i == 0 else { return nil }
                atoms.append(.start)
                i += 1
                continue
            case 0x24:  // $
                guard i == b.count - 1 else { return nil }
                atoms.append(.end)
                i += 1
                continue
            case 0x2E: set = .dot
            case 0x5C:
                guard i + 1 < b.count, let s = Self.escape(b[i + 1]) else { return nil }
                set = s
                i += 1
            case 0x5B:
                guard let (s, next) = Self.parseClass(b, i) else { return nil }
                set = s
                i = next - 1
            case 0x2A, 0x2B, 0x3F, 0x7B, 0x7D, 0x5D: return nil
            default: set = .of([c])
            }
            i += 1
            var lo = 1, hi = 1, greedy = true
            if i < b.count {
                switch b[i] {
                case 0x2A: lo = 0; hi = Int.max; i += 1
                case 0x2B: lo = 1; hi = Int.max; i += 1
                case 0x3F: lo = 0; hi = 1; i += 1
                case 0x7B:
                    guard let (l, h, next) = Self.parseBraces(b, i) else { return nil }
                    lo = l; hi = h; i = next
                default: break
                }
                if hi != 1 || lo != 1, i < b.count {
                    if b[i] == 0x3F { greedy = false; i += 1 } else if b[i] == 0x2B { return nil }
                }
            }
            atoms.append(.set(set!, min: lo, max: hi, greedy: greedy))
        }
        guard stack.isEmpty else { return nil }
        self.atoms = atoms
        self.names = names
        anchoredStart = { if case .start = atoms.first { return true }; return false }()
    }

    static func escape(_ e: UInt8) -> ByteSet? {
        switch e {
        case 0x64: return .digit
        case 0x44: return ByteSet.digit.invertedASCII()
        case 0x77: return .word
        case 0x57: return ByteSet.word.invertedASCII()
        case 0x73: return .space
        case 0x53: return ByteSet.space.invertedASCII()
        case 0x74: return .of([0x09])
        case 0x6E: return .of([0x0A])
        case 0x72: return .of([0x0D])
        default:
            // Escaped punctuation is itself; letters and digits are other escapes (\b, \1, \p): not in the subset.
            if (e >= 0x21 && e <= 0x2F) || (e >= 0x3A && e <= 0x40) || (e >= 0x5B && e <= 0x60) || (e >= 0x7B && e <= 0x7E) || e == 0x20 { return .of([e]) }
            return nil
        }
    }

    static func parseClass(_ b: [UInt8], _ start: Int) -> (ByteSet, Int)? {
        var i = start + 1
        var negate = false
        if i < b.count, b[i] == 0x5E { negate = true; i += 1 }
        var s = ByteSet()
        var first = true
        while i < b.count, b[i] != 0x5D || first {
            first = false
            var lo = b[i]
            if lo == 0x5B { return nil }  // [[:alpha:]] and nested classes
            if lo == 0x5C {
                guard i + 1 < b.count else { return nil }
                let e = b[i + 1]
                if let special = [0x64, 0x44, 0x77, 0x57, 0x73, 0x53].contains(e) ? escape(e) : nil {
                    s.formUnion(special)
                    i += 2
                    continue
                }
                guard let one = escape(e), e != 0x62 else { return nil }
                lo = (0...0x7F).first { one.contains(UInt8($0)) }.map(UInt8.init) ?? e
                i += 1
            }
            if i + 2 < b.count, b[i + 1] == 0x2D, b[i + 2] != 0x5D {
                var hi = b[i + 2]
                if hi == 0x5C { return nil }
                if hi < lo { return nil }
                if hi >= 0x80 { hi = 0x7F }
                s.insert(lo...hi)
                i += 3
            } else {
                s.insert(lo)
                i += 1
            }
        }
        guard i < b.count else { return nil }
        return (negate ? s.invertedASCII() : s, i + 1)
    }

    static func parseBraces(_ b: [UInt8], _ start: Int) -> (Int, Int, Int)? {
        var i = start + 1
        func number() -> Int? {
            var v: Int? = nil
            while i < b.count, B.isDigit(b[i]) { v = (v ?? 0) * 10 + Int(b[i] - 0x30); i += 1; if v! > 10000 { return nil } }
            return v
        }
        guard let lo = number() else { return nil }
        var hi = lo
        if i < b.count, b[i] == 0x2C {
            i += 1
            hi = number() ?? Int.max
        }
        guard i < b.count, b[i] == 0x7D, hi >= lo else { return nil }
        return (lo, hi, i + 1)
    }

    /// The first (leftmost) match at or after `from` (only at `from` when `anchored`): the capture
    /// ranges by group number, or nil.
    func firstMatch(_ p: UnsafePointer<UInt8>, _ n: Int, from: Int = 0, anchored: Bool = false, captures: inout [Range<Int>?]) -> Bool {
        if captures.count != names.count { captures = Array(repeating: nil, count: names.count) }
        var start = from
        while start <= n {
            var opens = [Int](repeating: 0, count: names.count)
            if match(0, start, p, n, &opens, &captures) { return true }
            if anchored || anchoredStart { return false }
            start += 1
        }
        return false
    }

    private func match(_ a: Int, _ pos: Int, _ p: UnsafePointer<UInt8>, _ n: Int, _ opens: inout [Int], _ caps: inout [Range<Int>?]) -> Bool {
        if a == atoms.count { return true }
        switch atoms[a] {
        case .start: return pos == 0 && match(a + 1, pos, p, n, &opens, &caps)
        case .end: return pos == n && match(a + 1, pos, p, n, &opens, &caps)
        case .open(let g):
            let saved = opens[g]
            opens[g] = pos
            if match(a + 1, pos, p, n, &opens, &caps) { return true }
            opens[g] = saved
            return false
        case .close(let g):
            let saved = caps[g]
            caps[g] = opens[g]..<pos
            if match(a + 1, pos, p, n, &opens, &caps) { return true }
            caps[g] = saved
            return false
        case .set(let s, let lo, let hi, let greedy):
            var count = 0
            let limit = min(hi, n - pos)
            if greedy {
                while count < limit, s.contains(p[pos + count]) { count += 1 }
                if count < lo { return false }
                if a + 1 == atoms.count { return true }
                var c = count
                while c >= lo {
                    if match(a + 1, pos + c, p, n, &opens, &caps) { return true }
                    c -= 1
                }
                return false
            }
            while count < lo {
                guard count < limit, s.contains(p[pos + count]) else { return false }
                count += 1
            }
            while true {
                if match(a + 1, pos + count, p, n, &opens, &caps) { return true }
                guard count < limit, s.contains(p[pos + count]) else { return false }
                count += 1
            }
        }
    }
}
