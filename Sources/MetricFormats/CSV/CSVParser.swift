#if !METRICAT_ONE_MODULE
    import MetricCore
#endif

/// Streaming CSV parser with two shapes, chosen by the first record of each input:
///
/// 1. The telemetry shape, header exactly `Timepoint,Measurement,Label,PID`: Timepoint is nanoseconds
///    since the epoch, Measurement a float, Label a metric's series key and field (see ``CSVLabel``),
///    PID the `pid` tag (an integer, or empty). It reads back what ``CSVSerializer`` writes.
/// 2. Anything else: generic, header-driven CSV as Telegraf's csv parser reads it (`csv_*` options in
///    ``CSVOptions``). Values are typed int, then float, then bool, else string, unless column types
///    are given. The name is `options.metricName` (default `csv`) or the measurement column.
///
/// Quoted fields may hold the delimiter, `""` and raw newlines: such a record is kept pending across
/// lines, bounded by `options.maxLineBytes`. A bad record is reported with its line and column and
/// skipped. At the end of each input the state resets, so the next file starts with its own header.
public struct CSVParser: MetricParser {
    enum Mode { case undecided, telemetry, generic }

    static let telemetryHeader = ["Timepoint", "Measurement", "Label", "PID"]

    let options: CSVOptions
    let metricName: String
    let defaultTags: [Tag]
    let headerRowCount: Int
    let tagColumns: Set<String>
    let skipValues: Set<String>
    var reader: CSVRecordReader
    var mode = Mode.undecided
    var skipRowsLeft: Int
    var headerRowsLeft: Int
    /// Column names after the skipped columns.
    var names: [String]
    /// The places of the current record's cells (reused from record to record).
    var places: [MetricOrigin.Place] = []
    /// What each named column is, worked out once the names are known.
    var roles: [Role] = []
    /// Telemetry `Label` cells seen recently, decoded (``readTelemetryDirectly(_:number:_:)``).
    let labels = CSVParser.makeLabelCache()
    /// Off in tests that check the direct reading of telemetry rows against the record reader.
    var readsDirectly = true

    enum Role { case ignored, tag, timestamp, measurement, field }

    public init(options: FormatOptions) throws(FormatError) {
        let csv = options.csv
        self.options = csv
        metricName = options.metricName ?? "csv"
        defaultTags = options.defaultTags
        if csv.timestampColumn != nil && csv.timestampFormat == nil {
            throw .invalidOption("--csv-timestamp-format", "required with --csv-timestamp-column (example: --csv-timestamp-format unix)")
        }
        let rows = csv.headerRowCount ?? (csv.columnNames.isEmpty ? 1 : 0)
        if rows == 0 && csv.columnNames.isEmpty {
            throw .invalidOption("--csv-column-names", "required when --csv-header-row-count is 0 (example: --csv-column-names time,host,value)")
        }
        headerRowCount = rows
        tagColumns = Set(csv.tagColumns)
        skipValues = Set(csv.skipValues)
        reader = CSVRecordReader(delimiter: csv.delimiter, comment: csv.comment, trimLeadingSpace: csv.trimSpace, maxRecordBytes: options.maxLineBytes)
        skipRowsLeft = csv.skipRows
        headerRowsLeft = rows
        names = rows == 0 ? csv.columnNames : []
    }

    public mutating func parse(line: UnsafeBufferPointer<UInt8>, number: Int, into handler: MetricHandler) {
        if skipRowsLeft > 0 && !reader.isPending {
            skipRowsLeft -= 1
            return
        }
        if mode == .telemetry && readsDirectly && !reader.isPending && readTelemetryDirectly(line, number: number, handler) { return }
        switch reader.feed(line, number: number) {
        case .none: return
        case .error(let l, let c, let message): handler.report(.error(line: l, column: c, message))
        case .record: handleRecord(handler)
        }
    }

    public mutating func finish(into handler: MetricHandler) {
        if case .error(let l, let c, let message) = reader.finish() {
            handler.report(.error(line: l, column: c, message))
        }
        // The next input starts over: skipped rows, its own header, its own shape.
        mode = .undecided
        skipRowsLeft = options.skipRows
        headerRowsLeft = headerRowCount
        names = headerRowCount == 0 ? options.columnNames : []
        roles = []
    }

    private mutating func handleRecord(_ handler: MetricHandler) {
        let record = reader.record
        switch mode {
        case .undecided:
            if record.fields == Self.telemetryHeader {
                mode = .telemetry
                return
            }
            mode = .generic
            handleGeneric(record, handler)
        case .telemetry:
            if record.fields == Self.telemetryHeader { return }  // concatenated files repeat it
            handleTelemetry(record, handler)
        case .generic:
            handleGeneric(record, handler)
        }
    }

