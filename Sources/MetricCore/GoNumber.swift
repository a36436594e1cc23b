/// Go's `strconv.ParseFloat(s, 64)`, `ParseInt(s, 10, 64)` and `ParseUint(s, 10, 64)` on bytes: the
/// number grammar of every Telegraf text parser, read the same way by every parser here.
///
/// Floats: decimal `[+-]digits[.digits][e[+-]digits]` (`.5` and `5.` too), hexadecimal
/// `0x` mantissa with a mandatory `p` exponent, underscores only between digits (or after `0x`),
/// `inf`/`infinity` with an optional sign and `nan` without one, all case-insensitive. Results are
/// correctly rounded; a finite spelling beyond the largest Double is ``Parsed/outOfRange``, not
/// infinity. Integers: an optional sign (none for unsigned), decimal digits, no underscores.
public enum GoNumber {
    /// What a parse gives: the value, a syntax error, or a well-formed number outside the type's range.
    public enum Parsed<Value: Equatable>: Equatable {
        case value(Value)
        case invalid
        case outOfRange

        /// The value, nil for a syntax error or out of range.
        @inline(__always) public var value: Value? {
            if case .value(let v) = self { return v }
            return nil
        }
    }

    // MARK: Floats

    /// Powers of ten exactly representable as Doubles (10^22 is the largest).
    @usableFromInline static let exactPowersOf10: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ]

    /// Go's `ParseFloat(s, 64)`.
    public static func parseFloat(_ b: UnsafeBufferPointer<UInt8>) -> Parsed<Double> {
        let n = b.count
        guard n > 0 else { return .invalid }
        var i = 0
        var negative = false
        if b[0] == plus || b[0] == minus {
            negative = b[0] == minus
            i = 1
        }
        guard i < n else { return .invalid }
        let first = b[i] | 0x20
        if first == UInt8(ascii: "i") {
            if equalsIgnoringCase(b, from: i, "inf") || equalsIgnoringCase(b, from: i, "infinity") {
                return .value(negative ? -.infinity : .infinity)
            }
            return .invalid
        }
        if first == UInt8(ascii: "n") {
            return i == 0 && equalsIgnoringCase(b, from: 0, "nan") ? .value(.nan) : .invalid
        }

        if let v = plainDecimal(b, from: i, negative: negative) { return .value(v) }

        // The mantissa: up to 19 decimal (16 hex) significant digits kept, the rest only noted.
        var hex = false
        if i + 2 < n, b[i] == zero, b[i + 1] | 0x20 == UInt8(ascii: "x") {
            hex = true
            i += 2
        }
        let base: UInt64 = hex ? 16 : 10
        let maxDigits = hex ? 16 : 19
        var mantissa: UInt64 = 0
        var sawDot = false
        var sawDigits = false
        var underscores = false
        var truncated = false
        var digits = 0  // significant digits seen
        var kept = 0  // of which in the mantissa
        var point = 0  // where the point is, counted in significant digits
        while i < n {
            let c = b[i]
            var d = c &- zero
            if d > 9 {
                let l = c | 0x20
                if hex && l >= UInt8(ascii: "a") && l <= UInt8(ascii: "f") {
                    d = l - UInt8(ascii: "a") + 10
                } else if c == dot && !sawDot {
                    sawDot = true
                    point = digits
                    i += 1
                    continue
                } else if c == underscore {
                    underscores = true
                    i += 1
                    continue
                } else {
                    break
                }
            }
            sawDigits = true
            i += 1
            if d == 0 && digits == 0 {
                point -= 1  // a leading zero
                continue
            }
            digits += 1
            if kept < maxDigits {
                mantissa = mantissa &* base &+ UInt64(d)
                kept += 1
            } else if d != 0 {
                truncated = true
            }
        }
        guard sawDigits else { return .invalid }
        if !sawDot { point = digits }
        if hex {
            point &*= 4
            kept &*= 4
        }
        if i < n, b[i] | 0x20 == (hex ? UInt8(ascii: "p") : UInt8(ascii: "e")) {
            i += 1
            guard i < n else { return .invalid }
            var negativeExponent = false
            if b[i] == plus || b[i] == minus {
                negativeExponent = b[i] == minus
                i += 1
            }
            guard i < n, b[i] &- zero <= 9 else { return .invalid }
            var e = 0
            while i < n {
                let d = b[i] &- zero
                if d <= 9 {
                    if e < 10_000 { e = e * 10 + Int(d) }
                } else if b[i] == underscore {
                    underscores = true
                } else {
                    break
                }
                i += 1
            }
            point += negativeExponent ? -e : e
        } else if hex {
            return .invalid  // a hexadecimal mantissa needs its exponent
        }
        guard i == n else { return .invalid }
        if underscores && !underscoresBetweenDigits(b) { return .invalid }
        if mantissa == 0 { return .value(negative ? -0.0 : 0.0) }
        let exponent = point - kept  // value = mantissa × base^exponent (× 2^exponent for hex)

        if !hex && !truncated, let f = exactDecimal(mantissa, exponent: exponent) {
            return .value(negative ? -f : f)
        }
        if !hex {
            // value = 0.d1d2... × 10^point: beyond these it is certainly out of range, or zero.
            if point > 310 { return .outOfRange }
            if point < -330 { return .value(negative ? -0.0 : 0.0) }
        }
        return correctlyRounded(b, underscores: underscores)
    }

    /// The common case in one tight pass: `digits[.digits][e[+-]digits]` with at most 19 digits, no
    /// underscores, a short exponent and a value one exact operation gives. nil sends the text
    /// through the full reader (which also decides whether it is valid at all).
    @inline(__always) private static func plainDecimal(_ b: UnsafeBufferPointer<UInt8>, from start: Int, negative: Bool) -> Double? {
        let n = b.count
        var j = start
        var m: UInt64 = 0
        while j < n {
            let d = b[j] &- zero
            if d > 9 { break }
            m = m &* 10 &+ UInt64(d)
            j += 1
        }
        var digits = j - start
        var exponent = 0
        if j < n && b[j] == dot {
            j += 1
            let fractionStart = j
            while j < n {
                let d = b[j] &- zero
                if d > 9 { break }
                m = m &* 10 &+ UInt64(d)
                j += 1
            }
            exponent = fractionStart - j
            digits += j - fractionStart
        }
        guard digits > 0 && digits <= 19 else { return nil }
        if j < n {
            guard b[j] | 0x20 == UInt8(ascii: "e") else { return nil }
            j += 1
            var negativeExponent = false
            if j < n && (b[j] == plus || b[j] == minus) {
                negativeExponent = b[j] == minus
                j += 1
            }
            let exponentStart = j
            var e = 0
            while j < n {
                let d = b[j] &- zero
                if d > 9 { break }
                e = e &* 10 &+ Int(d)
                j += 1
            }
            guard j == n, j > exponentStart, j - exponentStart <= 4 else { return nil }
            exponent += negativeExponent ? -e : e
        }
        if m == 0 { return negative ? -0.0 : 0.0 }
        guard let f = exactDecimal(m, exponent: exponent) else { return nil }
        return negative ? -f : f
    }

    /// `mantissa × 10^exponent` when one correctly rounded operation on exact operands gives it (an
    /// integer below 2^53 times or divided by an exact power of ten), as Go's fast path does; nil
    /// otherwise. For a parser that has read the digits already under a grammar of its own.
    @inlinable public static func exactDecimal(_ mantissa: UInt64, exponent: Int) -> Double? {
        guard mantissa < (1 << 53) else { return nil }
        var f = Double(mantissa)
        if exponent == 0 { return f }
        if exponent > 0 && exponent <= 15 + 22 {
            var e = exponent
            if e > 22 {
                // Few digits and a large exponent: move zeros into the integer while it stays exact.
                f *= exactPowersOf10[e - 22]
                guard f <= 1e15 else { return nil }
                e = 22
            }
            return f * exactPowersOf10[e]
        }
        if exponent < 0 && exponent >= -22 { return f / exactPowersOf10[-exponent] }
        return nil
    }

    /// Go's `ParseFloat(s, 64)` on a String's UTF-8.
    public static func parseFloat(_ s: String) -> Parsed<Double> {
        var s = s
        return s.withUTF8 { parseFloat($0) }
    }

    /// Go's `ParseFloat(s, 64)` on a Substring's UTF-8.
    public static func parseFloat(_ s: Substring) -> Parsed<Double> {
        var s = s
        return s.withUTF8 { parseFloat($0) }
    }

    /// The spellings the fast path leaves (more than 15-19 digits, large exponents, hexadecimal),
    /// already validated: the C library's correctly rounded conversion, underscores removed first.
    private static func correctlyRounded(_ b: UnsafeBufferPointer<UInt8>, underscores: Bool) -> Parsed<Double> {
        let text = underscores ? String(decoding: b.lazy.filter { $0 != underscore }, as: UTF8.self) : String(decoding: b, as: UTF8.self)
        guard let v = Double(text) else { return .invalid }
        return v.isInfinite ? .outOfRange : .value(v)
    }

    /// Go's rule for underscores (`underscoreOK`): each one between two digits, or between a base
    /// prefix and a digit, in the mantissa and in the exponent alike.
    private static func underscoresBetweenDigits(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        let n = b.count
        if n > 0 && (b[0] == plus || b[0] == minus) { i = 1 }
        // The last thing seen: 0 a digit or base prefix, 1 an underscore, 2 anything else (also the start).
        var saw = 2
        var hex = false
        if n - i >= 2, b[i] == zero, b[i + 1] | 0x20 == UInt8(ascii: "x") || b[i + 1] | 0x20 == UInt8(ascii: "b") || b[i + 1] | 0x20 == UInt8(ascii: "o") {
            hex = b[i + 1] | 0x20 == UInt8(ascii: "x")
            saw = 0
            i += 2
        }
        while i < n {
            let c = b[i]
            let l = c | 0x20
            if c &- zero <= 9 || (hex && l >= UInt8(ascii: "a") && l <= UInt8(ascii: "f")) {
                saw = 0
            } else if c == underscore {
                if saw != 0 { return false }
                saw = 1
            } else {
                if saw == 1 { return false }
                saw = 2
            }
            i += 1
        }
        return saw != 1
    }

    // MARK: Integers

    /// Go's `ParseInt(s, 10, 64)`: an optional sign and decimal digits.
    public static func parseInt(_ b: UnsafeBufferPointer<UInt8>) -> Parsed<Int64> {
        guard let first = b.first else { return .invalid }
        let negative = first == minus
        let signed = negative || first == plus
        let magnitude: UInt64
        switch parseDigits(b, from: signed ? 1 : 0) {
        case .value(let m): magnitude = m
        case .invalid: return .invalid
        case .outOfRange: return .outOfRange
        }
        if negative {
            guard magnitude <= UInt64(1) << 63 else { return .outOfRange }
            return .value(Int64(truncatingIfNeeded: 0 &- magnitude))
        }
        guard magnitude < UInt64(1) << 63 else { return .outOfRange }
        return .value(Int64(magnitude))
    }

    /// Go's `ParseUint(s, 10, 64)`: decimal digits, no sign.
    public static func parseUint(_ b: UnsafeBufferPointer<UInt8>) -> Parsed<UInt64> {
        parseDigits(b, from: 0)
    }

    /// Go's `ParseInt(s, 10, 64)` on a String's UTF-8.
    public static func parseInt(_ s: String) -> Parsed<Int64> {
        var s = s
        return s.withUTF8 { parseInt($0) }
    }

    /// Go's `ParseUint(s, 10, 64)` on a String's UTF-8.
    public static func parseUint(_ s: String) -> Parsed<UInt64> {
        var s = s
        return s.withUTF8 { parseUint($0) }
    }

    /// Decimal digits from `start` to the end as a UInt64. As in Go, a number that overflows is out
    /// of range as soon as it does, whatever follows it.
    @inline(__always) private static func parseDigits(_ b: UnsafeBufferPointer<UInt8>, from start: Int) -> Parsed<UInt64> {
        var i = start
        let n = b.count
        guard i < n else { return .invalid }
        var v: UInt64 = 0
        if n - i <= 19 {
            // 19 digits cannot overflow a UInt64.
            while i < n {
                let d = b[i] &- zero
                guard d <= 9 else { return .invalid }
                v = v &* 10 &+ UInt64(d)
                i += 1
            }
            return .value(v)
        }
        while i < n {
            let d = b[i] &- zero
            guard d <= 9 else { return .invalid }
            if v > UInt64.max / 10 { return .outOfRange }
            let (sum, overflow) = (v &* 10).addingReportingOverflow(UInt64(d))
            if overflow { return .outOfRange }
            v = sum
            i += 1
        }
        return .value(v)
    }

    // MARK: Bytes

    private static let plus = UInt8(ascii: "+")
    private static let minus = UInt8(ascii: "-")
    private static let zero = UInt8(ascii: "0")
    private static let dot = UInt8(ascii: ".")
    private static let underscore = UInt8(ascii: "_")

    /// `b[from...]` is `word` (lower-case ASCII) in any case.
    private static func equalsIgnoringCase(_ b: UnsafeBufferPointer<UInt8>, from i: Int, _ word: StaticString) -> Bool {
        let n = word.utf8CodeUnitCount
        guard b.count - i == n else { return false }
        let w = word.utf8Start
        for k in 0..<n where b[i + k] | 0x20 != w[k] { return false }
        return true
    }
}
