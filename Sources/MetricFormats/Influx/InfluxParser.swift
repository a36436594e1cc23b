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

/// Streaming parser of InfluxDB line protocol with the rules of Telegraf's default ("internal") parser.
///
/// One pass over the bytes of each line; a String is made once per token, and unescaping copies only
/// when the token had an escape. A string field may hold raw newlines: when a line ends inside one,
/// the record is kept (bounded by `maxLineBytes`) and completed by the next lines.
///
///     var parser = try InfluxParser(options: FormatOptions())
///     parser.parse(text: Array("cpu,host=a usage=0.5,n=3i 1700000000000000000\n".utf8), into: collector)
///
/// A bad line is reported with the line and the 1-based byte column of the offending byte, and skipped.
public struct InfluxParser: MetricParser {
    let precision: TimestampPrecision
    let defaultTags: [Tag]
    let maxRecordBytes: Int

    /// The metric being built; its arrays keep their capacity from line to line.
    var metric = Metric(name: "")
    /// The key of the field whose value is being read (kept across lines inside a string).
    var fieldKey = ""
    /// Scratch space for unescaping.
    var scratch: [UInt8] = []
    /// Strings of tokens seen on earlier lines.
    let tokens = ByteCache.tokens()
    /// Headers (measurement and tags) seen on earlier lines.
    let headers = InfluxHeaderCache()
    /// The cache slot of the record's header, when it has one (else -1): it predicts the field keys.
    var headerSlot = -1
    /// Start and end (the `=`) of each field key of the record, to learn a new prediction.
    let fieldKeySpans = InfluxKeySpans()
    /// The byte classes, read once (a static is reached through a once-check on every use).
    let byteClass = InfluxByteClass.table
    /// Every field key so far was predicted and the prediction has no repeats: no repeat check.
    var keysDistinct = false
    /// Fields of the record so far: `metric.fields` keeps the previous record's beyond this, which
    /// are overwritten in place (cheaper than emptying the array per line) and trimmed in `emit`.
    var fieldCount = 0
    /// Positions of the field keys of a record with many fields.
    var fieldPositions = KeyPositions()

    // A record whose string field spans lines.
    var pending: [UInt8] = []
    /// Offsets in `pending` where each of its lines starts.
    var pendingLineStarts: [Int] = []
    var pendingFirstLine = 0
    /// Offset of the opening quote of the unfinished string.
    var pendingQuote = 0
    /// Where the search for the closing quote goes on.
    var pendingScan = 0
    var isPending = false

    /// Line number of the line being parsed (of the first line of a multi-line record).
    var lineNumber = 0
    /// True while parsing `pending`: positions are mapped through `pendingLineStarts`.
    var multiLine = false
    /// The tags so far are strictly increasing by key (no sort needed).
    var tagsInOrder = true
    /// The last tag token had an escape (its raw bytes do not order like its text).
    var lastTokenEscaped = false

    public init(options: FormatOptions) throws(FormatError) {
        precision = options.influx.precision
        defaultTags = options.defaultTags
        maxRecordBytes = options.maxLineBytes
        metric.tags.reserveCapacity(8)
        metric.fields.reserveCapacity(8)
    }

    public mutating func parse(line: UnsafeBufferPointer<UInt8>, number: Int, into handler: MetricHandler) {
        if isPending {
            continuePending(line, number: number, handler)
            return
        }
        guard let base = line.baseAddress, line.count > 0 else { return }
        // Between records no slot number is held: the header cache may grow here.
        if headers.shouldGrow {
            headers.grow()
            headerSlot = -1
        }
        lineNumber = number
        multiLine = false
        if let quote = parseRecord(base, line.count, resumeAt: nil, handler) {
            // The line ends inside a string: keep it and wait for the rest.
            pending.removeAll(keepingCapacity: true)
            pending.append(contentsOf: line)
            pendingLineStarts.removeAll(keepingCapacity: true)
            pendingLineStarts.append(0)
            pendingFirstLine = number
            pendingQuote = quote
            pending.append(ASCII.newline)
            pendingLineStarts.append(pending.count)
            pendingScan = pending.count
            isPending = true
            if pending.count > maxRecordBytes {
                report(handler, line: number, column: line.count + 1, "line longer than \(maxRecordBytes) bytes inside a string field: skipped")
                dropPending()
            }
        }
    }

