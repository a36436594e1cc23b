/// A problem found while reading or writing metrics, with the place in the input it refers to.
///
/// Parsers fill in `line` and `column` (1-based; the column counts bytes). Serializers leave them
/// nil and the pipeline attaches the position of the input record that produced the metric.
public struct Diagnostic: Sendable, Hashable, CustomStringConvertible {
    public enum Severity: Sendable, Hashable {
        /// Input rejected: the record (or the value) is skipped and the exit status says so.
        case error
        /// Input accepted but changed or suspicious (a sanitized name, a 1970 timestamp).
        case warning
        /// Information shown with `-v` only.
        case note
    }

    public var severity: Severity
    public var line: Int?
    public var column: Int?
    public var message: String

    public init(_ severity: Severity, line: Int? = nil, column: Int? = nil, _ message: String) {
        self.severity = severity
        self.line = line
        self.column = column
        self.message = message
    }

    public static func error(line: Int? = nil, column: Int? = nil, _ message: String) -> Diagnostic {
        Diagnostic(.error, line: line, column: column, message)
    }

    public static func warning(line: Int? = nil, column: Int? = nil, _ message: String) -> Diagnostic {
        Diagnostic(.warning, line: line, column: column, message)
    }

    /// `LINE:COLUMN: message`, `warning: ` before warnings; the pipeline puts the file name in front.
    public var description: String {
        var s = ""
        if let line {
            s += "\(line):"
            if let column { s += "\(column):" }
            s += " "
        }
        switch severity {
        case .error: break
        case .warning: s += "warning: "
        case .note: s += "note: "
        }
        return s + message
    }
}