    // MARK: - Telemetry shape

    private func handleTelemetry(_ r: CSVRecordReader.Record, _ handler: MetricHandler) {
        func fail(_ index: Int, _ message: String) {
            let p = r.position(index < r.offsets.count ? r.offsets[index] : 0)
            handler.report(.error(line: p.line, column: p.column, message))
        }
        guard r.fields.count == 4 else {
            fail(0, "expected 4 columns (Timepoint,Measurement,Label,PID), found \(r.fields.count)")
            return
        }
        var timestamp: Int64? = nil
        if !r.fields[0].isEmpty {
            guard let ts = GoNumber.parseInt(r.fields[0]).value else {
                fail(0, "Timepoint \"\(r.fields[0])\" is not an integer (nanoseconds since the epoch)")
                return
            }
            timestamp = ts
        }
        guard let value = GoNumber.parseFloat(r.fields[1]).value else {
            fail(1, "Measurement \"\(r.fields[1])\" is not a number")
            return
        }
        let decoded: (name: String, tags: [Tag], field: String)
        do {
            decoded = try CSVLabel.decode(r.fields[2])
        } catch {
            fail(2, error.message + " at byte \(error.offset + 1) of \"\(r.fields[2])\"")
            return
        }
        var metric = Metric(name: decoded.name, tags: decoded.tags, fields: [Field(decoded.field, .float(value))], timestamp: timestamp)
        if !r.fields[3].isEmpty {
            guard let pid = GoNumber.parseInt(r.fields[3]).value else {
                fail(3, "PID \"\(r.fields[3])\" is not an integer")
                return
            }
            metric.setTag("pid", String(pid))
        }
        for t in defaultTags { metric.setTag(t.key, t.value) }
        metric.sortTags()
        // The field is the Measurement cell, the name and tags are in the Label, the time in the Timepoint.
        func at(_ subject: Diagnostic.Subject, _ index: Int) -> MetricOrigin.Place {
            let p = r.position(r.offsets[index])
            return MetricOrigin.Place(subject, line: p.line, column: p.column)
        }
        var places = [at(.timestamp, 0), at(.field(decoded.field), 1), at(.name, 2)]
        for t in decoded.tags { places.append(at(.tag(t.key), 2)) }
        if !r.fields[3].isEmpty { places.append(at(.tag("pid"), 3)) }
        handler.handle(metric, origin: MetricOrigin(line: r.position(0).line, places: places))
    }

    // MARK: - Generic CSV

    private mutating func handleGeneric(_ r: CSVRecordReader.Record, _ handler: MetricHandler) {
        let skip = options.skipColumns
        if headerRowsLeft > 0 {
            headerRowsLeft -= 1
            if skip < r.fields.count {
                for (k, raw) in r.fields[skip...].enumerated() {
                    let name = options.trimSpace ? Self.trimSpaces(raw) : raw
                    if k < names.count { names[k] += name } else { names.append(name) }
                }
            }
            if headerRowsLeft == 0 && !options.columnNames.isEmpty { names = options.columnNames }
            return
        }
        func fail(_ column: Int, _ message: String) {
            let p = r.position(column < r.offsets.count ? r.offsets[column] : 0)
            handler.report(.error(line: p.line, column: p.column, message))
        }
        if roles.count != names.count {
            roles = names.map { name in
                if name.isEmpty { return .ignored }
                if tagColumns.contains(name) { return .tag }
                if name == options.timestampColumn { return .timestamp }
                if name == options.measurementColumn { return .measurement }
                return .field
            }
        }
        var metric = Metric(name: metricName)
        metric.fields.reserveCapacity(names.count)
        // Where each tag, field and the timestamp were read, so that a finding about one names its cell.
        places.removeAll(keepingCapacity: true)
        func place(_ subject: Diagnostic.Subject, _ index: Int) {
            let p = r.position(index < r.offsets.count ? r.offsets[index] : 0)
            places.append(MetricOrigin.Place(subject, line: p.line, column: p.column))
        }
        var fieldPositions = KeyPositions()
        var tagPositions = KeyPositions()
        var timestampText: String? = nil
        var timestampIndex = 0
        var measurement: FieldValue? = nil
        for (k, role) in roles.enumerated() {
            let index = skip + k
            guard index < r.fields.count else { break }
            if role == .ignored { continue }
            let name = names[k]
            var value = r.fields[index]
            if options.trimSpace { value = Self.trimSpaces(value) }
            if !skipValues.isEmpty && skipValues.contains(value) { continue }
            switch role {
            case .tag:
                metric.setTag(name, value, positions: &tagPositions)
                place(.tag(name), index)
                continue
            case .timestamp:
                timestampText = value
                timestampIndex = index
                place(.timestamp, index)
                continue
            case .ignored, .measurement, .field:
                break
            }
            let typed: FieldValue
            if options.columnTypes.isEmpty {
                typed = Self.guessType(value)
            } else {
                guard k < options.columnTypes.count else {
                    fail(index, "column \(k + 1) (\"\(name)\") has no type: --csv-column-types lists \(options.columnTypes.count)")
                    return
                }
                let type = options.columnTypes[k]
                guard let v = Self.convert(value, to: type) else {
                    fail(index, "column \"\(name)\": \"\(value)\" is not a valid \(type.rawValue)")
                    return
                }
                typed = v
            }
            if role == .measurement {
                measurement = typed
                place(.name, index)
            } else {
                metric.setField(name, typed, positions: &fieldPositions)
                place(.field(name), index)
            }
        }
        if let measurement {
            let text = Self.text(of: measurement)
            if !text.isEmpty { metric.name = text }
        }
        if let column = options.timestampColumn, let format = options.timestampFormat {
            guard let text = timestampText else {
                fail(0, "timestamp column \"\(column)\" is missing from this row")
                return
            }
            guard let ns = Self.parseTimestamp(text, format, zone: options.timezone) else {
                fail(timestampIndex, "timestamp \"\(text)\" does not match --csv-timestamp-format \(Self.describe(format))")
                return
            }
            metric.timestamp = ns
        }
        guard !metric.fields.isEmpty else {
            fail(0, "row has no fields")
            return
        }
        for t in defaultTags { metric.setTag(t.key, t.value, positions: &tagPositions) }
        metric.sortTags()
        handler.handle(metric, origin: MetricOrigin(line: r.position(0).line, places: places))
    }