    public var isBetweenRecords: Bool { !isPending }

    public mutating func finish(into handler: MetricHandler) {
        if isPending {
            multiLine = true
            reportAt(handler, pendingQuote, "unterminated string")
            dropPending()
        }
    }

    mutating func dropPending() {
        isPending = false
        multiLine = false
        pending.removeAll(keepingCapacity: true)
        pendingLineStarts.removeAll(keepingCapacity: true)
    }

    /// Adds one more line to a record whose string field is still open.
    mutating func continuePending(_ line: UnsafeBufferPointer<UInt8>, number: Int, _ handler: MetricHandler) {
        if pending.count + line.count > maxRecordBytes {
            let column = max(1, maxRecordBytes - pending.count + 1)
            report(handler, line: number, column: column, "line longer than \(maxRecordBytes) bytes inside a string field: skipped")
            dropPending()
            return
        }
        pending.append(contentsOf: line)
        multiLine = true
        lineNumber = pendingFirstLine
        // Look for the closing quote in the new bytes only.
        var closed = false
        var failed = false
        pending.withUnsafeBufferPointer { buf in
            let p = buf.baseAddress!
            let end = buf.count
            var j = pendingScan
            while j < end {
                let b = p[j]
                if b == ASCII.quote {
                    closed = true
                    break
                }
                if b == ASCII.backslash {
                    if j + 1 < end, p[j + 1] == ASCII.quote || p[j + 1] == ASCII.backslash {
                        j += 2
                        continue
                    }
                    failed = true
                    pendingScan = j
                    break
                }
                j += 1
            }
            if !closed && !failed { pendingScan = end }
        }
        if failed {
            reportAt(handler, pendingScan, "invalid escape in string: only \\\" and \\\\ are allowed")
            dropPending()
            return
        }
        if !closed {
            pending.append(ASCII.newline)
            pendingLineStarts.append(pending.count)
            pendingScan = pending.count
            return
        }
        // The string is complete: go on with the record from its opening quote.
        var buffer: [UInt8] = []
        swap(&buffer, &pending)
        let suspended = buffer.withUnsafeBufferPointer { buf in
            parseRecord(buf.baseAddress!, buf.count, resumeAt: pendingQuote, handler)
        }
        swap(&buffer, &pending)
        if let quote = suspended {
            pendingQuote = quote
            pending.append(ASCII.newline)
            pendingLineStarts.append(pending.count)
            pendingScan = pending.count
        } else {
            dropPending()
        }
    }

    // MARK: - Positions and errors

    func report(_ handler: MetricHandler, line: Int, column: Int, _ message: String) {
        handler.report(.error(line: line, column: column, message))
    }

    /// Reports `message` at byte `offset` of the record being parsed.
    func reportAt(_ handler: MetricHandler, _ offset: Int, _ message: String) {
        if !multiLine {
            handler.report(.error(line: lineNumber, column: offset + 1, message))
            return
        }
        var index = pendingLineStarts.count - 1
        while index > 0 && pendingLineStarts[index] > offset { index -= 1 }
        handler.report(.error(line: pendingFirstLine + index, column: offset - pendingLineStarts[index] + 1, message))
    }

    // MARK: - The record

