#if !METRICAT_ONE_MODULE
    import MetricCore
#endif

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The grammar of one line-protocol record, as a pull tokenizer: each call reads the next section
/// (measurement, tag key, tag value, field key, field value, timestamp) and hands back its byte span
/// and whether it had escapes, or throws where and why the bytes are not line protocol.
///
/// Modelled on influxdata/line-protocol's decoder (`Measurement`, `NextTag`, `NextField`, `Time`).
/// ``InfluxParser`` builds metrics with it and ``InfluxDirect`` copies lines with it, so what ends a
/// token, what an escape is and every error message and position live here only. It copies and
/// unescapes nothing: callers decide what to make of a span.
///
///     var t = InfluxTokenizer(p, count, at: 0)
///     let name = try t.measurement()
///     while let key = try t.nextTagKey() { let value = try t.tagValue() }
///     try t.fieldsStart()
///     repeat { let key = try t.fieldKey(); let value = try t.fieldValue() } while try t.nextField()
///     let time = try t.timestamp()
///
/// ``next()`` walks the same sections one token at a time, for callers (and tests) that want the
/// whole sequence.
struct InfluxTokenizer {
    /// The record's bytes.
    let p: UnsafePointer<UInt8>
    /// The end of the bytes (a string field may hold every byte up to here).
    let end: Int
    /// The end outside strings: a CR before the (removed) LF ends the line.
    let stop: Int
    /// The next byte to read.
    var position: Int
    /// Where ``next()`` is.
    var section = Section.measurement
    let cls: UnsafePointer<UInt8>

    /// What ``next()`` reads next.
    enum Section { case measurement, tags, tagValue, fieldValue, afterValue, done }

    /// One token of ``next()``.
    enum Token: Equatable {
        case measurement(InfluxSpan)
        case tagKey(InfluxSpan)
        case tagValue(InfluxSpan)
        case fieldKey(InfluxSpan)
        case fieldValue(InfluxValue)
        case timestamp(InfluxTimestamp)
    }

    /// Reads `p[0..<end]` from `position`.
    @inline(__always)
    init(_ p: UnsafePointer<UInt8>, _ end: Int, at position: Int, byteClass: UnsafePointer<UInt8> = InfluxByteClass.table) {
        self.p = p
        self.end = end
        stop = end > 0 && p[end - 1] == ASCII.cr ? end - 1 : end
        self.position = position
        cls = byteClass
    }

    // MARK: - Whitespace and the record's start

    /// Space, tab, vertical tab, form feed: what separates the sections.
    @inline(__always) static func isSpace(_ b: UInt8) -> Bool {
        b == ASCII.space || b == ASCII.tab || b == ASCII.verticalTab || b == ASCII.formFeed
    }

    /// Bytes a backslash may not escape in names and keys (they end the line or the token).
    @inline(__always) static func isUnescapable(_ b: UInt8) -> Bool {
        b == ASCII.tab || b == ASCII.newline || b == ASCII.formFeed || b == ASCII.cr
    }

    @inline(__always) mutating func skipSpaces() {
        while position < stop, Self.isSpace(p[position]) { position &+= 1 }
    }

    /// Skips leading whitespace; false for a blank line or a comment (no record).
    @inline(__always) mutating func startRecord() -> Bool {
        skipSpaces()
        return position < stop && p[position] != ASCII.hash
    }

    // MARK: - Header

    /// The measurement: up to a space, comma, tab, LF, FF or CR; `\` escapes the next byte.
    @inline(__always) mutating func measurement() throws(InfluxSyntaxError) -> InfluxSpan {
        var i = position
        let start = i
        var escaped = false
        while i < stop {
            let c = cls[Int(p[i])]
            if c & (InfluxByteClass.end | InfluxByteClass.backslash) == 0 {
                i &+= 1
                continue
            }
            if c & InfluxByteClass.end != 0 { break }
            if i &+ 1 >= stop || Self.isUnescapable(p[i &+ 1]) { throw InfluxSyntaxError(i, .badEscape) }
            escaped = true
            i &+= 2
        }
        if i == start { throw InfluxSyntaxError(i, .expectedMeasurement) }
        position = i
        return InfluxSpan(start: start, end: i, escaped: escaped)
    }

