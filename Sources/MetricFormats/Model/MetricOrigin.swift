/// Where a metric's parts were read, for a metric a parser emits after the line being parsed has
/// moved on: a Prometheus histogram or summary is gathered over many lines and written when its
/// family ends. Serializer findings about it are placed by this instead of by the current line.
public struct MetricOrigin: Sendable, Hashable {
    /// One part of the metric and where it starts: 1-based line and byte column.
    public struct Place: Sendable, Hashable {
        public var subject: Diagnostic.Subject
        public var line: Int
        public var column: Int
        public init(_ subject: Diagnostic.Subject, line: Int, column: Int) {
            self.subject = subject
            self.line = line
            self.column = column
        }
    }

    /// The record's first line: the name, the whole record and parts not in ``places`` are at
    /// column 1 of it.
    public var line: Int
    public var places: [Place]

    public init(line: Int, places: [Place] = []) {
        self.line = line
        self.places = places
    }

    /// The line and column of `subject`.
    public func position(of subject: Diagnostic.Subject) -> (line: Int, column: Int) {
        if let p = places.first(where: { $0.subject == subject }) { return (p.line, p.column) }
        return (line, 1)
    }
}
