/// C's and Go's `%.Nf` (`strconv.FormatFloat(v, 'f', N, 64)`), correctly rounded from the exact binary
/// value of the double, half to even, for any magnitude.
///
/// `NumberFormatting.appendFixed(_:decimals:to:)` rounds through a Double product, which can be off by
/// one in the last place near a tie (and prints large values from their shortest digits, not exactly),
/// so the Wavefront serializer uses this instead.
///
///     var out: [UInt8] = []
///     FixedDecimal.append(91.5, decimals: 6, to: &out)   // "91.500000"
enum FixedDecimal {
    /// Appends `v` with exactly `decimals` digits after the point (0...17); NaN and infinities as
    /// Go writes them (`NaN`, `+Inf`, `-Inf`).
    static func append(_ v: Double, decimals: Int, to out: inout [UInt8]) {
        precondition(decimals >= 0 && decimals <= 17)
        if v.isNaN {
            out.append(ascii: "NaN")
            return
        }
        if v.isInfinite {
            out.append(ascii: v < 0 ? "-Inf" : "+Inf")
            return
        }
        if v.sign == .minus { out.append(ASCII.minus) }
        let a = v.magnitude
        var pow10: UInt128 = 1
        for _ in 0..<decimals { pow10 *= 10 }
        if a == 0 {
            appendScaled(0, pow10: pow10, decimals: decimals, to: &out)
            return
        }
        // a = m × 2^e exactly, m < 2^53.
        let m = UInt128(a.significandBitPattern | (a.isNormal ? (1 << 52) : 0))
        let exp = a.isNormal ? Int(a.exponent) - 52 : -1074
        if exp >= 0 {
            // An integer; possibly far beyond 128 bits: exact decimal digits of m << exp.
            appendBigInteger(mantissa: UInt64(m), shift: exp, to: &out)
            if decimals > 0 {
                out.append(ASCII.dot)
                for _ in 0..<decimals { out.append(ASCII.zero) }
            }
            return
        }
        let k = -exp
        // m × 10^d < 2^53 × 2^57 = 2^110: fits. With k >= 112 the value is below half a unit: zero.
        let n = m * pow10
        if k >= 112 {
            appendScaled(0, pow10: pow10, decimals: decimals, to: &out)
            return
        }
        var q = n >> UInt128(k)
        let r = n & ((1 << UInt128(k)) - 1)
        let half: UInt128 = 1 << UInt128(k - 1)
        if r > half || (r == half && q & 1 == 1) { q += 1 }
        appendScaled(q, pow10: pow10, decimals: decimals, to: &out)
    }

    /// Writes q / 10^decimals with the point placed.
    private static func appendScaled(_ q: UInt128, pow10: UInt128, decimals: Int, to out: inout [UInt8]) {
        let intPart = q / pow10
        let frac = q % pow10
        appendDecimal(intPart, to: &out)
        if decimals > 0 {
            out.append(ASCII.dot)
            // Fill the digits in place from the right: no scratch array.
            let start = out.count
            out.append(contentsOf: repeatElement(ASCII.zero, count: decimals))
            var f = UInt64(frac)  // < 10^17
            var i = start + decimals
            while f > 0 {
                i -= 1
                out[i] = ASCII.zero &+ UInt8(f % 10)
                f /= 10
            }
        }
    }

    private static func appendDecimal(_ v: UInt128, to out: inout [UInt8]) {
        if v <= UInt128(UInt64.max) {
            NumberFormatting.append(UInt64(v), to: &out)
            return
        }
        var digits: [UInt8] = []
        var n = v
        while n > 0 {
            digits.append(ASCII.zero &+ UInt8(n % 10))
            n /= 10
        }
        out.append(contentsOf: digits.reversed())
    }

    /// Decimal digits of `mantissa × 2^shift` (up to 2^1024) by schoolbook arithmetic on 32-bit limbs.
    private static func appendBigInteger(mantissa: UInt64, shift: Int, to out: inout [UInt8]) {
        if shift < 64 && mantissa.leadingZeroBitCount >= shift {
            NumberFormatting.append(mantissa << UInt64(shift), to: &out)
            return
        }
        // Little-endian 32-bit limbs.
        var limbs: [UInt32] = [UInt32(truncatingIfNeeded: mantissa), UInt32(truncatingIfNeeded: mantissa >> 32)]
        let wordShift = shift / 32
        let bitShift = shift % 32
        if bitShift > 0 {
            var carry: UInt32 = 0
            for i in 0..<limbs.count {
                let x = UInt64(limbs[i]) << UInt64(bitShift) | UInt64(carry)
                limbs[i] = UInt32(truncatingIfNeeded: x)
                carry = UInt32(truncatingIfNeeded: x >> 32)
            }
            if carry != 0 { limbs.append(carry) }
        }
        limbs.insert(contentsOf: [UInt32](repeating: 0, count: wordShift), at: 0)
        // Repeated division by 10^9 gives base-1e9 chunks, least significant first.
        var chunks: [UInt32] = []
        while !(limbs.count == 1 && limbs[0] == 0) && !limbs.isEmpty {
            var rem: UInt64 = 0
            for i in stride(from: limbs.count - 1, through: 0, by: -1) {
                let cur = rem << 32 | UInt64(limbs[i])
                limbs[i] = UInt32(cur / 1_000_000_000)
                rem = cur % 1_000_000_000
            }
            chunks.append(UInt32(rem))
            while limbs.count > 1 && limbs.last == 0 { limbs.removeLast() }
        }
        NumberFormatting.append(UInt64(chunks.last!), to: &out)
        for c in chunks.dropLast().reversed() {
            var d = [UInt8](repeating: ASCII.zero, count: 9)
            var x = c
            var i = 9
            while i > 0 {
                i -= 1
                d[i] = ASCII.zero &+ UInt8(x % 10)
                x /= 10
            }
            out.append(contentsOf: d)
        }
    }
}