    /// The key of the next tag and its `=`, or nil when the header has no more tags.
    @inline(__always) mutating func nextTagKey() throws(InfluxSyntaxError) -> InfluxSpan? {
        guard position < stop && p[position] == ASCII.comma else { return nil }
        position &+= 1
        let key = try tagToken(.expectedTagKey)
        if position == stop || p[position] != ASCII.equals { throw InfluxSyntaxError(position, .expectedEqualsAfterTagKey) }
        position &+= 1
        return key
    }

    /// The value of the tag whose key ``nextTagKey()`` read.
    @inline(__always) mutating func tagValue() throws(InfluxSyntaxError) -> InfluxSpan {
        let value = try tagToken(.expectedTagValue)
        if position < stop && p[position] == ASCII.equals { throw InfluxSyntaxError(position, .equalsInTagValue) }
        return value
    }

    /// A tag key or value: `\` escapes the next byte, except that `\\` leaves the second backslash to
    /// escape what follows (Telegraf's rule, so a tag can never end with a backslash).
    @inline(__always) mutating func tagToken(_ missing: InfluxSyntaxError.Reason) throws(InfluxSyntaxError) -> InfluxSpan {
        try keyToken(missing, tagRule: true)
    }

    /// A tag key, tag value or field key up to the byte that ends it (left at the position): `\`
    /// escapes the next byte; with `tagRule`, `\\` escapes only the first backslash.
    @inline(__always) mutating func keyToken(_ missing: InfluxSyntaxError.Reason, tagRule: Bool) throws(InfluxSyntaxError) -> InfluxSpan {
        var i = position
        let start = i
        var escaped = false
        let stopMask = InfluxByteClass.end | InfluxByteClass.equals | InfluxByteClass.backslash
        while i < stop {
            let c = cls[Int(p[i])]
            if c & stopMask == 0 {
                i &+= 1
                continue
            }
            if c & InfluxByteClass.backslash == 0 { break }
            if i &+ 1 >= stop || Self.isUnescapable(p[i &+ 1]) { throw InfluxSyntaxError(i, .badEscape) }
            escaped = true
            i &+= tagRule && p[i &+ 1] == ASCII.backslash ? 1 : 2
        }
        if i == start { throw InfluxSyntaxError(i, missing) }
        position = i
        return InfluxSpan(start: start, end: i, escaped: escaped)
    }

    /// The whitespace between the header and the fields (at least one byte), and that fields follow.
    @inline(__always) mutating func fieldsStart() throws(InfluxSyntaxError) {
        if position == stop { throw InfluxSyntaxError(position, .expectedFields) }
        let b = p[position]
        if !Self.isSpace(b) { throw InfluxSyntaxError(position, .unexpected(b, .afterHeader)) }
        skipSpaces()
        if position == stop { throw InfluxSyntaxError(position, .expectedFields) }
    }

    /// The end of the header starting at `p[i]` when it has no backslash (nil otherwise): the first
    /// space, tab, LF, FF or CR (a comma goes on to the next tag). Eight bytes at a time, for the
    /// caches that know a header by its bytes.
    @inline(__always)
    static func headerEnd(_ p: UnsafePointer<UInt8>, _ i: Int, _ stop: Int, _ cls: UnsafePointer<UInt8>) -> Int? {
        let raw = UnsafeRawPointer(p)
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        var j = i
        // Eight bytes at a time while none of them is below 0x0E, a space or a backslash.
        while j + 8 <= stop {
            let w = raw.loadUnaligned(fromByteOffset: j, as: UInt64.self)
            let low = (w &- ones &* 0x0E) & ~w & highs
            let sp = w ^ (ones &* 0x20)
            let bs = w ^ (ones &* 0x5C)
            let hits = low | ((sp &- ones) & ~sp & highs) | ((bs &- ones) & ~bs & highs)
            if hits != 0 { break }
            j += 8
        }
        while j < stop {
            let c = cls[Int(p[j])]
            if c & (InfluxByteClass.end | InfluxByteClass.backslash) != 0 {
                if c & InfluxByteClass.backslash != 0 { return nil }
                if p[j] != ASCII.comma { return j }
            }
            j += 1
        }
        return j
    }

