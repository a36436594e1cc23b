/// JSON text written straight into a line buffer with plain stores: the serializer's hot path.
extension JSONText {
    /// Per byte: 0 copied as it is; 1 an ASCII byte Go escapes; 2 the start of a multi-byte sequence.
    /// Written once at first use and only read after that.
    nonisolated(unsafe) static let byteClass: UnsafePointer<UInt8> = {
        let t = UnsafeMutablePointer<UInt8>.allocate(capacity: 256)
        for b in 0..<256 {
            t[b] = b >= 0x80 ? 2 : (needsEscape(UInt8(b)) ? 1 : 0)
        }
        return UnsafePointer(t)
    }()

    /// Appends `s` as a quoted JSON string with Go's escaping.
    @inline(__always)
    static func appendString(_ s: String, to out: InfluxLineBuffer) {
        if s.utf8.withContiguousStorageIfAvailable({ appendString(bytes: $0, to: out) }) == nil {
            var copy = s
            copy.withUTF8 { appendString(bytes: $0, to: out) }
        }
    }

    /// Appends UTF-8 bytes as a quoted JSON string. One table load per byte; clean bytes are stored as
    /// they are read, into room reserved for the worst case (six bytes out per byte in).
    static func appendString(bytes: UnsafeBufferPointer<UInt8>, to out: InfluxLineBuffer) {
        let n = bytes.count
        out.reserve(n &* 6 &+ 2)
        var w = out.base + out.count
        w.pointee = ASCII.quote
        w += 1
        if let p = bytes.baseAddress {
            let cls = byteClass
            var i = 0
            while i < n {
                let b = p[i]
                let c = cls[Int(b)]
                if c == 0 {
                    w.pointee = b
                    w += 1
                    i += 1
                    continue
                }
                if c == 1 {
                    w.pointee = ASCII.backslash
                    switch b {
                    case ASCII.quote, ASCII.backslash:
                        w[1] = b
                        w += 2
                    case 0x08:
                        w[1] = UInt8(ascii: "b")
                        w += 2
                    case 0x0C:
                        w[1] = UInt8(ascii: "f")
                        w += 2
                    case ASCII.newline:
                        w[1] = UInt8(ascii: "n")
                        w += 2
                    case ASCII.cr:
                        w[1] = UInt8(ascii: "r")
                        w += 2
                    case ASCII.tab:
                        w[1] = UInt8(ascii: "t")
                        w += 2
                    default:
                        w[1] = UInt8(ascii: "u")
                        w[2] = ASCII.zero
                        w[3] = ASCII.zero
                        hex.withUTF8Buffer { h in
                            w[4] = h[Int(b >> 4)]
                            w[5] = h[Int(b & 0xF)]
                        }
                        w += 6
                    }
                    i += 1
                    continue
                }
                // Multi-byte sequence: validate; U+2028 and U+2029 are escaped, invalid bytes become U+FFFD.
                let len = utf8SequenceLength(bytes, i)
                if len == 0 {
                    writeASCII("\\ufffd", &w)
                    i += 1
                } else if len == 3 && b == 0xE2 && p[i + 1] == 0x80 && (p[i + 2] == 0xA8 || p[i + 2] == 0xA9) {
                    writeASCII(p[i + 2] == 0xA8 ? "\\u2028" : "\\u2029", &w)
                    i += 3
                } else {
                    for k in 0..<len { w[k] = p[i + k] }
                    w += len
                    i += len
                }
            }
        }
        w.pointee = ASCII.quote
        w += 1
        out.count = out.base.distance(to: w)
    }

    @inline(__always)
    private static func writeASCII(_ s: StaticString, _ w: inout UnsafeMutablePointer<UInt8>) {
        let n = s.utf8CodeUnitCount
        w.update(from: s.utf8Start, count: n)
        w += n
    }

    /// A float as Go's encoding/json writes it: fixed notation in [1e-6, 1e21), else an exponent.
    /// In [1e-6, 2^53) that is exactly line protocol's float text, which has a fast exact path.
    @inline(__always)
    static func appendNumber(_ v: Double, to out: InfluxLineBuffer) {
        let a = abs(v)
        if a >= 1e-6 && a < 9.007_199_254_740_992e15 {
            InfluxSerializer.appendFloat(v, to: out)
        } else {
            var text: [UInt8] = []
            NumberFormatting.appendJSON(v, to: &text)
            text.withUnsafeBufferPointer { out.append($0.baseAddress!, $0.count) }
        }
    }
}