    /// Parses one record in `p[0..<end]`, from the start or, with `resumeAt`, from the opening quote of
    /// a string field whose metric and key are already in `metric` and `fieldKey`.
    /// - Returns: the offset of the opening quote when the bytes end inside a string field.
    mutating func parseRecord(_ p: UnsafePointer<UInt8>, _ end: Int, resumeAt: Int?, _ handler: MetricHandler) -> Int? {
        // A CR before the (removed) LF ends the line; anywhere else outside a string it is an error.
        let stop = p[end - 1] == ASCII.cr ? end - 1 : end
        var i: Int
        if let resumeAt {
            i = resumeAt
        } else {
            i = 0
            while i < stop, Self.isSpace(p[i]) { i += 1 }
            if i == stop || p[i] == ASCII.hash { return nil }  // blank line or comment
            fieldCount = 0
            fieldPositions.reset()
            metric.timestamp = nil
            headerSlot = -1
            // A header seen before (without escapes) comes from the cache, tags and all.
            let headerStart = i
            if let headerEnd = InfluxHeaderCache.headerEnd(p, i, stop, byteClass), headerEnd - headerStart <= InfluxHeaderCache.maxHeaderBytes,
                headerEnd > headerStart
            {
                let slot = headers.slot(of: p + headerStart, headerEnd - headerStart)
                let hit = headers.lookup(slot, p + headerStart, headerEnd - headerStart)
                if hit >= 0 {
                    metric.name = headers.names[hit]
                    metric.tags = headers.tags[hit]
                    tagsInOrder = headers.tagsInOrder[hit]
                    headerSlot = hit
                    i = headerEnd
                } else {
                    metric.tags.removeAll(keepingCapacity: true)
                    guard parseHeader(p, stop, &i, handler) else { return nil }
                    if i == headerEnd {
                        headers.store(slot, p + headerStart, headerEnd - headerStart, name: metric.name, tags: metric.tags, tagsInOrder: tagsInOrder)
                        headerSlot = slot
                    }
                }
            } else {
                metric.tags.removeAll(keepingCapacity: true)
                guard parseHeader(p, stop, &i, handler) else { return nil }
            }
            // Fields need at least one whitespace byte before them.
            if i == stop {
                reportAt(handler, i, "expected fields")
                return nil
            }
            if !Self.isSpace(p[i]) {
                reportAt(handler, i, unexpected(p[i], "after the measurement or tags"))
                return nil
            }
            while i < stop, Self.isSpace(p[i]) { i += 1 }
            if i == stop {
                reportAt(handler, i, "expected fields")
                return nil
            }
        }
        // Fields.
        var inValue = resumeAt != nil
        // Field keys are predicted from the last record of the same header: a key whose raw bytes and
        // `=` are where the prediction says takes the predicted String without a scan.
        let learning = resumeAt == nil ? headerSlot : -1
        let predictedCount = learning >= 0 ? headers.keyCount[learning] : -1
        let cacheSlot = max(learning, 0)
        let predictedBytes = headers.keyBytes + cacheSlot * InfluxHeaderCache.maxKeyBytes
        let predictedEnds = headers.keyEnds + cacheSlot * InfluxHeaderCache.maxKeys
        let predictedKeys = headers.keyStrings + cacheSlot * InfluxHeaderCache.maxKeys
        var fieldNumber = 0
        var allPredicted = predictedCount >= 0
        var distinct = predictedCount >= 0 && headers.keysDistinct[cacheSlot]
        if resumeAt != nil { keysDistinct = false }
        while true {
            if !inValue {
                let keyStart = i
                var predicted = false
                if allPredicted, fieldNumber < predictedCount {
                    let from = fieldNumber == 0 ? 0 : predictedEnds[fieldNumber - 1]
                    let n = predictedEnds[fieldNumber] - from
                    if i + n < stop && p[i + n] == ASCII.equals
                        && InfluxParser.sameKey(predictedBytes + from, p + i, n, readable: end - i)
                    {
                        fieldKey = predictedKeys[fieldNumber]
                        i += n + 1
                        predicted = true
                    }
                }
                if !predicted {
                    allPredicted = false
                    distinct = false
                    guard parseFieldKey(p, stop, &i, handler) else { return nil }
                }
                // Keys known to differ from every earlier key of the record skip the repeat check.
                keysDistinct = distinct
                if learning >= 0 && fieldNumber < InfluxKeySpans.capacity {
                    fieldKeySpans.base[2 &* fieldNumber] = keyStart
                    fieldKeySpans.base[2 &* fieldNumber &+ 1] = i - 1  // the `=`
                }
                fieldNumber += 1
            }
            inValue = false
            if i == stop {
                reportAt(handler, i, "expected field value")
                return nil
            }
            let b = p[i]
            if b == ASCII.quote {
                switch parseString(p, end, &i, handler) {
                case .failed: return nil
                case .open: return i
                case .done: break
                }
            } else if b == ASCII.minus || b == ASCII.dot || ASCII.isDigit(b) {
                guard parseNumber(p, stop, &i, handler) else { return nil }
            } else if b == UInt8(ascii: "t") || b == UInt8(ascii: "T") || b == UInt8(ascii: "f") || b == UInt8(ascii: "F") {
                guard parseBool(p, stop, &i, handler) else { return nil }
            } else {
                reportAt(handler, i, "expected field value")
                return nil
            }
            if i == stop { break }
            let c = p[i]
            if c == ASCII.comma {
                i += 1
                continue
            }
            if Self.isSpace(c) { break }
            reportAt(handler, i, unexpected(c, "after a field value"))
            return nil
        }
        // Optional timestamp, optional trailing whitespace.
        while i < stop, Self.isSpace(p[i]) { i += 1 }
        if i < stop {
            guard parseTimestamp(p, stop, &i, handler) else { return nil }
            while i < stop, Self.isSpace(p[i]) { i += 1 }
            if i < stop {
                reportAt(handler, i, "unexpected text after the timestamp")
                return nil
            }
        }
        if learning >= 0, fieldNumber <= InfluxKeySpans.capacity, !(allPredicted && fieldNumber == predictedCount) {
            learnFieldKeys(p, learning, fieldNumber)
        }
        emit(handler)
        return nil
    }