    // MARK: - Fields

    /// A field key and its `=`; leaves the position on the value.
    @inline(__always) mutating func fieldKey() throws(InfluxSyntaxError) -> InfluxSpan {
        let key = try keyToken(.expectedFieldKey, tagRule: false)
        if position == stop || p[position] != ASCII.equals { throw InfluxSyntaxError(position, .expectedEqualsAfterFieldKey) }
        position &+= 1
        return key
    }

    /// Takes a field key of `n` bytes that a caller matched by its bytes (a prediction), and its `=`.
    @inline(__always) mutating func skipFieldKey(_ n: Int) {
        position &+= n &+ 1
    }

    /// The field value at the position, with the value of a number read as it is checked.
    @_transparent mutating func fieldValue() throws(InfluxSyntaxError) -> InfluxValue {
        try scanValue(values: true, marks: nil)
    }

    /// The field value at the position, numbers only checked (no value read, integers not
    /// range-checked: ``InfluxValue/intDigits`` tells their size), for a caller that copies their text.
    /// A string's bytes marked in `marks` (which must mark `"` and `\\`) set ``InfluxValue/marked``.
    @_transparent mutating func fieldValueText(marks: UnsafePointer<UInt8>) throws(InfluxSyntaxError) -> InfluxValue {
        try scanValue(values: false, marks: marks)
    }

    @_transparent mutating func scanValue(values: Bool, marks: UnsafePointer<UInt8>?) throws(InfluxSyntaxError) -> InfluxValue {
        if position == stop { throw InfluxSyntaxError(position, .expectedFieldValue) }
        let b = p[position]
        if b == ASCII.quote { return try stringValue(marks: marks) }
        if b == ASCII.minus || b == ASCII.dot || ASCII.isDigit(b) { return try number(values: values) }
        if b == UInt8(ascii: "t") || b == UInt8(ascii: "T") || b == UInt8(ascii: "f") || b == UInt8(ascii: "F") {
            let start = position
            var j = start
            while j < stop, !Self.isSpace(p[j]), p[j] != ASCII.comma { j &+= 1 }
            guard let value = Self.boolValue(p + start, j &- start) else { throw InfluxSyntaxError(start, .badBoolean) }
            position = j
            var v = InfluxValue(kind: .bool, start: start, end: j)
            v.bits = value ? 1 : 0
            return v
        }
        throw InfluxSyntaxError(position, .expectedFieldValue)
    }

    /// After a field value: true when a comma follows (another field), false when the fields end.
    @inline(__always) mutating func nextField() throws(InfluxSyntaxError) -> Bool {
        if position == stop { return false }
        let c = p[position]
        if c == ASCII.comma {
            position &+= 1
            return true
        }
        if Self.isSpace(c) { return false }
        throw InfluxSyntaxError(position, .unexpected(c, .afterFieldValue))
    }

    /// A quoted string from the quote at the position; only `\"` and `\\` are escapes, raw newlines
    /// are content. A string the bytes end inside is `.openString` (the caller may add lines).
    @_transparent mutating func stringValue(marks: UnsafePointer<UInt8>? = nil) throws(InfluxSyntaxError) -> InfluxValue {
        let quote = position
        var v = InfluxValue(kind: .string, start: quote, end: end)
        switch Self.stringEnd(p, quote &+ 1, end, marks: marks) {
        case .closed(let j, let escaped, let marked):
            v.end = j &+ 1
            v.escaped = escaped
            v.marked = marked
            position = j &+ 1
        case .open:
            v.kind = .openString
            position = end
        case .badEscape(let j):
            throw InfluxSyntaxError(j, .badStringEscape)
        }
        return v
    }