    /// Telegraf's guess: int, then float, then bool, else the string itself.
    static func guessType(_ s: String) -> FieldValue {
        if let i = GoNumber.parseInt(s).value { return .int(i) }
        if let f = GoNumber.parseFloat(s).value { return .float(f) }
        if let b = GoStrconv.parseBool(s) { return .bool(b) }
        return .string(s)
    }

    static func convert(_ s: String, to type: CSVOptions.ColumnType) -> FieldValue? {
        switch type {
        case .int: return GoNumber.parseInt(s).value.map { .int($0) }
        case .float: return GoNumber.parseFloat(s).value.map { .float($0) }
        case .bool: return GoStrconv.parseBool(s).map { .bool($0) }
        case .string: return .string(s)
        }
    }

    /// A value as Go's `%v` prints it, for a measurement name taken from a column.
    static func text(of v: FieldValue) -> String {
        switch v {
        case .string(let s): return s
        case .int(let i): return String(i)
        case .uint(let u): return String(u)
        case .bool(let b): return b ? "true" : "false"
        case .float(let f):
            var out: [UInt8] = []
            NumberFormatting.appendJSON(f, to: &out)
            return String(decoding: out, as: UTF8.self)
        }
    }

    static func parseTimestamp(_ text: String, _ format: CSVOptions.TimestampFormat, zone: GoTimeZone = .utc) -> Int64? {
        switch format {
        case .unix: return GoStrconv.parseUnix(text, unit: 1_000_000_000)
        case .unixMilliseconds: return GoStrconv.parseUnix(text, unit: 1_000_000)
        case .unixMicroseconds: return GoStrconv.parseUnix(text, unit: 1_000)
        case .unixNanoseconds: return GoStrconv.parseUnix(text, unit: 1)
        case .layout(let layout): return try? layout.parse(text, zone: zone).get()
        }
    }

    static func describe(_ format: CSVOptions.TimestampFormat) -> String {
        switch format {
        case .unix: return "unix"
        case .unixMilliseconds: return "unix_ms"
        case .unixMicroseconds: return "unix_us"
        case .unixNanoseconds: return "unix_ns"
        case .layout(let l): return "'\(l.text)'"
        }
    }

    /// Go's `strings.Trim(s, " ")`.
    static func trimSpaces(_ s: String) -> String {
        let u = s.utf8
        guard u.first == ASCII.space || u.last == ASCII.space else { return s }
        var a = u.startIndex
        var b = u.endIndex
        while a < b, u[a] == ASCII.space { a = u.index(after: a) }
        while b > a, u[u.index(before: b)] == ASCII.space { b = u.index(before: b) }
        return String(s[a..<b])
    }
}