    /// Keeps the field keys of the record just parsed (spans in `fieldKeySpans`) as the prediction
    /// for the next record with the header in cache slot `slot`; too many or too long: no prediction.
    mutating func learnFieldKeys(_ p: UnsafePointer<UInt8>, _ slot: Int, _ count: Int) {
        let spans = fieldKeySpans.base
        var total = 0
        for k in 0..<min(count, InfluxHeaderCache.maxKeys) { total += spans[2 * k + 1] - spans[2 * k] }
        guard count > 0, count <= InfluxHeaderCache.maxKeys, total <= InfluxHeaderCache.maxKeyBytes else {
            headers.keyCount[slot] = -1
            return
        }
        let bytes = headers.keyBytes + slot * InfluxHeaderCache.maxKeyBytes
        let ends = headers.keyEnds + slot * InfluxHeaderCache.maxKeys
        let keys = headers.keyStrings + slot * InfluxHeaderCache.maxKeys
        var used = 0
        for k in 0..<count {
            let start = spans[2 * k]
            let end = spans[2 * k + 1]
            (bytes + used).update(from: p + start, count: end - start)
            used += end - start
            ends[k] = used
            var escaped = false
            for j in start..<end where p[j] == ASCII.backslash {
                escaped = true
                break
            }
            keys[k] = escaped ? unescapeKey(p, start, end) : tokens.string(p + start, end - start)
        }
        var distinct = true
        for a in 0..<count where distinct {
            for b in (a + 1)..<count where keys[a] == keys[b] {
                distinct = false
                break
            }
        }
        headers.keyCount[slot] = count
        headers.keysDistinct[slot] = distinct
    }

    mutating func emit(_ handler: MetricHandler) {
        for tag in defaultTags where !metric.tags.contains(where: { $0.key == tag.key }) {
            metric.tags.append(tag)
            tagsInOrder = false
        }
        if !tagsInOrder { metric.sortTags() }
        if metric.fields.count > fieldCount { metric.fields.removeLast(metric.fields.count - fieldCount) }
        handler.handle(metric)
    }

    @inline(__always) static func isSpace(_ b: UInt8) -> Bool {
        b == ASCII.space || b == ASCII.tab || b == ASCII.verticalTab || b == ASCII.formFeed
    }

    /// A byte that ends a measurement, tag or field key token: space, tab, LF, FF, CR and comma.
    @inline(__always) func isTokenEnd(_ b: UInt8) -> Bool {
        b == ASCII.space || b == ASCII.comma || b == ASCII.tab || b == ASCII.newline || b == ASCII.formFeed || b == ASCII.cr
    }

    /// Bytes a backslash may not escape in names and keys (they end the line or the token).
    @inline(__always) func isUnescapable(_ b: UInt8) -> Bool {
        b == ASCII.tab || b == ASCII.newline || b == ASCII.formFeed || b == ASCII.cr
    }

    func unexpected(_ b: UInt8, _ place: String) -> String {
        if b == ASCII.cr { return "unexpected carriage return \(place) (a lone \\r does not end a line)" }
        if b == ASCII.newline { return "unexpected newline \(place)" }
        if b == ASCII.equals { return "unexpected '=' \(place) (escape it as \\=)" }
        if b >= 0x20 && b < 0x7F { return "unexpected '\(Character(Unicode.Scalar(b)))' \(place)" }
        return "unexpected byte 0x\(String(b, radix: 16)) \(place)"
    }