    enum StringEnd: Equatable {
        /// The closing quote, whether an escape came before it, and whether a byte `marks` marks
        /// (other than `"` and `\\`).
        case closed(Int, escaped: Bool, marked: Bool)
        case open
        /// A backslash before neither `"` nor `\`.
        case badEscape(Int)
    }

    /// The closing quote of a string whose content starts at `p[from]` (the quote before it) and may
    /// run to `end`. With `marks`, bytes it leaves at 0 are skipped with one load (it must mark `"`
    /// and `\\`), and any other marked byte is noted.
    @inline(__always)
    static func stringEnd(_ p: UnsafePointer<UInt8>, _ from: Int, _ end: Int, marks: UnsafePointer<UInt8>? = nil) -> StringEnd {
        var j = from
        var escaped = false
        var marked = false
        while j < end {
            let b = p[j]
            if let marks, marks[Int(b)] == 0 {
                j &+= 1
                continue
            }
            if b == ASCII.quote { return .closed(j, escaped: escaped, marked: marked) }
            if b == ASCII.backslash {
                if j &+ 1 < end && (p[j &+ 1] == ASCII.quote || p[j &+ 1] == ASCII.backslash) {
                    escaped = true
                    j &+= 2
                    continue
                }
                return .badEscape(j)
            }
            if marks != nil { marked = true }
            j &+= 1
        }
        return .open
    }

    /// The value of a boolean token of `n` bytes (starting with t, T, f or F), nil for another spelling:
    /// `t T true True TRUE f F false False FALSE`.
    static func boolValue(_ p: UnsafePointer<UInt8>, _ n: Int) -> Bool? {
        if n == 1 { return p[0] == UInt8(ascii: "t") || p[0] == UInt8(ascii: "T") }
        guard n == 4 || n == 5 else { return nil }
        let words: [(StaticString, Bool)] =
            n == 4
            ? [("true", true), ("True", true), ("TRUE", true)]
            : [("false", false), ("False", false), ("FALSE", false)]
        for (word, value) in words {
            var same = true
            word.withUTF8Buffer { w in
                for k in 0..<n where w[k] != p[k] {
                    same = false
                    break
                }
            }
            if same { return value }
        }
        return nil
    }

