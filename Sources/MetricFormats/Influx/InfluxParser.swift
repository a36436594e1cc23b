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
    /// The record's tags hold the default tags already (its header was kept in, or is now in, the
    /// header cache, which keeps the tags with the default tags merged and sorted).
    var defaultsMerged = false

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
            switch InfluxTokenizer.stringEnd(buf.baseAddress!, pendingScan, buf.count) {
            case .closed: closed = true
            case .badEscape(let j):
                failed = true
                pendingScan = j
            case .open: pendingScan = buf.count
            }
        }
        if failed {
            reportAt(handler, pendingScan, InfluxSyntaxError(pendingScan, .badStringEscape).message)
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
        var t = InfluxTokenizer(p, end, at: resumeAt ?? 0, byteClass: byteClass)
        // Field keys are predicted from the last record of the same header: a key whose raw bytes and
        // `=` are where the prediction says takes the predicted String without a scan.
        var learning = -1
        var fieldNumber = 0
        var allPredicted = false
        var predictedCount = -1
        do throws(InfluxSyntaxError) {
            if resumeAt == nil {
                guard t.startRecord() else { return nil }  // blank line or comment
                fieldCount = 0
                fieldPositions.reset()
                metric.timestamp = nil
                headerSlot = -1
                try readHeader(&t)
                // Fields need at least one whitespace byte before them.
                try t.fieldsStart()
            } else {
                keysDistinct = false
            }
            learning = resumeAt == nil ? headerSlot : -1
            predictedCount = learning >= 0 ? headers.cache[learning].keyCount : -1
            let cacheSlot = max(learning, 0)
            let predictedBytes = headers.keyBytes + cacheSlot * InfluxHeaderCache.maxKeyBytes
            let predictedEnds = headers.keyEnds + cacheSlot * InfluxHeaderCache.maxKeys
            let predictedKeys = headers.keyStrings + cacheSlot * InfluxHeaderCache.maxKeys
            allPredicted = predictedCount >= 0
            var distinct = predictedCount >= 0 && headers.cache[cacheSlot].keysDistinct
            var inValue = resumeAt != nil
            let stop = t.stop
            repeat {
                if !inValue {
                    let keyStart = t.position
                    var predicted = false
                    if allPredicted, fieldNumber < predictedCount {
                        let from = fieldNumber == 0 ? 0 : predictedEnds[fieldNumber - 1]
                        let n = predictedEnds[fieldNumber] - from
                        if keyStart + n < stop && p[keyStart + n] == ASCII.equals
                            && InfluxParser.sameKey(predictedBytes + from, p + keyStart, n, readable: end - keyStart)
                        {
                            fieldKey = predictedKeys[fieldNumber]
                            t.skipFieldKey(n)
                            predicted = true
                        }
                    }
                    if !predicted {
                        allPredicted = false
                        distinct = false
                        let key = try t.fieldKey()
                        fieldKey = key.escaped ? unescapeKey(p, key.start, key.end) : tokens.string(p + key.start, key.count)
                    }
                    // Keys known to differ from every earlier key of the record skip the repeat check.
                    keysDistinct = distinct
                    if learning >= 0 && fieldNumber < InfluxKeySpans.capacity {
                        fieldKeySpans.base[2 &* fieldNumber] = keyStart
                        fieldKeySpans.base[2 &* fieldNumber &+ 1] = t.position - 1  // the `=`
                    }
                    fieldNumber += 1
                }
                inValue = false
                let value = try t.fieldValue()
                switch value.kind {
                case .float: addField(.float(try value.double(p)))
                case .int: addField(.int(Int64(bitPattern: value.bits)))
                case .uint: addField(.uint(value.bits))
                case .bool: addField(.bool(value.bits != 0))
                case .string: addField(.string(stringText(p, value)))
                case .openString: return value.start
                }
            } while try t.nextField()
            if let time = try t.timestamp() {
                guard let ns = precision.toNanoseconds(time.value) else { throw InfluxSyntaxError(time.start, .timestampOutOfRangeIn(precision)) }
                metric.timestamp = ns
            }
        } catch {
            reportAt(handler, error.offset, error.message)
            return nil
        }
        if learning >= 0, fieldNumber <= InfluxKeySpans.capacity, !(allPredicted && fieldNumber == predictedCount) {
            learnFieldKeys(p, learning, fieldNumber)
        }
        emit(handler)
        return nil
    }

    /// The measurement and tags: from the header cache when these bytes (without escapes) were seen
    /// before, else read and, when they qualify, kept there.
    @inline(__always)
    mutating func readHeader(_ t: inout InfluxTokenizer) throws(InfluxSyntaxError) {
        let p = t.p
        let headerStart = t.position
        if let headerEnd = InfluxTokenizer.headerEnd(p, headerStart, t.stop, byteClass), headerEnd - headerStart <= InfluxHeaderCache.maxHeaderBytes,
            headerEnd > headerStart
        {
            let hash = ByteCache<InfluxHeaderCache.Entry>.hash(p + headerStart, headerEnd - headerStart)
            let hit = headers.find(p + headerStart, headerEnd - headerStart, hash: hash)
            if hit >= 0 {
                metric.name = headers.cache[hit].name
                metric.tags = headers.cache[hit].tags
                tagsInOrder = headers.cache[hit].tagsInOrder
                defaultsMerged = true
                headerSlot = hit
                t.position = headerEnd
            } else {
                metric.tags.removeAll(keepingCapacity: true)
                try parseHeader(&t)
                defaultsMerged = false
                if t.position == headerEnd {
                    // Kept with the default tags in place: a repeated header's tags need no copy or sort.
                    if !defaultTags.isEmpty {
                        mergeDefaultTags()
                        if !tagsInOrder { metric.sortTags() }
                        tagsInOrder = true
                    }
                    defaultsMerged = true
                    headerSlot = headers.store(
                        p + headerStart, headerEnd - headerStart, hash: hash, name: metric.name, tags: metric.tags, tagsInOrder: tagsInOrder)
                }
            }
        } else {
            metric.tags.removeAll(keepingCapacity: true)
            try parseHeader(&t)
            defaultsMerged = false
        }
    }

    /// Keeps the field keys of the record just parsed (spans in `fieldKeySpans`) as the prediction
    /// for the next record with the header in cache slot `slot`; too many or too long: no prediction.
    mutating func learnFieldKeys(_ p: UnsafePointer<UInt8>, _ slot: Int, _ count: Int) {
        let spans = fieldKeySpans.base
        var total = 0
        for k in 0..<min(count, InfluxHeaderCache.maxKeys) { total += spans[2 * k + 1] - spans[2 * k] }
        guard count > 0, count <= InfluxHeaderCache.maxKeys, total <= InfluxHeaderCache.maxKeyBytes else {
            headers.cache[slot].keyCount = -1
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
        headers.cache[slot].keyCount = count
        headers.cache[slot].keysDistinct = distinct
    }

    mutating func emit(_ handler: MetricHandler) {
        if !defaultsMerged { mergeDefaultTags() }
        if !tagsInOrder { metric.sortTags() }
        if metric.fields.count > fieldCount { metric.fields.removeLast(metric.fields.count - fieldCount) }
        handler.handle(metric)
    }

    /// Adds the default tags whose keys the record's tags lack (keys compared by their bytes).
    mutating func mergeDefaultTags() {
        for tag in defaultTags where !metric.tags.contains(where: { $0.key.hasSameBytes(as: tag.key) }) {
            metric.tags.append(tag)
            tagsInOrder = false
        }
    }

    @inline(__always) static func isSpace(_ b: UInt8) -> Bool { InfluxTokenizer.isSpace(b) }

    // MARK: - Measurement and tags

    /// Reads the measurement and the tag set into `metric`; leaves the tokenizer after them.
    mutating func parseHeader(_ t: inout InfluxTokenizer) throws(InfluxSyntaxError) {
        let p = t.p
        let name = try t.measurement()
        metric.name = name.escaped ? unescapeName(p, name.start, name.end) : tokens.string(p + name.start, name.count)

        // Tags usually come sorted: compare raw keys as they go by, so sorting runs only when needed.
        tagsInOrder = true
        var previousKey = 0
        var previousKeyCount = -1
        while let keySpan = try t.nextTagKey() {
            if tagsInOrder {
                let count = keySpan.count
                if keySpan.escaped {
                    tagsInOrder = false
                } else if previousKeyCount >= 0 {
                    let order = memcmp(p + previousKey, p + keySpan.start, min(previousKeyCount, count))
                    if order > 0 || (order == 0 && previousKeyCount >= count) { tagsInOrder = false }
                }
                previousKey = keySpan.start
                previousKeyCount = count
            }
            let valueSpan = try t.tagValue()
            let key = tagText(p, keySpan)
            metric.tags.append(Tag(key, tagText(p, valueSpan)))
        }
    }

    /// The String of a tag key or value.
    @inline(__always) mutating func tagText(_ p: UnsafePointer<UInt8>, _ span: InfluxSpan) -> String {
        span.escaped ? unescapeKey(p, span.start, span.end) : tokens.string(p + span.start, span.count)
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

    /// The text of a string field (its span includes the quotes): only `\"` and `\\` are escapes.
    @inline(__always) mutating func stringText(_ p: UnsafePointer<UInt8>, _ value: InfluxValue) -> String {
        let from = value.start + 1
        let to = value.end - 1
        if !value.escaped {
            return String(decoding: UnsafeBufferPointer(start: p + from, count: to - from), as: UTF8.self)
        }
        scratch.removeAll(keepingCapacity: true)
        var k = from
        while k < to {
            if p[k] == ASCII.backslash { k += 1 }
            scratch.append(p[k])
            k += 1
        }
        return String(decoding: scratch, as: UTF8.self)
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
}
