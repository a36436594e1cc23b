#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// JSON text as Go's `encoding/json` writes it: string escaping (HTML characters, U+2028/2029,
/// control characters) and compact values with sorted object keys.
enum JSONText {
    static let hex: StaticString = "0123456789abcdef"

    /// Appends `s` as a quoted JSON string with Go's escaping.
    @inline(__always)
    static func appendString(_ s: String, to out: inout [UInt8]) {
        var s = s
        s.withUTF8 { appendString(bytes: $0, to: &out) }
    }

    /// True for the ASCII bytes Go writes escaped: control characters, `"`, `\\`, `<`, `>`, `&`.
    @inline(__always) static func needsEscape(_ b: UInt8) -> Bool {
        // Bits of 0x20...0x3F that need escaping: `"` (0x22), `&` (0x26), `<` (0x3C), `>` (0x3E).
        if b < 0x20 { return true }
        if b < 0x40 { return (UInt64(0x5000_0044_0000_0000) >> UInt64(b)) & 1 != 0 }
        return b == ASCII.backslash
    }

    /// Byte order of two keys, as Go sorts map keys.
    @inline(__always) static func precedes(_ a: String, _ b: String) -> Bool {
        var a = a
        var b = b
        return a.withUTF8 { x in
            b.withUTF8 { y in
                let n = min(x.count, y.count)
                if n > 0, let xp = x.baseAddress, let yp = y.baseAddress {
                    let c = memcmp(xp, yp, n)
                    if c != 0 { return c < 0 }
                }
                return x.count < y.count
            }
        }
    }

    /// A float as Go's encoding/json writes it. Non-integral values in [1e-4, 1e15) take Swift's
    /// shortest text directly (the same digits, fixed notation, no allocation for short text).
    @inline(__always) static func appendNumber(_ v: Double, to out: inout [UInt8]) {
        let a = abs(v)
        if a >= 1e-4 && a < 1e15 && v != v.rounded(.towardZero) {
            var text = v.description
            text.withUTF8 { out.append(contentsOf: $0) }
        } else {
            NumberFormatting.appendJSON(v, to: &out)
        }
    }

    /// Appends UTF-8 bytes as a quoted JSON string; invalid UTF-8 is written as `\ufffd`, as Go does.
    static func appendString(bytes: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        out.append(ASCII.quote)
        var start = 0
        var i = 0
        let n = bytes.count
        while i < n {
            let b = bytes[i]
            if b < 0x80 {
                if !needsEscape(b) {
                    i += 1
                    continue
                }
                if start < i { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<i])) }
                out.append(ASCII.backslash)
                switch b {
                case ASCII.quote, ASCII.backslash: out.append(b)
                case 0x08: out.append(UInt8(ascii: "b"))
                case 0x0C: out.append(UInt8(ascii: "f"))
                case ASCII.newline: out.append(UInt8(ascii: "n"))
                case ASCII.cr: out.append(UInt8(ascii: "r"))
                case ASCII.tab: out.append(UInt8(ascii: "t"))
                default:
                    out.append(contentsOf: [UInt8(ascii: "u"), ASCII.zero, ASCII.zero])
                    hex.withUTF8Buffer { h in
                        out.append(h[Int(b >> 4)])
                        out.append(h[Int(b & 0xF)])
                    }
                }
                i += 1
                start = i
                continue
            }
            // Multi-byte sequence: validate; U+2028 and U+2029 are escaped.
            let len = utf8SequenceLength(bytes, i)
            if len == 0 {
                if start < i { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<i])) }
                out.append(ascii: "\\ufffd")
                i += 1
                start = i
                continue
            }
            if len == 3 && b == 0xE2 && bytes[i + 1] == 0x80 && (bytes[i + 2] == 0xA8 || bytes[i + 2] == 0xA9) {
                if start < i { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<i])) }
                out.append(ascii: bytes[i + 2] == 0xA8 ? "\\u2028" : "\\u2029")
                i += 3
                start = i
                continue
            }
            i += len
        }
        if start < n { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<n])) }
        out.append(ASCII.quote)
    }

    /// The length of the valid UTF-8 sequence at `i`, or 0 when it is invalid.
    static func utf8SequenceLength(_ bytes: UnsafeBufferPointer<UInt8>, _ i: Int) -> Int {
        let n = bytes.count
        let b = bytes[i]
        @inline(__always) func cont(_ j: Int) -> Bool { j < n && bytes[j] & 0xC0 == 0x80 }
        switch b {
        case 0xC2...0xDF:
            return cont(i + 1) ? 2 : 0
        case 0xE0...0xEF:
            guard cont(i + 1), cont(i + 2) else { return 0 }
            let b1 = bytes[i + 1]
            if b == 0xE0 && b1 < 0xA0 { return 0 }  // overlong
            if b == 0xED && b1 >= 0xA0 { return 0 }  // surrogates
            return 3
        case 0xF0...0xF4:
            guard cont(i + 1), cont(i + 2), cont(i + 3) else { return 0 }
            let b1 = bytes[i + 1]
            if b == 0xF0 && b1 < 0x90 { return 0 }
            if b == 0xF4 && b1 >= 0x90 { return 0 }
            return 4
        default:
            return 0
        }
    }

    /// Appends `value` compactly as Go re-encodes decoded JSON: object keys sorted (the last of a
    /// repeated key wins), numbers as float64.
    static func appendValue(_ value: JSONValue, to out: inout [UInt8]) {
        switch value {
        case .null: out.append(ascii: "null")
        case .bool(let b): out.append(ascii: b ? "true" : "false")
        case .int(let v): NumberFormatting.appendJSON(Double(v), to: &out)
        case .uint(let v): NumberFormatting.appendJSON(Double(v), to: &out)
        case .float(let v): appendNumber(v, to: &out)
        case .string(let s): appendString(s, to: &out)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(ASCII.comma) }
                appendValue(item, to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            let sorted = members.enumerated().sorted {
                if $0.element.key == $1.element.key { return $0.offset < $1.offset }
                return $0.element.key.utf8.lexicographicallyPrecedes($1.element.key.utf8)
            }
            var first = true
            for (n, m) in sorted.enumerated() {
                if n + 1 < sorted.count, sorted[n + 1].element.key == m.element.key { continue }
                if !first { out.append(ASCII.comma) }
                first = false
                appendString(m.element.key, to: &out)
                out.append(ASCII.colon)
                appendValue(m.element.value, to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// When `text` is a JSON document, appends it re-encoded compactly and returns true.
    static func appendCompactJSON(of text: String, to out: inout [UInt8]) -> Bool {
        var text = text
        let value: JSONValue? = text.withUTF8 { buf in
            var reader = JSONReader(buf)
            return try? reader.readDocument()
        }
        guard let value else { return false }
        appendValue(value, to: &out)
        return true
    }
}