    /// Float `-?(d+(.d*)?|.d+)([eE][+-]?d+)?`, integer `-?(0|[1-9]d*)i`, unsigned `(0|[1-9]d*)u`.
    @_transparent mutating func number(values: Bool) throws(InfluxSyntaxError) -> InfluxValue {
        let start = position
        var j = start
        var v = InfluxValue(kind: .float, start: start, end: start)
        let negative = p[j] == ASCII.minus
        v.negative = negative
        if negative { j &+= 1 }
        let intStart = j
        // One pass reads the digits and their value (exact while there are at most 19 of them):
        // metric values are short, so a byte loop beats finding the run first and reading it again.
        // Without values, the run is found eight bytes at a time.
        var mantissa: UInt64 = 0
        if values {
            Self.readDigits(p, &j, stop, into: &mantissa)
        } else {
            j = Self.digitsEnd(p, j, stop)
        }
        let intDigits = j &- intStart
        var fracDigits = 0
        if j < stop && p[j] == ASCII.dot {
            v.hasDot = true
            j &+= 1
            let fracStart = j
            if values {
                Self.readDigits(p, &j, stop, into: &mantissa)
            } else {
                j = Self.digitsEnd(p, j, stop)
            }
            fracDigits = j &- fracStart
        }
        v.intDigits = intDigits
        v.fracDigits = fracDigits
        if intDigits == 0 && fracDigits == 0 { throw InfluxSyntaxError(j, .invalidNumber) }
        if j < stop && (p[j] == UInt8(ascii: "e") || p[j] == UInt8(ascii: "E")) {
            v.hasExponent = true
            j &+= 1
            if j < stop && (p[j] == ASCII.plus || p[j] == ASCII.minus) { j &+= 1 }
            let expStart = j
            while j < stop, ASCII.isDigit(p[j]) { j &+= 1 }
            if j == expStart { throw InfluxSyntaxError(j, .exponentWithoutDigits) }
        }
        let suffix: UInt8 = j < stop ? p[j] : 0
        if suffix == UInt8(ascii: "i") || suffix == UInt8(ascii: "u") {
            let unsigned = suffix == UInt8(ascii: "u")
            v.kind = unsigned ? .uint : .int
            if v.hasDot || v.hasExponent || intDigits == 0 { throw InfluxSyntaxError(start, .digitsOnlyBeforeSuffix(unsigned: unsigned, suffix)) }
            if unsigned && negative { throw InfluxSyntaxError(start, .negativeUnsigned) }
            if intDigits > 1 && p[intStart] == ASCII.zero { throw InfluxSyntaxError(start, .leadingZero(unsigned: unsigned)) }
            guard j &+ 1 == stop || Self.isSpace(p[j &+ 1]) || p[j &+ 1] == ASCII.comma else {
                throw InfluxSyntaxError(j &+ 1, p[j &+ 1] == ASCII.cr ? .unexpected(ASCII.cr, .afterFieldValue) : .invalidNumber)
            }
            if values {
                let (magnitude, overflow) = intDigits <= 19 ? (mantissa, false) : Self.digits(p, intStart, j)
                if unsigned {
                    if overflow { throw InfluxSyntaxError(start, .integerOutOfRange(unsigned: true)) }
                    v.bits = magnitude
                } else {
                    let limit: UInt64 = negative ? UInt64(Int64.max) + 1 : UInt64(Int64.max)
                    if overflow || magnitude > limit { throw InfluxSyntaxError(start, .integerOutOfRange(unsigned: false)) }
                    v.bits = negative ? 0 &- magnitude : magnitude
                }
            }
            v.end = j &+ 1
            position = j &+ 1
            return v
        }
        guard j == stop || Self.isSpace(p[j]) || p[j] == ASCII.comma else {
            throw InfluxSyntaxError(j, p[j] == ASCII.cr ? .unexpected(ASCII.cr, .afterFieldValue) : .invalidNumber)
        }
        v.bits = mantissa
        v.end = j
        position = j
        return v
    }

    // MARK: - Timestamp

    /// The optional timestamp after the fields and the whitespace around it; nil when there is none.
    /// A value out of Int64's range throws; the caller scales it by its precision.
    @_transparent mutating func timestamp() throws(InfluxSyntaxError) -> InfluxTimestamp? {
        skipSpaces()
        guard position < stop else { return nil }
        let start = position
        var j = start
        let negative = p[j] == ASCII.minus
        if negative { j &+= 1 }
        let digitStart = j
        // A longer run than 19 digits is read again with overflow checks.
        var magnitude = Self.timestampDigits(p, &j, stop)
        var overflow = false
        if j &- digitStart > 19 { (magnitude, overflow) = Self.digits(p, digitStart, j) }
        if j < stop && !Self.isSpace(p[j]) { throw InfluxSyntaxError(j, .invalidTimestamp) }
        if j == digitStart { throw InfluxSyntaxError(j, .invalidTimestamp) }
        let limit: UInt64 = negative ? UInt64(Int64.max) + 1 : UInt64(Int64.max)
        if overflow || j &- digitStart > 19 || magnitude > limit { throw InfluxSyntaxError(start, .timestampOutOfRange) }
        position = j
        skipSpaces()
        if position < stop { throw InfluxSyntaxError(position, .textAfterTimestamp) }
        return InfluxTimestamp(start: start, end: j, value: negative ? Int64(bitPattern: 0 &- magnitude) : Int64(magnitude))
    }

    // MARK: - One token at a time

