/// What ``JSONSerializer`` writes with the very bytes of a line-protocol value, for the direct path
/// (``InfluxDirect``), which copies those bytes instead of asking the serializer to write the value.
extension JSONSerializer {
    /// How many leading bytes of a float's text are the number JSON writes for its value (Go's
    /// shortest round-trip text, fixed notation in [1e-6, 1e21)), or -1 when it writes another text.
    @inline(__always)
    static func verbatimFloat(_ text: DecimalText) -> Int {
        text.shortestFixedPrefix()
    }

    /// An integer's text (without its suffix) is what JSON writes for its value: plain digits,
    /// sure to be in range.
    @inline(__always)
    static func isVerbatimInteger(_ text: DecimalText, unsigned: Bool) -> Bool {
        text.isPlainInteger(maxDigits: unsigned ? 19 : 18)
    }

    /// Per byte: 0 when JSON writes it as it is in a string (so no closer look is needed); marks
    /// `"`, `\\`, controls, `<`, `>`, `&` and every byte of a UTF-8 sequence.
    static var verbatimStringMarks: UnsafePointer<UInt8> { JSONText.byteClass }

    /// The content of a line-protocol string (its only escapes `\"` and `\\`, which JSON spells the
    /// same) is what JSON writes between the quotes: valid UTF-8 (the parser would replace invalid
    /// bytes) without a character JSON escapes (controls, `<`, `>`, `&`, U+2028, U+2029).
    @inline(__always)
    static func isVerbatimString(_ content: UnsafeBufferPointer<UInt8>) -> Bool {
        let cls = JSONText.byteClass
        var j = 0
        let end = content.count
        while j < end {
            let b = content[j]
            if cls[Int(b)] == 0 {
                j &+= 1
                continue
            }
            if b == ASCII.backslash {
                // Only `\"` and `\\` reach here (the tokenizer refuses other escapes).
                j &+= 2
                continue
            }
            guard b >= 0x80 else { return false }
            let n = JSONText.utf8SequenceLength(content, j)
            let lineSeparator = n == 3 && b == 0xE2 && content[j &+ 1] == 0x80 && content[j &+ 2] & 0xFE == 0xA8
            guard n > 0, !lineSeparator else { return false }
            j &+= n
        }
        return true
    }
}
