#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif
#if !METRICAT_ONE_MODULE
    import MetricCore
#endif

/// A byte-level recursive-descent JSON reader over one complete record.
///
/// Errors carry the byte offset of the offending byte and Go's `encoding/json` wording
/// (`invalid character 'x' looking for beginning of value`).
struct JSONReader {
    struct SyntaxError: Error, Equatable {
        var offset: Int
        var message: String
    }

    /// Deepest nesting accepted; deeper input is an error, not a stack overflow.
    static let maxDepth = 512

    let bytes: UnsafeBufferPointer<UInt8>
    private(set) var pos: Int
    private var depth = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>, at start: Int = 0) {
        self.bytes = bytes
        self.pos = start
    }

    /// Reads one value and requires only whitespace after it.
    mutating func readDocument() throws(SyntaxError) -> JSONValue {
        let v = try readValue()
        skipWhitespace()
        if pos < bytes.count {
            throw SyntaxError(offset: pos, message: "invalid character \(Self.describe(bytes[pos])) after top-level value")
        }
        return v
    }

    /// Moves past the byte at ``pos`` (a structural byte the caller checked).
    @inline(__always) mutating func advance() { pos += 1 }

    @inline(__always) mutating func skipWhitespace() {
        while pos < bytes.count {
            let b = bytes[pos]
            if b == ASCII.space || b == ASCII.newline || b == ASCII.tab || b == ASCII.cr { pos += 1 } else { break }
        }
    }

    /// Reads the value at the next non-whitespace byte.
    mutating func readValue() throws(SyntaxError) -> JSONValue {
        skipWhitespace()
        guard pos < bytes.count else { throw SyntaxError(offset: pos, message: "unexpected end of JSON input") }
        let b = bytes[pos]
        switch b {
        case UInt8(ascii: "{"): return try readObject()
        case UInt8(ascii: "["): return try readArray()
        case ASCII.quote: return .string(try readString())
        case UInt8(ascii: "t"):
            try expectLiteral("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try expectLiteral("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try expectLiteral("null")
            return .null
        case ASCII.minus, ASCII.zero...ASCII.nine: return try readNumber()
        default:
            throw SyntaxError(offset: pos, message: "invalid character \(Self.describe(b)) looking for beginning of value")
        }
    }

    mutating func expectLiteral(_ word: StaticString) throws(SyntaxError) {
        let w = UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
        for k in 0..<w.count {
            guard pos < bytes.count else { throw SyntaxError(offset: pos, message: "unexpected end of JSON input") }
            if bytes[pos] != w[k] {
                throw SyntaxError(offset: pos, message: "invalid character \(Self.describe(bytes[pos])) in literal \(word) (expecting \(Self.describe(w[k])))")
            }
            pos += 1
        }
    }

    private mutating func readObject() throws(SyntaxError) -> JSONValue {
        depth += 1
        if depth > Self.maxDepth { throw SyntaxError(offset: pos, message: "exceeded max depth of \(Self.maxDepth)") }
        defer { depth -= 1 }
        pos += 1  // {
        var members: [JSONMember] = []
        skipWhitespace()
        if pos < bytes.count && bytes[pos] == UInt8(ascii: "}") {
            pos += 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard pos < bytes.count else { throw SyntaxError(offset: pos, message: "unexpected end of JSON input") }
            guard bytes[pos] == ASCII.quote else {
                throw SyntaxError(offset: pos, message: "invalid character \(Self.describe(bytes[pos])) looking for beginning of object key string")
            }
            let keyOffset = pos
            let key = try readString()
            skipWhitespace()
            guard pos < bytes.count else { throw SyntaxError(offset: pos, message: "unexpected end of JSON input") }
            guard bytes[pos] == ASCII.colon else {
                throw SyntaxError(offset: pos, message: "invalid character \(Self.describe(bytes[pos])) after object key")
            }
            pos += 1
            skipWhitespace()
            let offset = pos
            let value = try readValue()
            members.append(JSONMember(key: key, value: value, offset: offset, keyOffset: keyOffset))
            skipWhitespace()
            guard pos < bytes.count else { throw SyntaxError(offset: pos, message: "unexpected end of JSON input") }
            let c = bytes[pos]
            pos += 1
            if c == ASCII.comma { continue }
            if c == UInt8(ascii: "}") { return .object(members) }
            pos -= 1
            throw SyntaxError(offset: pos, message: "invalid character \(Self.describe(c)) after object key:value pair")
        }
    }

    private mutating func readArray() throws(SyntaxError) -> JSONValue {
        depth += 1
        if depth > Self.maxDepth { throw SyntaxError(offset: pos, message: "exceeded max depth of \(Self.maxDepth)") }
        defer { depth -= 1 }
        pos += 1  // [
        var items: [JSONValue] = []
        skipWhitespace()
        if pos < bytes.count && bytes[pos] == UInt8(ascii: "]") {
            pos += 1
            return .array(items)
        }
        while true {
            items.append(try readValue())
            skipWhitespace()
            guard pos < bytes.count else { throw SyntaxError(offset: pos, message: "unexpected end of JSON input") }
            let c = bytes[pos]
            pos += 1
            if c == ASCII.comma { continue }
            if c == UInt8(ascii: "]") { return .array(items) }
            pos -= 1
            throw SyntaxError(offset: pos, message: "invalid character \(Self.describe(c)) after array element")
        }
    }

    /// The bytes of the string at `pos` (a quote) when it has no escape and no control byte: their
    /// start and count, with `pos` past the closing quote. nil otherwise, with `pos` unchanged:
    /// ``readString()`` then decodes or reports it.
    @inline(__always)
    mutating func readPlainString() -> (start: Int, count: Int)? {
        let p = bytes.baseAddress!
        let n = bytes.count
        let start = pos + 1
        var i = start
        while i < n {
            let b = p[i]
            if b == ASCII.quote {
                pos = i + 1
                return (start, i - start)
            }
            if b == ASCII.backslash || b < 0x20 { return nil }
            i += 1
        }
        return nil
    }

    /// One past the first `}` after `pos`, or nil. For an object at `pos` whose strings hold no `}`
    /// and that nests nothing, its end, found with one `memchr`; a caller keys what reading the
    /// object gave by the bytes up to it, and keeps the result only when the reading ended there.
    func firstClosingBrace() -> Int? {
        let from = pos + 1
        guard from < bytes.count else { return nil }
        let base = UnsafeRawPointer(bytes.baseAddress!)
        let brace = Int32(UInt8(ascii: "}"))
        guard let found = memchr(base + from, brace, bytes.count - from) else { return nil }
        return UnsafeRawPointer(found) - base + 1
    }

    /// Moves to `offset`: past a value whose reading the caller already knows.
    @inline(__always) mutating func skip(to offset: Int) { pos = offset }

    /// Reads a string at `pos` (a quote); decodes escapes. Invalid UTF-8 becomes U+FFFD.
    mutating func readString() throws(SyntaxError) -> String {
        pos += 1
        let start = pos
        // Fast path: no escapes.
        while pos < bytes.count {
            let b = bytes[pos]
            if b == ASCII.quote {
                let s = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<pos]), as: UTF8.self)
                pos += 1
                return s
            }
            if b == ASCII.backslash { break }
            if b < 0x20 { throw SyntaxError(offset: pos, message: "invalid character \(Self.describe(b)) in string literal") }
            pos += 1
        }
        var buf: [UInt8] = Array(UnsafeBufferPointer(rebasing: bytes[start..<pos]))
        while pos < bytes.count {
            let b = bytes[pos]
            if b == ASCII.quote {
                pos += 1
                return String(decoding: buf, as: UTF8.self)
            }
            if b < 0x20 { throw SyntaxError(offset: pos, message: "invalid character \(Self.describe(b)) in string literal") }
            if b != ASCII.backslash {
                buf.append(b)
                pos += 1
                continue
            }
            pos += 1
            guard pos < bytes.count else { break }
            let e = bytes[pos]
            pos += 1
            switch e {
            case ASCII.quote, ASCII.backslash, UInt8(ascii: "/"): buf.append(e)
            case UInt8(ascii: "b"): buf.append(0x08)
            case UInt8(ascii: "f"): buf.append(0x0C)
            case UInt8(ascii: "n"): buf.append(ASCII.newline)
            case UInt8(ascii: "r"): buf.append(ASCII.cr)
            case UInt8(ascii: "t"): buf.append(ASCII.tab)
            case UInt8(ascii: "u"):
                var scalar = try readHex4()
                if scalar >= 0xD800 && scalar < 0xDC00 {
                    // A high surrogate needs a low one; alone it is U+FFFD, as Go decodes it.
                    if pos + 1 < bytes.count && bytes[pos] == ASCII.backslash && bytes[pos + 1] == UInt8(ascii: "u") {
                        let save = pos
                        pos += 2
                        let low = try readHex4()
                        if low >= 0xDC00 && low < 0xE000 {
                            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        } else {
                            pos = save
                            scalar = 0xFFFD
                        }
                    } else {
                        scalar = 0xFFFD
                    }
                } else if scalar >= 0xDC00 && scalar < 0xE000 {
                    scalar = 0xFFFD
                }
                for u in Unicode.UTF8.encode(Unicode.Scalar(scalar) ?? "\u{FFFD}")! { buf.append(u) }
            default:
                throw SyntaxError(offset: pos - 1, message: "invalid character \(Self.describe(e)) in string escape code")
            }
        }
        throw SyntaxError(offset: pos, message: "unexpected end of JSON input")
    }

    private mutating func readHex4() throws(SyntaxError) -> UInt32 {
        var v: UInt32 = 0
        for _ in 0..<4 {
            guard pos < bytes.count else { throw SyntaxError(offset: pos, message: "unexpected end of JSON input") }
            let c = bytes[pos]
            let d: UInt8
            switch c {
            case ASCII.zero...ASCII.nine: d = c - ASCII.zero
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = c - UInt8(ascii: "A") + 10
            default: throw SyntaxError(offset: pos, message: "invalid character \(Self.describe(c)) in \\u hexadecimal character escape")
            }
            v = v << 4 | UInt32(d)
            pos += 1
        }
        return v
    }

    /// Reads a number as a ``JSONValue``.
    private mutating func readNumber() throws(SyntaxError) -> JSONValue {
        switch try readNumberField() {
        case .int(let v): return .int(v)
        case .uint(let v): return .uint(v)
        case .float(let v): return .float(v)
        case .string, .bool: preconditionFailure("a number is read as a number")
        }
    }

    /// Reads a number with JSON's grammar: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`,
    /// as the field value it becomes (an integer that fits 64 bits stays one), without the
    /// allocation a ``JSONValue`` costs.
    mutating func readNumberField() throws(SyntaxError) -> FieldValue {
        if let v = readShortNumber() { return v }
        let start = pos
        var negative = false
        if bytes[pos] == ASCII.minus {
            negative = true
            pos += 1
        }
        @inline(__always) func digit(_ p: Int) -> Bool { p < bytes.count && ASCII.isDigit(bytes[p]) }
        func fail(_ context: String) -> SyntaxError {
            if pos >= bytes.count { return SyntaxError(offset: pos, message: "unexpected end of JSON input") }
            return SyntaxError(offset: pos, message: "invalid character \(Self.describe(bytes[pos])) \(context)")
        }
        guard digit(pos) else { throw fail("in numeric literal") }
        var mantissa: UInt64 = 0
        var digits = 0
        var overflow = false
        if bytes[pos] == ASCII.zero {
            pos += 1
        } else {
            while digit(pos) {
                let d = UInt64(bytes[pos] - ASCII.zero)
                let (m1, o1) = mantissa.multipliedReportingOverflow(by: 10)
                let (m2, o2) = m1.addingReportingOverflow(d)
                if o1 || o2 { overflow = true } else { mantissa = m2 }
                digits += 1
                pos += 1
            }
        }
        var isInteger = true
        var fractionDigits = 0
        if pos < bytes.count && bytes[pos] == ASCII.dot {
            isInteger = false
            pos += 1
            guard digit(pos) else { throw fail("after decimal point in numeric literal") }
            while digit(pos) {
                if !overflow && digits < 19 {
                    mantissa = mantissa * 10 + UInt64(bytes[pos] - ASCII.zero)
                    fractionDigits += 1
                    if mantissa != 0 { digits += 1 }
                } else {
                    overflow = true
                }
                pos += 1
            }
        }
        var exponent = 0
        if pos < bytes.count && (bytes[pos] == UInt8(ascii: "e") || bytes[pos] == UInt8(ascii: "E")) {
            isInteger = false
            pos += 1
            var expNegative = false
            if pos < bytes.count && (bytes[pos] == ASCII.plus || bytes[pos] == ASCII.minus) {
                expNegative = bytes[pos] == ASCII.minus
                pos += 1
            }
            guard digit(pos) else { throw fail("in exponent of numeric literal") }
            while digit(pos) {
                if exponent < 100_000 { exponent = exponent * 10 + Int(bytes[pos] - ASCII.zero) }
                pos += 1
            }
            if expNegative { exponent = -exponent }
        }
        if isInteger && !overflow {
            if negative {
                if mantissa <= UInt64(Int64.max) { return .int(-Int64(mantissa)) }
                if mantissa == UInt64(Int64.max) + 1 { return .int(Int64.min) }
            } else {
                if mantissa <= UInt64(Int64.max) { return .int(Int64(mantissa)) }
                return .uint(mantissa)
            }
        }
        if !overflow, let v = GoNumber.exactDecimal(mantissa, exponent: exponent - fractionDigits) {
            return .float(negative ? -v : v)
        }
        // More digits or a larger exponent than one exact operation covers: the shared reader.
        let text = UnsafeBufferPointer(rebasing: bytes[start..<pos])
        guard let v = GoNumber.parseFloat(text).value else {
            throw SyntaxError(offset: start, message: "number \(String(decoding: text, as: UTF8.self)) is out of range of a float64")
        }
        return .float(v)
    }

    /// The common number, read in one pass: a minus or not, at most 18 digits in all (so no
    /// overflow), a fraction or not, no exponent, and for a fraction a value ``GoNumber/exactDecimal(_:exponent:)``
    /// gives. nil otherwise, with `pos` unchanged: ``readNumberField()`` then reads it in full,
    /// to the same value.
    @inline(__always)
    private mutating func readShortNumber() -> FieldValue? {
        let p = bytes.baseAddress!
        let n = bytes.count
        var i = pos
        let negative = p[i] == ASCII.minus
        if negative { i += 1 }
        let intStart = i
        var m: UInt64 = 0
        if i < n && p[i] == ASCII.zero {
            i += 1
        } else {
            while i < n, p[i] &- ASCII.zero < 10 {
                m = m &* 10 &+ UInt64(p[i] &- ASCII.zero)
                i += 1
            }
        }
        let digits = i - intStart
        guard digits > 0 && digits <= 18 else { return nil }
        guard i < n else {
            pos = i
            return .int(negative ? -Int64(m) : Int64(m))
        }
        var b = p[i]
        if b == ASCII.dot {
            i += 1
            let fractionStart = i
            while i < n, p[i] &- ASCII.zero < 10 {
                m = m &* 10 &+ UInt64(p[i] &- ASCII.zero)
                i += 1
            }
            let fractionDigits = i - fractionStart
            guard fractionDigits > 0 && digits + fractionDigits <= 18 else { return nil }
            if i < n {
                b = p[i]
                if b == UInt8(ascii: "e") || b == UInt8(ascii: "E") { return nil }
            }
            guard let v = GoNumber.exactDecimal(m, exponent: -fractionDigits) else { return nil }
            pos = i
            return .float(negative ? -v : v)
        }
        if b == UInt8(ascii: "e") || b == UInt8(ascii: "E") || b &- ASCII.zero < 10 { return nil }
        pos = i
        return .int(negative ? -Int64(m) : Int64(m))
    }

    /// `'x'` for a printable byte, `'\n'`-style or `'\x00'` otherwise, as Go quotes a character.
    static func describe(_ b: UInt8) -> String {
        switch b {
        case ASCII.newline: return "'\\n'"
        case ASCII.cr: return "'\\r'"
        case ASCII.tab: return "'\\t'"
        case 0x27: return "'\\''"
        case 0x20..<0x7F: return "'\(Character(Unicode.Scalar(b)))'"
        default:
            let h = Array("0123456789abcdef")
            return "'\\x\(h[Int(b >> 4)])\(h[Int(b & 0xF)])'"
        }
    }
}