    /// The next token of the record, or nil after the last; a blank line or a comment has none.
    /// A string the bytes end inside comes as an `.openString` value and ends the tokens.
    mutating func next() throws(InfluxSyntaxError) -> Token? {
        switch section {
        case .measurement:
            guard startRecord() else {
                section = .done
                return nil
            }
            let name = try measurement()
            section = .tags
            return .measurement(name)
        case .tags:
            if let key = try nextTagKey() {
                section = .tagValue
                return .tagKey(key)
            }
            try fieldsStart()
            let key = try fieldKey()
            section = .fieldValue
            return .fieldKey(key)
        case .tagValue:
            let value = try tagValue()
            section = .tags
            return .tagValue(value)
        case .fieldValue:
            let value = try fieldValue()
            section = value.kind == .openString ? .done : .afterValue
            return .fieldValue(value)
        case .afterValue:
            if try nextField() {
                let key = try fieldKey()
                section = .fieldValue
                return .fieldKey(key)
            }
            section = .done
            return try timestamp().map { .timestamp($0) }
        case .done:
            return nil
        }
    }

    // MARK: - Digits

    /// Reads the ASCII digits from `p[j]` on into `value` (ten times it plus each digit; it wraps
    /// past 19 digits, which callers check by the count) and leaves `j` after them.
    @inline(__always)
    static func readDigits(_ p: UnsafePointer<UInt8>, _ j: inout Int, _ stop: Int, into value: inout UInt64) {
        while j < stop {
            let d = p[j] &- ASCII.zero
            if d > 9 { break }
            value = value &* 10 &+ UInt64(d)
            j &+= 1
        }
    }

    /// The value of the decimal digits `p[start..<end]`, and whether it overflows UInt64.
    @inline(__always)
    static func digits(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> (UInt64, Bool) {
        var magnitude: UInt64 = 0
        if end - start <= 19 {
            // 19 digits fit in UInt64 (< 10^19 < 2^64): no overflow check per digit; eight at a time.
            var k = start
            while k + 8 <= end {
                magnitude = magnitude &* 100_000_000 &+ eightDigits(UnsafeRawPointer(p + k).loadUnaligned(as: UInt64.self))
                k += 8
            }
            while k < end {
                magnitude = magnitude &* 10 &+ UInt64(p[k] &- ASCII.zero)
                k += 1
            }
            return (magnitude, false)
        }
        for k in start..<end {
            let (m, o1) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, o2) = m.addingReportingOverflow(UInt64(p[k] &- ASCII.zero))
            if o1 || o2 { return (0, true) }
            magnitude = sum
        }
        return (magnitude, false)
    }

    /// The value of eight ASCII digits loaded little-endian (the first digit in the lowest byte).
    @inline(__always)
    static func eightDigits(_ w: UInt64) -> UInt64 {
        var v = w &- 0x3030_3030_3030_3030
        v = (v &* 10 &+ (v >> 8)) & 0x00FF_00FF_00FF_00FF
        v = (v &* 100 &+ (v >> 16)) & 0x0000_FFFF_0000_FFFF
        return (v &* 10_000 &+ (v >> 32)) & 0xFFFF_FFFF
    }

    /// Every byte of the eight is an ASCII digit: high nibble 3, and still 3 after adding 6.
    @inline(__always)
    static func isEightDigits(_ w: UInt64) -> Bool {
        w & 0xF0F0_F0F0_F0F0_F0F0 == 0x3030_3030_3030_3030
            && (w &+ 0x0606_0606_0606_0606) & 0xF0F0_F0F0_F0F0_F0F0 == 0x3030_3030_3030_3030
    }

    /// Reads the digits of a timestamp from `p[j]` on and leaves `j` after them: eight at a time,
    /// reading their value as the run is found (a nanosecond timestamp is 19 digits: two words and
    /// three bytes). The value wraps past 19 digits, which callers check by the count.
    @inline(__always)
    static func timestampDigits(_ p: UnsafePointer<UInt8>, _ j: inout Int, _ stop: Int) -> UInt64 {
        let digitStart = j
        var magnitude: UInt64 = 0
        let raw = UnsafeRawPointer(p)
        while j + 8 <= stop && j - digitStart <= 11 {
            let w = raw.loadUnaligned(fromByteOffset: j, as: UInt64.self)
            if !isEightDigits(w) { break }
            magnitude = magnitude &* 100_000_000 &+ eightDigits(w)
            j += 8
        }
        readDigits(p, &j, stop, into: &magnitude)
        return magnitude
    }