    // MARK: - Measurement and tags

    /// Reads the measurement and the tag set; leaves `i` on the byte after them.
    mutating func parseHeader(_ p: UnsafePointer<UInt8>, _ stop: Int, _ index: inout Int, _ handler: MetricHandler) -> Bool {
        var i = index
        let start = i
        var escaped = false
        let cls = InfluxByteClass.table
        while i < stop {
            let c = cls[Int(p[i])]
            if c & (InfluxByteClass.end | InfluxByteClass.backslash) == 0 {
                i += 1
                continue
            }
            if c & InfluxByteClass.end != 0 { break }
            if i + 1 >= stop || isUnescapable(p[i + 1]) {
                reportAt(handler, i, "invalid escape: a backslash must be followed by a character")
                return false
            }
            escaped = true
            i += 2
        }
        if i == start {
            reportAt(handler, i, "expected measurement name")
            return false
        }
        metric.name = escaped ? unescapeName(p, start, i) : tokens.string(p + start, i - start)

        // Tags usually come sorted: compare raw keys as they go by, so sorting runs only when needed.
        tagsInOrder = true
        var previousKey = 0
        var previousKeyCount = -1
        while i < stop && p[i] == ASCII.comma {
            i += 1
            let keyStart = i
            guard let key = tagToken(p, stop, &i, handler, what: "tag key") else { return false }
            if tagsInOrder {
                let count = i - keyStart
                if lastTokenEscaped {
                    tagsInOrder = false
                } else if previousKeyCount >= 0 {
                    let order = memcmp(p + previousKey, p + keyStart, min(previousKeyCount, count))
                    if order > 0 || (order == 0 && previousKeyCount >= count) { tagsInOrder = false }
                }
                previousKey = keyStart
                previousKeyCount = count
            }
            if i == stop || p[i] != ASCII.equals {
                reportAt(handler, i, "expected '=' after tag key")
                return false
            }
            i += 1
            guard let value = tagToken(p, stop, &i, handler, what: "tag value") else { return false }
            if i < stop && p[i] == ASCII.equals {
                reportAt(handler, i, "unexpected '=' in tag value (escape it as \\=)")
                return false
            }
            metric.tags.append(Tag(key, value))
        }
        index = i
        return true
    }

    /// A tag key or value: `\` escapes the next byte, except that `\\` leaves the second backslash to
    /// escape what follows (Telegraf's rule, so a tag can never end with a backslash).
    mutating func tagToken(_ p: UnsafePointer<UInt8>, _ stop: Int, _ index: inout Int, _ handler: MetricHandler, what: StaticString) -> String? {
        // A local copy of the position stays in a register through the loop.
        var i = index
        let start = i
        var escaped = false
        let cls = InfluxByteClass.table
        let stopMask = InfluxByteClass.end | InfluxByteClass.equals | InfluxByteClass.backslash
        while i < stop {
            let c = cls[Int(p[i])]
            if c & stopMask == 0 {
                i += 1
                continue
            }
            if c & InfluxByteClass.backslash == 0 { break }
            if i + 1 >= stop || isUnescapable(p[i + 1]) {
                reportAt(handler, i, "invalid escape: a backslash must be followed by a character")
                return nil
            }
            escaped = true
            i += p[i + 1] == ASCII.backslash ? 1 : 2
        }
        if i == start {
            reportAt(handler, i, "expected \(what)")
            return nil
        }
        lastTokenEscaped = escaped
        index = i
        return escaped ? unescapeKey(p, start, i) : tokens.string(p + start, i - start)
    }

