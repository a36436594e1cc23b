import ArgumentParser
import MetricFormats

/// Flags of the csv parser (Telegraf's `csv_*` parser options). The serializer writes the telemetry
/// shape and takes no options.
struct CSVFlags: FormatFlagGroup {
    static let formats: [MetricFormat] = [.csv]

    static let shapeHelp = """
        CSV in and out. Output is the telemetry shape 'Timepoint,Measurement,Label,PID': nanoseconds, the value \
        as a float, Label = the line-protocol series key and field ("cpu,host=a usage_idle", '\\' escapes ',' '=' \
        and spaces), PID = the 'pid' tag when it is an integer. Input with that header reads back the same; \
        any other input is generic CSV read with these options (Telegraf's csv parser).
        """

    @Option(
        help: ArgumentHelp(
            "Rows at the top holding column names, joined per column (Telegraf's csv_header_row_count). Default: 1 when --csv-column-names is not given, else 0 (Telegraf: 0).",
            discussion: shapeHelp, valueName: "n"))
    var csvHeaderRowCount: Int?

    @Option(help: ArgumentHelp("Column names, comma-separated or repeated; they override the header (Telegraf's csv_column_names).", valueName: "names"))
    var csvColumnNames: [String] = []

    @Option(
        help: ArgumentHelp(
            "Column types in column order: int, float, bool or string (Telegraf's csv_column_types). Default: guess int, float, bool, else string.", valueName: "types"))
    var csvColumnTypes: [String] = []

    @Option(help: ArgumentHelp("Columns that become tags (Telegraf's csv_tag_columns).", valueName: "names"))
    var csvTagColumns: [String] = []

    @Option(help: ArgumentHelp("Column whose value is the measurement name (Telegraf's csv_measurement_column); else --metric-name, default 'csv'.", valueName: "name"))
    var csvMeasurementColumn: String?

    @Option(
        help: ArgumentHelp("Column holding the timestamp (Telegraf's csv_timestamp_column); needs --csv-timestamp-format. Without it metrics carry no time.", valueName: "name"))
    var csvTimestampColumn: String?

    @Option(
        help: ArgumentHelp(
            "unix, unix_ms, unix_us, unix_ns (fractions allowed) or a Go layout such as 2006-01-02T15:04:05Z07:00; a layout without a zone is read in --csv-timezone (Telegraf's csv_timestamp_format).",
            valueName: "format"))
    var csvTimestampFormat: String?

    @Option(
        help: ArgumentHelp(
            "Zone of timestamps read with a layout that has none: UTC (default), Local, +05:30, or a zone name from /usr/share/zoneinfo (America/New_York) (Telegraf's csv_timezone).",
            valueName: "zone"))
    var csvTimezone: TimeZoneValue?

    @Option(help: ArgumentHelp("Field separator, one ASCII character; '\\t' for tab (Telegraf's csv_delimiter). Default ','.", valueName: "char"))
    var csvDelimiter: String?

    @Option(help: ArgumentHelp("Lines starting with this character are skipped (Telegraf's csv_comment).", valueName: "char"))
    var csvComment: String?

    @Flag(inversion: .prefixedNo, help: "Trim spaces around values and header names (Telegraf's csv_trim_space).")
    var csvTrimSpace: Bool?

    @Option(help: ArgumentHelp("Lines to skip before the header (Telegraf's csv_skip_rows).", valueName: "n"))
    var csvSkipRows: Int?

    @Option(help: ArgumentHelp("Columns to skip at the start of every row (Telegraf's csv_skip_columns).", valueName: "n"))
    var csvSkipColumns: Int?

    @Option(help: ArgumentHelp("Values meaning 'no value': that column is left out of the row; repeatable (Telegraf's csv_skip_values).", valueName: "value"))
    var csvSkipValues: [String] = []

    var givenFlags: [String] {
        var out: [String] = []
        if csvHeaderRowCount != nil { out.append("--csv-header-row-count") }
        if !csvColumnNames.isEmpty { out.append("--csv-column-names") }
        if !csvColumnTypes.isEmpty { out.append("--csv-column-types") }
        if !csvTagColumns.isEmpty { out.append("--csv-tag-columns") }
        if csvMeasurementColumn != nil { out.append("--csv-measurement-column") }
        if csvTimestampColumn != nil { out.append("--csv-timestamp-column") }
        if csvTimestampFormat != nil { out.append("--csv-timestamp-format") }
        if csvTimezone != nil { out.append("--csv-timezone") }
        if csvDelimiter != nil { out.append("--csv-delimiter") }
        if csvComment != nil { out.append("--csv-comment") }
        if csvTrimSpace != nil { out.append("--csv-trim-space") }
        if csvSkipRows != nil { out.append("--csv-skip-rows") }
        if csvSkipColumns != nil { out.append("--csv-skip-columns") }
        if !csvSkipValues.isEmpty { out.append("--csv-skip-values") }
        return out
    }

    func apply(to options: inout FormatOptions) throws {
        var csv = options.csv
        if let n = csvHeaderRowCount {
            guard n >= 0 else { throw ValidationError("--csv-header-row-count: must be 0 or more (example: --csv-header-row-count 2)") }
            csv.headerRowCount = n
        }
        csv.columnNames = Self.list(csvColumnNames)
        csv.tagColumns = Self.list(csvTagColumns)
        csv.columnTypes = try Self.list(csvColumnTypes).map { text in
            guard let t = CSVOptions.ColumnType(rawValue: text) else {
                throw ValidationError("--csv-column-types: '\(text)' is not int, float, bool or string (example: --csv-column-types float,int,string)")
            }
            return t
        }
        csv.measurementColumn = csvMeasurementColumn
        csv.timestampColumn = csvTimestampColumn
        if let f = csvTimestampFormat {
            guard let format = CSVOptions.TimestampFormat(parsing: f) else {
                throw ValidationError(
                    "--csv-timestamp-format: '\(f)' is not unix, unix_ms, unix_us, unix_ns or a Go layout (example: --csv-timestamp-format 2006-01-02T15:04:05Z07:00)")
            }
            csv.timestampFormat = format
        }
        if let csvTimezone { csv.timezone = csvTimezone.zone }
        if let d = csvDelimiter { csv.delimiter = try Self.byte(d, flag: "--csv-delimiter", example: "';'") }
        if let c = csvComment { csv.comment = try Self.byte(c, flag: "--csv-comment", example: "'#'") }
        if let csvTrimSpace { csv.trimSpace = csvTrimSpace }
        if let n = csvSkipRows {
            guard n >= 0 else { throw ValidationError("--csv-skip-rows: must be 0 or more (example: --csv-skip-rows 1)") }
            csv.skipRows = n
        }
        if let n = csvSkipColumns {
            guard n >= 0 else { throw ValidationError("--csv-skip-columns: must be 0 or more (example: --csv-skip-columns 1)") }
            csv.skipColumns = n
        }
        csv.skipValues = csvSkipValues
        options.csv = csv
    }

    /// Repeated values and comma-separated lists, flattened.
    static func list(_ values: [String]) -> [String] {
        values.flatMap { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
    }

    static func byte(_ text: String, flag: String, example: String) throws -> UInt8 {
        if text == "\\t" { return 0x09 }
        let u = Array(text.utf8)
        guard u.count == 1, u[0] < 0x80, u[0] != 0x0A, u[0] != 0x0D, u[0] != 0x22 else {
            throw ValidationError("\(flag): must be one ASCII character other than a quote or a newline (example: \(flag) \(example))")
        }
        return u[0]
    }
}