    /// The end of the run of ASCII digits from `p[j]`: eight bytes at a time while eight are left.
    @inline(__always)
    static func digitsEnd(_ p: UnsafePointer<UInt8>, _ start: Int, _ stop: Int) -> Int {
        var j = start
        let raw = UnsafeRawPointer(p)
        while j &+ 8 <= stop {
            let n = digitRun(raw.loadUnaligned(fromByteOffset: j, as: UInt64.self))
            j &+= n
            if n < 8 { return j }
        }
        while j < stop && ASCII.isDigit(p[j]) { j &+= 1 }
        return j
    }

    /// How many of the eight bytes of `w`, from the first (lowest), are ASCII digits before another byte.
    @inline(__always)
    static func digitRun(_ w: UInt64) -> Int {
        // With the top bits cleared no byte carries into the next: bit 7 of each byte of the sums says
        // `byte >= '0'` and `byte > '9'`; a byte with its top bit set is not a digit.
        let low = w & 0x7F7F_7F7F_7F7F_7F7F
        let digit = (low &+ 0x5050_5050_5050_5050) & ~(low &+ 0x4646_4646_4646_4646) & ~w & 0x8080_8080_8080_8080
        return (~digit & 0x8080_8080_8080_8080).trailingZeroBitCount &>> 3
    }
}

/// A token's bytes `p[start..<end]` and whether a backslash escape was seen in them.
struct InfluxSpan: Equatable {
    var start: Int
    var end: Int
    var escaped: Bool
    var count: Int { end &- start }
}

/// A field value: what it is, its bytes `p[start..<end]` (a number with its suffix, a string with its
/// quotes) and what the tokenizer learned reading it.
struct InfluxValue: Equatable {
    enum Kind: Equatable { case float, int, uint, string, bool, openString }
    var kind: Kind
    var start: Int
    var end: Int
    /// A string with `\"` or `\\` in it.
    var escaped = false
    /// A string with a byte the caller's marks mark (see ``InfluxTokenizer/fieldValueText(marks:)``).
    var marked = false
    /// Numbers: a minus sign, digits before and after a point, a point, an exponent.
    var negative = false
    var intDigits = 0
    var fracDigits = 0
    var hasDot = false
    var hasExponent = false
    /// An integer's bit pattern, an unsigned value, 1 or 0 for a boolean, a float's digits as one
    /// integer (exact while there are at most 19 of them). Numbers read without values: 0.
    var bits: UInt64 = 0

    init(kind: Kind, start: Int, end: Int) {
        self.kind = kind
        self.start = start
        self.end = end
    }

    /// The float's value; throws when it is out of Double's range.
    @inline(__always)
    func double(_ p: UnsafePointer<UInt8>) throws(InfluxSyntaxError) -> Double {
        let value: Double
        if !hasExponent && intDigits + fracDigits <= 19, let v = GoNumber.exactDecimal(bits, exponent: -fracDigits) {
            // Up to 19 digits fit in UInt64: exact without a second pass over the bytes (leading
            // zeros add nothing; the decimals give the power of ten).
            value = negative ? -v : v
        } else {
            value = Self.parseDouble(p + start, end - start)
        }
        if !value.isFinite { throw InfluxSyntaxError(start, .floatOutOfRange) }
        return value
    }

    /// A float literal the tokenizer has validated, read by the shared Go reader; infinity for one
    /// out of range.
    static func parseDouble(_ p: UnsafePointer<UInt8>, _ n: Int) -> Double {
        switch GoNumber.parseFloat(UnsafeBufferPointer(start: p, count: n)) {
        case .value(let v): return v
        case .outOfRange: return p[0] == ASCII.minus ? -.infinity : .infinity
        case .invalid: return .nan
        }
    }
}