    /// Reads `key=` of a field into `fieldKey`; leaves `i` on the value.
    mutating func parseFieldKey(_ p: UnsafePointer<UInt8>, _ stop: Int, _ index: inout Int, _ handler: MetricHandler) -> Bool {
        var i = index
        let start = i
        var escaped = false
        let cls = InfluxByteClass.table
        let stopMask = InfluxByteClass.end | InfluxByteClass.equals | InfluxByteClass.backslash
        while i < stop {
            let c = cls[Int(p[i])]
            if c & stopMask == 0 {
                i += 1
                continue
            }
            if c & InfluxByteClass.backslash == 0 { break }
            if i + 1 >= stop || isUnescapable(p[i + 1]) {
                reportAt(handler, i, "invalid escape: a backslash must be followed by a character")
                return false
            }
            escaped = true
            i += 2
        }
        if i == start {
            reportAt(handler, i, "expected field key")
            return false
        }
        if i == stop || p[i] != ASCII.equals {
            reportAt(handler, i, "expected '=' after field key")
            return false
        }
        fieldKey = escaped ? unescapeKey(p, start, i) : tokens.string(p + start, i - start)
        index = i + 1
        return true
    }

    /// Sets field `fieldKey`; a repeated key keeps its first position and takes the last value.
    @inline(__always) mutating func addField(_ value: FieldValue) {
        if !keysDistinct {
            if fieldCount <= KeyPositions.linearLimit {
                let count = fieldKey.utf8.count
                for k in 0..<fieldCount where metric.fields[k].key.utf8.count == count && metric.fields[k].key == fieldKey {
                    metric.fields[k].value = value
                    return
                }
            } else if replaceRepeatedField(value) {
                return
            }
        }
        if fieldCount < metric.fields.count {
            metric.fields[fieldCount] = Field(fieldKey, value)
        } else {
            metric.fields.append(Field(fieldKey, value))
        }
        fieldCount += 1
    }

    /// The repeat check of ``addField(_:)`` past a few fields, out of line so that the usual record
    /// keeps the short inline scan: true when `fieldKey` was there and took `value`.
    @inline(never) mutating func replaceRepeatedField(_ value: FieldValue) -> Bool {
        guard let k = fieldPositions.find(fieldKey, count: fieldCount, keyAt: { metric.fields[$0].key }) else { return false }
        metric.fields[k].value = value
        return true
    }

    // MARK: - Unescaping

