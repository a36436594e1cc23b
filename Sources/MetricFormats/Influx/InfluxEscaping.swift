/// Telegraf's line-protocol escaping, appended straight to a byte buffer.
///
/// - Measurement: `,` and space get a backslash; tab, LF, FF and CR become `\t` `\n` `\f` `\r`.
/// - Tag keys, tag values, field keys: the same, plus `=`.
/// - String field content: `"` and `\` get a backslash; everything else is raw.
enum InfluxEscaping {
    /// 0: copied; 1: backslash before; 2: written as a two-char sequence.
    static let nameTable: [UInt8] = table(equals: false)
    static let keyTable: [UInt8] = table(equals: true)

    static func table(equals: Bool) -> [UInt8] {
        var t = [UInt8](repeating: 0, count: 256)
        t[Int(ASCII.comma)] = 1
        t[Int(ASCII.space)] = 1
        if equals { t[Int(ASCII.equals)] = 1 }
        t[Int(ASCII.tab)] = 2
        t[Int(ASCII.newline)] = 2
        t[Int(ASCII.formFeed)] = 2
        t[Int(ASCII.cr)] = 2
        return t
    }

    static func appendName(_ s: String, to out: inout [UInt8]) {
        append(s, nameTable, to: &out)
    }

    static func appendKey(_ s: String, to out: inout [UInt8]) {
        append(s, keyTable, to: &out)
    }

    static func append(_ s: String, _ table: [UInt8], to out: inout [UInt8]) {
        if s.utf8.withContiguousStorageIfAvailable({ appendEscaped($0, table, to: &out) }) == nil {
            var copy = s
            copy.withUTF8 { appendEscaped($0, table, to: &out) }
        }
    }

    static func appendEscaped(_ bytes: UnsafeBufferPointer<UInt8>, _ table: [UInt8], to out: inout [UInt8]) {
        do {
            table.withUnsafeBufferPointer { t in
                var runStart = 0
                for k in 0..<bytes.count {
                    let b = bytes[k]
                    let action = t[Int(b)]
                    if action == 0 { continue }
                    if k > runStart { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<k])) }
                    out.append(ASCII.backslash)
                    if action == 1 {
                        out.append(b)
                    } else {
                        switch b {
                        case ASCII.tab: out.append(UInt8(ascii: "t"))
                        case ASCII.newline: out.append(UInt8(ascii: "n"))
                        case ASCII.formFeed: out.append(UInt8(ascii: "f"))
                        default: out.append(UInt8(ascii: "r"))
                        }
                    }
                    runStart = k + 1
                }
                if runStart < bytes.count { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart...])) }
            }
        }
    }

    static func appendStringContent(_ s: String, to out: inout [UInt8]) {
        if s.utf8.withContiguousStorageIfAvailable({ appendStringContent($0, to: &out) }) == nil {
            var copy = s
            copy.withUTF8 { appendStringContent($0, to: &out) }
        }
    }

    static func appendStringContent(_ bytes: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        do {
            var runStart = 0
            for k in 0..<bytes.count {
                let b = bytes[k]
                if b != ASCII.quote && b != ASCII.backslash { continue }
                if k > runStart { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<k])) }
                out.append(ASCII.backslash)
                out.append(b)
                runStart = k + 1
            }
            if runStart < bytes.count { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart...])) }
        }
    }

    /// Removes every backslash at the end of `out[from...]` (tags cannot end with one); true if any.
    static func trimTrailingBackslashes(_ out: inout [UInt8], from: Int) -> Bool {
        var trimmed = false
        while out.count > from, out[out.count - 1] == ASCII.backslash {
            out.removeLast()
            trimmed = true
        }
        return trimmed
    }

    /// In a measurement or field key a backslash pairs with the next byte, so an odd run of backslashes
    /// at the end would escape the separator: the run is removed; true if it was.
    static func trimOddTrailingBackslashes(_ out: inout [UInt8], from: Int) -> Bool {
        var run = 0
        var k = out.count - 1
        while k >= from, out[k] == ASCII.backslash {
            run += 1
            k -= 1
        }
        if run % 2 == 0 { return false }
        out.removeLast(run)
        return true
    }
}
