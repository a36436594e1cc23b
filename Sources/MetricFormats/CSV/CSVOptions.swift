/// Options of the CSV parser, named after Telegraf's `csv_*` parser options.
///
/// They apply to generic, header-driven CSV input; the telemetry shape (header
/// `Timepoint,Measurement,Label,PID`) ignores all but `delimiter`-independent framing.
public struct CSVOptions: Sendable {
    /// A column's declared type (`csv_column_types`).
    public enum ColumnType: String, Sendable, CaseIterable {
        case int, float, bool, string
    }

    /// How the timestamp column is read (`csv_timestamp_format`).
    public enum TimestampFormat: Sendable, Equatable {
        case unix, unixMilliseconds, unixMicroseconds, unixNanoseconds
        /// A Go reference-time layout such as `2006-01-02T15:04:05Z07:00`.
        case layout(GoTimeLayout)

        /// `unix`, `unix_ms`, `unix_us`, `unix_ns`, or a Go layout; nil when the layout is unusable.
        public init?(parsing text: String) {
            switch text {
            case "unix": self = .unix
            case "unix_ms": self = .unixMilliseconds
            case "unix_us": self = .unixMicroseconds
            case "unix_ns": self = .unixNanoseconds
            default:
                let layout = GoTimeLayout(text)
                guard layout.hasTimeElements else { return nil }
                self = .layout(layout)
            }
        }
    }

    /// Rows at the start that are column names (`csv_header_row_count`); several are joined per column.
    /// nil: 1 when `columnNames` is empty, else 0 (Telegraf's default is 0 and then requires names).
    public var headerRowCount: Int?
    /// Column names, overriding the header (`csv_column_names`).
    public var columnNames: [String] = []
    /// Column types, in column order (`csv_column_types`); empty: guess int, float, bool, else string.
    public var columnTypes: [ColumnType] = []
    /// Columns that become tags (`csv_tag_columns`).
    public var tagColumns: [String] = []
    /// Column whose value names the measurement (`csv_measurement_column`).
    public var measurementColumn: String?
    /// Column holding the timestamp (`csv_timestamp_column`); needs `timestampFormat`.
    public var timestampColumn: String?
    public var timestampFormat: TimestampFormat?
    /// `csv_timezone`: the zone of timestamps read with a layout that has none.
    public var timezone: GoTimeZone = .utc
    /// Field separator, one ASCII byte (`csv_delimiter`).
    public var delimiter: UInt8 = ASCII.comma
    /// Lines starting with this byte are skipped (`csv_comment`).
    public var comment: UInt8?
    /// Trim spaces around values, and leading whitespace before fields (`csv_trim_space`).
    public var trimSpace = false
    /// Lines skipped at the start of the input, before the header (`csv_skip_rows`).
    public var skipRows = 0
    /// Columns skipped at the start of each row (`csv_skip_columns`).
    public var skipColumns = 0
    /// Values that mean "no value": the column is left out of that row (`csv_skip_values`).
    public var skipValues: [String] = []

    public init() {}
}
