#if !METRICAT_ONE_MODULE
    import MetricCore
#endif

extension CSVParser {
    /// A `Label` cell read before: what ``CSVLabel/decode(_:)`` gave for it, and the tags as a row
    /// without a PID ends up with (default tags set, sorted), the same array each time, so that the
    /// serializer's series cache finds the series by the Strings' bits.
    struct DecodedLabel {
        var name = ""
        /// In label order, for the places.
        var tags: [Tag] = []
        var field = ""
        var finishedTags: [Tag] = []
    }

    /// `Label` cells of up to 256 bytes: 64 slots at first, up to 1,024 when a stream has more series
    /// than that.
    static func makeLabelCache() -> ByteCache<DecodedLabel> {
        ByteCache(ways: 4, setBits: 8, initialSetBits: 4, maxKeyBytes: 256, empty: DecodedLabel())
    }

    /// The common telemetry row, read straight from the line: four cells, none quoted but the
    /// `Label` (and that one without `""`), each value valid. True when the row was read and handed
    /// over; false, having done nothing, for anything else (a quote elsewhere, a repeated header,
    /// a bad value, a multi-line record, other options): then the record reader and
    /// ``handleTelemetry(_:_:)`` read the row, and report what is wrong, as they always did.
    mutating func readTelemetryDirectly(_ raw: UnsafeBufferPointer<UInt8>, number: Int, _ handler: MetricHandler) -> Bool {
        let line = raw.droppingTrailingCR()
        let n = line.count
        guard n > 0, !options.trimSpace, line[0] != options.comment else { return false }
        let d = options.delimiter
        let p = line.baseAddress!
        /// The end of the unquoted cell at `i` (at a delimiter or the line's end); nil on a quote.
        func unquoted(_ i: Int) -> Int? {
            var j = i
            while j < n {
                let c = p[j]
                if c == d { return j }
                if c == ASCII.quote { return nil }
                j += 1
            }
            return j
        }
        guard let timeEnd = unquoted(0), timeEnd < n else { return false }
        let valueStart = timeEnd + 1
        guard let valueEnd = unquoted(valueStart), valueEnd < n else { return false }
        let labelStart = valueEnd + 1
        var label = labelStart..<labelStart
        var labelEnd: Int
        if labelStart < n && p[labelStart] == ASCII.quote {
            var j = labelStart + 1
            while j < n && p[j] != ASCII.quote { j += 1 }
            guard j < n else { return false }
            label = (labelStart + 1)..<j
            labelEnd = j + 1
            guard labelEnd < n, p[labelEnd] == d else { return false }
        } else {
            guard let e = unquoted(labelStart), e < n else { return false }
            label = labelStart..<e
            labelEnd = e
        }
        let pidStart = labelEnd + 1
        guard let pidEnd = unquoted(pidStart), pidEnd == n else { return false }

        var timestamp: Int64? = nil
        if timeEnd > 0 {
            guard let ts = GoNumber.parseInt(UnsafeBufferPointer(start: p, count: timeEnd)).value else { return false }
            timestamp = ts
        }
        guard let value = GoNumber.parseFloat(UnsafeBufferPointer(start: p + valueStart, count: valueEnd - valueStart)).value else { return false }
        var pid: Int64? = nil
        if pidEnd > pidStart {
            guard let v = GoNumber.parseInt(UnsafeBufferPointer(start: p + pidStart, count: pidEnd - pidStart)).value else { return false }
            pid = v
        }
        let lp = p + label.lowerBound
        let ln = label.count
        let hash = ByteCache<DecodedLabel>.hash(lp, ln)
        var slot = labels.find(lp, ln, hash: hash)
        if slot < 0 {
            guard let decoded = try? CSVLabel.decode(String(decoding: UnsafeBufferPointer(start: lp, count: ln), as: UTF8.self)) else { return false }
            var entry = DecodedLabel(name: decoded.name, tags: decoded.tags, field: decoded.field)
            var finished = Metric(name: decoded.name, tags: decoded.tags)
            for t in defaultTags { finished.setTag(t.key, t.value) }
            finished.sortTags()
            entry.finishedTags = finished.tags
            slot = labels.insert(lp, ln, hash: hash, entry)
            if slot < 0 {
                emitTelemetry(entry, timestamp, value, pid, number, (timeEnd, valueStart, labelStart, pidStart), handler)
                return true
            }
        }
        emitTelemetry(labels[slot], timestamp, value, pid, number, (timeEnd, valueStart, labelStart, pidStart), handler)
        return true
    }

    /// The metric of a telemetry row and its places, as ``handleTelemetry(_:_:)`` makes them.
    private func emitTelemetry(
        _ label: DecodedLabel, _ timestamp: Int64?, _ value: Double, _ pid: Int64?, _ number: Int,
        _ starts: (time: Int, value: Int, label: Int, pid: Int), _ handler: MetricHandler
    ) {
        var metric = Metric(name: label.name, tags: label.finishedTags, fields: [Field(label.field, .float(value))], timestamp: timestamp)
        if let pid {
            metric.tags = label.tags
            metric.setTag("pid", String(pid))
            for t in defaultTags { metric.setTag(t.key, t.value) }
            metric.sortTags()
        }
        var places: [MetricOrigin.Place] = []
        places.reserveCapacity(4 + label.tags.count)
        places.append(MetricOrigin.Place(.timestamp, line: number, column: 1))
        places.append(MetricOrigin.Place(.field(label.field), line: number, column: starts.value + 1))
        places.append(MetricOrigin.Place(.name, line: number, column: starts.label + 1))
        for t in label.tags { places.append(MetricOrigin.Place(.tag(t.key), line: number, column: starts.label + 1)) }
        if pid != nil { places.append(MetricOrigin.Place(.tag("pid"), line: number, column: starts.pid + 1)) }
        handler.handle(metric, origin: MetricOrigin(line: number, places: places))
    }
}
