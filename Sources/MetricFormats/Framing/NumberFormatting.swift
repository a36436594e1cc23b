/// Number text as the reference implementations write it, appended straight to a byte buffer.
///
/// Floats start from Swift's shortest round-trip digits (the same digits Go's `FormatFloat(v, _, -1)`
/// and Python's `repr` choose) and are laid out in the notation each format needs.
public enum NumberFormatting {
    /// Decimal digits of an Int64.
    @inlinable public static func append(_ v: Int64, to out: inout [UInt8]) {
        if v < 0 {
            out.append(ASCII.minus)
            append(UInt64(bitPattern: 0 &- v), to: &out)  // magnitude, also right for Int64.min
        } else {
            append(UInt64(v), to: &out)
        }
    }

    /// Decimal digits of a UInt64.
    @inlinable public static func append(_ v: UInt64, to out: inout [UInt8]) {
        if v < 10 {
            out.append(ASCII.zero &+ UInt8(v))
            return
        }
        var tmp: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes of scratch, enough for 20 digits
        withUnsafeMutableBytes(of: &tmp) { raw in
            var i = raw.count
            var n = v
            while n > 0 {
                i -= 1
                raw[i] = ASCII.zero &+ UInt8(n % 10)
                n /= 10
            }
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: raw[i...]))
        }
    }

    /// Shortest round-trip digits and decimal exponent of a finite, non-zero |v|: v = 0.DIGITS × 10^exponent.
    @usableFromInline
    static func shortestDigits(_ v: Double) -> (digits: [UInt8], exponent: Int) {
        // Swift's description is the shortest round-trip form, e.g. "1.2345e-07", "123.45", "5e-324".
        let text = Array(abs(v).description.utf8)
        var digits: [UInt8] = []
        digits.reserveCapacity(20)
        var pointPosition: Int? = nil
        var exp = 0
        var i = 0
        while i < text.count {
            let c = text[i]
            if c == ASCII.dot {
                pointPosition = digits.count
            } else if c == UInt8(ascii: "e") || c == UInt8(ascii: "E") {
                var sign = 1
                var j = i + 1
                if j < text.count, text[j] == ASCII.minus {
                    sign = -1
                    j += 1
                } else if j < text.count, text[j] == ASCII.plus {
                    j += 1
                }
                var e = 0
                while j < text.count {
                    e = e * 10 + Int(text[j] &- ASCII.zero)
                    j += 1
                }
                exp = sign * e
                break
            } else {
                digits.append(c)
            }
            i += 1
        }
        let intDigits = pointPosition ?? digits.count
        // Strip leading zeros ("0.001" -> digits "0001").
        var lead = 0
        while lead < digits.count - 1, digits[lead] == ASCII.zero { lead += 1 }
        var decExp = intDigits + exp - lead
        digits.removeFirst(lead)
        while digits.count > 1, digits.last == ASCII.zero { digits.removeLast() }
        if digits == [ASCII.zero] { decExp = 1 }
        return (digits, decExp)
    }

    /// Go's `strconv.FormatFloat(v, 'f', -1, 64)`: shortest round-trip digits, never an exponent
    /// (`42.0` -> `42`, `1e-7` -> `0.0000001`, `1e21` -> `1000000000000000000000`).
    /// NaN and infinities are written `NaN`, `+Inf`, `-Inf`; callers that must not write them check first.
    public static func appendFixed(_ v: Double, to out: inout [UInt8]) {
        if v.isNaN {
            out.append(ascii: "NaN")
            return
        }
        if v.isInfinite {
            out.append(ascii: v < 0 ? "-Inf" : "+Inf")
            return
        }
        if v == 0 {
            if v.sign == .minus { out.append(ASCII.minus) }
            out.append(ASCII.zero)
            return
        }
        // Fast path: integral values that fit in Int64 exactly.
        if v == v.rounded(.towardZero), abs(v) < 9.007_199_254_740_992e15 {
            append(Int64(v), to: &out)
            return
        }
        if v < 0 { out.append(ASCII.minus) }
        let (digits, exp) = shortestDigits(v)
        layoutFixed(digits: digits, exponent: exp, into: &out)
    }

    @usableFromInline
    static func layoutFixed(digits: [UInt8], exponent exp: Int, into out: inout [UInt8]) {
        if exp <= 0 {
            out.append(ASCII.zero)
            out.append(ASCII.dot)
            for _ in 0..<(-exp) { out.append(ASCII.zero) }
            out.append(contentsOf: digits)
        } else if exp >= digits.count {
            out.append(contentsOf: digits)
            for _ in 0..<(exp - digits.count) { out.append(ASCII.zero) }
        } else {
            out.append(contentsOf: digits[0..<exp])
            out.append(ASCII.dot)
            out.append(contentsOf: digits[exp...])
        }
    }

    /// Go's `encoding/json` float: fixed notation, exponent form (`1e-07` -> `1e-7`, `1e+21`) only when
    /// |v| < 1e-6 or |v| >= 1e21. The caller must not pass NaN or an infinity (JSON has none).
    public static func appendJSON(_ v: Double, to out: inout [UInt8]) {
        let a = abs(v)
        if a != 0 && (a < 1e-6 || a >= 1e21) {
            if v < 0 { out.append(ASCII.minus) }
            let (digits, exp) = shortestDigits(v)
            out.append(digits[0])
            if digits.count > 1 {
                out.append(ASCII.dot)
                out.append(contentsOf: digits[1...])
            }
            out.append(UInt8(ascii: "e"))
            let e = exp - 1
            out.append(e < 0 ? ASCII.minus : ASCII.plus)
            append(Int64(abs(e)), to: &out)
        } else {
            appendFixed(v, to: &out)
        }
    }

    /// C's `%.Nf`, exact on the binary value (``FixedDecimal``); NaN and infinities as ``appendFixed(_:to:)``.
    public static func appendFixed(_ v: Double, decimals: Int, to out: inout [UInt8]) {
        if !v.isFinite {
            appendFixed(v, to: &out)
            return
        }
        FixedDecimal.append(v, decimals: decimals, to: &out)
    }
}
