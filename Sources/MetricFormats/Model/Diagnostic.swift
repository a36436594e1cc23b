/// A problem found while reading or writing metrics, with the place in the input it refers to.
///
/// Parsers fill in `line` and `column` (1-based; the column counts bytes). Serializers leave them
/// nil and say what the finding is about (``subject``); the pipeline turns that into the position
/// in the input record that produced the metric (``SourceLocator``), only when a finding is made.
public struct Diagnostic: Sendable, Hashable, CustomStringConvertible {
    /// The part of a metric a serializer finding is about.
    public enum Subject: Sendable, Hashable {
        /// The whole metric: column 1 of its record.
        case record
        /// The metric name.
        case name
        /// The tag of this key.
        case tag(String)
        /// The field of this key.
        case field(String)
        /// The timestamp.
        case timestamp
    }

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
    /// Set by serializers: what the finding is about, for its position in the input.
    public var subject: Subject?

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

    /// A serializer's error about `subject` of the metric being written.
    public static func error(_ subject: Subject, _ message: String) -> Diagnostic {
        var d = Diagnostic(.error, message)
        d.subject = subject
        return d
    }

    /// A serializer's warning about `subject` of the metric being written.
    public static func warning(_ subject: Subject, _ message: String) -> Diagnostic {
        var d = Diagnostic(.warning, message)
        d.subject = subject
        return d
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