/// A timestamp's bytes and value, in the input's precision.
struct InfluxTimestamp: Equatable {
    var start: Int
    var end: Int
    var value: Int64
}

/// Where a record stops being line protocol (a byte offset in it) and why.
struct InfluxSyntaxError: Error, Equatable {
    enum Place: Equatable { case afterHeader, afterFieldValue }

    enum Reason: Equatable {
        case badEscape
        case expectedMeasurement
        case expectedTagKey
        case expectedTagValue
        case expectedEqualsAfterTagKey
        case equalsInTagValue
        case expectedFields
        case unexpected(UInt8, Place)
        case expectedFieldKey
        case expectedEqualsAfterFieldKey
        case expectedFieldValue
        case badStringEscape
        case badBoolean
        case invalidNumber
        case exponentWithoutDigits
        case digitsOnlyBeforeSuffix(unsigned: Bool, UInt8)
        case negativeUnsigned
        case leadingZero(unsigned: Bool)
        case integerOutOfRange(unsigned: Bool)
        case floatOutOfRange
        case invalidTimestamp
        case timestampOutOfRange
        case timestampOutOfRangeIn(TimestampPrecision)
        case textAfterTimestamp
    }

    var offset: Int
    var reason: Reason

    init(_ offset: Int, _ reason: Reason) {
        self.offset = offset
        self.reason = reason
    }

    /// What is wrong, as the parser reports it.
    var message: String {
        switch reason {
        case .badEscape: return "invalid escape: a backslash must be followed by a character"
        case .expectedMeasurement: return "expected measurement name"
        case .expectedTagKey: return "expected tag key"
        case .expectedTagValue: return "expected tag value"
        case .expectedEqualsAfterTagKey: return "expected '=' after tag key"
        case .equalsInTagValue: return "unexpected '=' in tag value (escape it as \\=)"
        case .expectedFields: return "expected fields"
        case .unexpected(let b, let place): return Self.unexpected(b, place == .afterHeader ? "after the measurement or tags" : "after a field value")
        case .expectedFieldKey: return "expected field key"
        case .expectedEqualsAfterFieldKey: return "expected '=' after field key"
        case .expectedFieldValue: return "expected field value"
        case .badStringEscape: return "invalid escape in string: only \\\" and \\\\ are allowed"
        case .badBoolean: return "invalid boolean (use t, T, true, True, TRUE, f, F, false, False or FALSE)"
        case .invalidNumber: return "invalid number"
        case .exponentWithoutDigits: return "invalid number: exponent without digits"
        case .digitsOnlyBeforeSuffix(let unsigned, let suffix):
            return "\(Self.integerKind(unsigned)): digits only before '\(Character(Unicode.Scalar(suffix)))'"
        case .negativeUnsigned: return "\(Self.integerKind(true)): negative"
        case .leadingZero(let unsigned): return "\(Self.integerKind(unsigned)): leading zero"
        case .integerOutOfRange(let unsigned): return "\(Self.integerKind(unsigned)): out of range"
        case .floatOutOfRange: return "invalid float: out of range"
        case .invalidTimestamp: return "invalid timestamp"
        case .timestampOutOfRange: return "invalid timestamp: out of range"
        case .timestampOutOfRangeIn(let precision): return "invalid timestamp: out of range in \(precision.rawValue)"
        case .textAfterTimestamp: return "unexpected text after the timestamp"
        }
    }

    static func integerKind(_ unsigned: Bool) -> String { unsigned ? "invalid unsigned integer" : "invalid integer" }

    static func unexpected(_ b: UInt8, _ place: String) -> String {
        if b == ASCII.cr { return "unexpected carriage return \(place) (a lone \\r does not end a line)" }
        if b == ASCII.newline { return "unexpected newline \(place)" }
        if b == ASCII.equals { return "unexpected '=' \(place) (escape it as \\=)" }
        if b >= 0x20 && b < 0x7F { return "unexpected '\(Character(Unicode.Scalar(b)))' \(place)" }
        return "unexpected byte 0x\(String(b, radix: 16)) \(place)"
    }
}
