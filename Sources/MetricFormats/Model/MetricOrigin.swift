/// Where a metric's parts were read, for a metric whose parts the current line alone cannot place:
/// a Prometheus histogram or summary gathered over many lines, a CSV row whose cells are known only
/// while it is read, a JSON record over many lines or with repeated, nested or escaped keys.
/// Serializer findings about it are placed by this instead of by rescanning the current line.
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

    /// The record's first line: parts not in ``places`` are placed where ``Diagnostic/Subject/record``
    /// is, or at column 1 of this line.
    public var line: Int
    public var places: [Place]

    public init(line: Int, places: [Place] = []) {
        self.line = line
        self.places = places
    }

    /// The line and column of `subject`: its last place (a key repeated in the input keeps its last
    /// value, so its last spelling is the one the metric holds).
    public func position(of subject: Diagnostic.Subject) -> (line: Int, column: Int) {
        if let p = places.last(where: { $0.subject == subject }) { return (p.line, p.column) }
        if subject != .record, let p = places.last(where: { $0.subject == .record }) { return (p.line, p.column) }
        return (line, 1)
    }
}