    /// Measurement: only `\,` and `\ ` lose their backslash (`cpu\\` and `c\pu` stay as they are).
    mutating func unescapeName(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> String {
        scratch.removeAll(keepingCapacity: true)
        var k = start
        while k < end {
            let b = p[k]
            if b == ASCII.backslash && k + 1 < end && (p[k + 1] == ASCII.comma || p[k + 1] == ASCII.space) {
                scratch.append(p[k + 1])
                k += 2
            } else {
                scratch.append(b)
                k += 1
            }
        }
        return String(decoding: scratch, as: UTF8.self)
    }

    /// Tag keys, tag values and field keys: `\,` `\ ` `\=` `\"` lose their backslash, but only when the
    /// token holds a space, comma or `=` (Telegraf's quirk: `ho\"st` stays as it is).
    mutating func unescapeKey(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> String {
        var special = false
        for k in start..<end where p[k] == ASCII.space || p[k] == ASCII.comma || p[k] == ASCII.equals {
            special = true
            break
        }
        if !special {
            return tokens.string(p + start, end - start)
        }
        scratch.removeAll(keepingCapacity: true)
        var k = start
        while k < end {
            let b = p[k]
            if b == ASCII.backslash && k + 1 < end {
                let n = p[k + 1]
                if n == ASCII.comma || n == ASCII.space || n == ASCII.equals || n == ASCII.quote {
                    scratch.append(n)
                    k += 2
                    continue
                }
            }
            scratch.append(b)
            k += 1
        }
        return String(decoding: scratch, as: UTF8.self)
    }

    // MARK: - Values

    enum StringOutcome { case done, open, failed }

    /// A quoted string from the quote at `i`; only `\"` and `\\` are escapes, raw newlines are content.
    mutating func parseString(_ p: UnsafePointer<UInt8>, _ end: Int, _ i: inout Int, _ handler: MetricHandler) -> StringOutcome {
        let quote = i
        var j = i + 1
        var escaped = false
        while j < end {
            let b = p[j]
            if b == ASCII.quote { break }
            if b == ASCII.backslash {
                if j + 1 < end && (p[j + 1] == ASCII.quote || p[j + 1] == ASCII.backslash) {
                    escaped = true
                    j += 2
                    continue
                }
                reportAt(handler, j, "invalid escape in string: only \\\" and \\\\ are allowed")
                return .failed
            }
            j += 1
        }
        if j >= end { return .open }
        let value: String
        if escaped {
            scratch.removeAll(keepingCapacity: true)
            var k = quote + 1
            while k < j {
                if p[k] == ASCII.backslash { k += 1 }
                scratch.append(p[k])
                k += 1
            }
            value = String(decoding: scratch, as: UTF8.self)
        } else {
            value = String(decoding: UnsafeBufferPointer(start: p + quote + 1, count: j - quote - 1), as: UTF8.self)
        }
        addField(.string(value))
        i = j + 1
        return .done
    }

    /// `t T true True TRUE f F false False FALSE`.
    mutating func parseBool(_ p: UnsafePointer<UInt8>, _ stop: Int, _ i: inout Int, _ handler: MetricHandler) -> Bool {
        let start = i
        var j = i
        while j < stop, !Self.isSpace(p[j]), p[j] != ASCII.comma { j += 1 }
        guard let value = InfluxParser.boolValue(p + start, j - start) else {
            reportAt(handler, start, "invalid boolean (use t, T, true, True, TRUE, f, F, false, False or FALSE)")
            return false
        }
        addField(.bool(value))
        i = j
        return true
    }

    /// The value of a boolean token of `n` bytes (starting with t, T, f or F), nil for another spelling.
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
    mutating func parseNumber(_ p: UnsafePointer<UInt8>, _ stop: Int, _ i: inout Int, _ handler: MetricHandler) -> Bool {
        let start = i
        var j = i
        let negative = p[j] == ASCII.minus
        if negative { j += 1 }
        let intStart = j
        // One pass reads the digits and their value (exact while there are at most 19 of them):
        // metric values are short, so a byte loop beats finding the run first and reading it again.
        var mantissa: UInt64 = 0
        InfluxParser.readDigits(p, &j, stop, into: &mantissa)
        let intDigits = j - intStart
        var fracDigits = 0
        var hasDot = false
        if j < stop && p[j] == ASCII.dot {
            hasDot = true
            j += 1
            let fracStart = j
            InfluxParser.readDigits(p, &j, stop, into: &mantissa)
            fracDigits = j - fracStart
        }
        if intDigits == 0 && fracDigits == 0 {
            reportAt(handler, j, "invalid number")
            return false
        }
        var hasExponent = false
        if j < stop && (p[j] == UInt8(ascii: "e") || p[j] == UInt8(ascii: "E")) {
            hasExponent = true
            j += 1
            if j < stop && (p[j] == ASCII.plus || p[j] == ASCII.minus) { j += 1 }
            let expStart = j
            while j < stop, ASCII.isDigit(p[j]) { j += 1 }
            if j == expStart {
                reportAt(handler, j, "invalid number: exponent without digits")
                return false
            }
        }
        let suffix: UInt8 = j < stop ? p[j] : 0
        if suffix == UInt8(ascii: "i") || suffix == UInt8(ascii: "u") {
            let unsigned = suffix == UInt8(ascii: "u")
            // Made only for an error: building it on every integer costs a String release.
            var kind: String { unsigned ? "invalid unsigned integer" : "invalid integer" }
            if hasDot || hasExponent || intDigits == 0 {
                reportAt(handler, start, "\(kind): digits only before '\(Character(Unicode.Scalar(suffix)))'")
                return false
            }
            if unsigned && negative {
                reportAt(handler, start, "\(kind): negative")
                return false
            }
            if intDigits > 1 && p[intStart] == ASCII.zero {
                reportAt(handler, start, "\(kind): leading zero")
                return false
            }
            guard j + 1 == stop || Self.isSpace(p[j + 1]) || p[j + 1] == ASCII.comma else {
                reportAt(handler, j + 1, p[j + 1] == ASCII.cr ? unexpected(ASCII.cr, "after a field value") : "invalid number")
                return false
            }
            let (magnitude, overflow) = intDigits <= 19 ? (mantissa, false) : InfluxParser.digits(p, intStart, j)
            if unsigned {
                if overflow {
                    reportAt(handler, start, "\(kind): out of range")
                    return false
                }
                addField(.uint(magnitude))
            } else {
                let limit: UInt64 = negative ? UInt64(Int64.max) + 1 : UInt64(Int64.max)
                if overflow || magnitude > limit {
                    reportAt(handler, start, "\(kind): out of range")
                    return false
                }
                addField(.int(negative ? Int64(bitPattern: 0 &- magnitude) : Int64(magnitude)))
            }
            i = j + 1
            return true
        }
        guard j == stop || Self.isSpace(p[j]) || p[j] == ASCII.comma else {
            reportAt(handler, j, p[j] == ASCII.cr ? unexpected(ASCII.cr, "after a field value") : "invalid number")
            return false
        }
        let value: Double
        if !hasExponent && intDigits + fracDigits <= 19 {
            // Up to 19 digits fit in UInt64: the same exact path as parseDouble without a second
            // byte-by-byte pass (leading zeros add nothing; the decimals give the power of ten).
            if let v = GoNumber.exactDecimal(mantissa, exponent: -fracDigits) {
                value = negative ? -v : v
            } else {
                value = InfluxParser.parseDouble(p + start, j - start)
            }
        } else {
            value = InfluxParser.parseDouble(p + start, j - start)
        }
        if !value.isFinite {
            reportAt(handler, start, "invalid float: out of range")
            return false
        }
        addField(.float(value))
        i = j
        return true
    }

    /// Byte equality of a predicted key (in the header cache, readable eight bytes past any key) and
    /// the line's `n` bytes at `b`: a short key with eight readable line bytes is one masked compare.
    @inline(__always)
    static func sameKey(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ n: Int, readable: Int) -> Bool {
        if n < 8 && readable >= 8 {
            let x = UnsafeRawPointer(a).loadUnaligned(as: UInt64.self) ^ UnsafeRawPointer(b).loadUnaligned(as: UInt64.self)
            return x & ((1 &<< UInt64(8 &* n)) &- 1) == 0
        }
        return UnsafeRawPointer(a).sameBytes(as: UnsafeRawPointer(b), count: n)
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

    /// Reads the ASCII digits from `p[j]` on into `value` (ten times it plus each digit; it wraps
    /// past 19 digits, which callers check by the count) and leaves `j` after them.
    @inline(__always)
    static func readDigits(_ p: UnsafePointer<UInt8>, _ j: inout Int, _ stop: Int, into value: inout UInt64) {
        while j < stop {
            let d = p[j] &- ASCII.zero
            if d > 9 { break }
            value = value &* 10 &+ UInt64(d)
            j += 1
        }
    }

    /// A float literal the line-protocol scanner has validated, read by the shared Go reader;
    /// infinity for one out of range (the caller reports it).
    static func parseDouble(_ p: UnsafePointer<UInt8>, _ n: Int) -> Double {
        switch GoNumber.parseFloat(UnsafeBufferPointer(start: p, count: n)) {
        case .value(let v): return v
        case .outOfRange: return p[0] == ASCII.minus ? -.infinity : .infinity
        case .invalid: return .nan
        }
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

    /// `-?d{1,19}` in Int64 range, scaled by the precision.
    mutating func parseTimestamp(_ p: UnsafePointer<UInt8>, _ stop: Int, _ i: inout Int, _ handler: MetricHandler) -> Bool {
        let start = i
        var j = i
        let negative = p[j] == ASCII.minus
        if negative { j += 1 }
        let digitStart = j
        // A longer run than 19 digits is read again with overflow checks.
        var magnitude = InfluxParser.timestampDigits(p, &j, stop)
        var overflow = false
        if j - digitStart > 19 { (magnitude, overflow) = InfluxParser.digits(p, digitStart, j) }
        if j < stop && !Self.isSpace(p[j]) {
            reportAt(handler, j, "invalid timestamp")
            return false
        }
        if j == digitStart {
            reportAt(handler, j, "invalid timestamp")
            return false
        }
        let limit: UInt64 = negative ? UInt64(Int64.max) + 1 : UInt64(Int64.max)
        if overflow || j - digitStart > 19 || magnitude > limit {
            reportAt(handler, start, "invalid timestamp: out of range")
            return false
        }
        let value = negative ? Int64(bitPattern: 0 &- magnitude) : Int64(magnitude)
        guard let ns = precision.toNanoseconds(value) else {
            reportAt(handler, start, "invalid timestamp: out of range in \(precision.rawValue)")
            return false
        }
        metric.timestamp = ns
        i = j
        return true
    }
}
