/// Finds where a part of a metric (a ``Diagnostic/Subject``) starts in the input record it was read
/// from, for serializer findings: the 1-based byte column of the tag's or field's key (of the value
/// for formats whose field is the sample value: graphite, prometheus, wavefront, statsd), column 1
/// for the name and the whole record. Each format's own search is in its folder, named by its
/// ``FormatDescriptor``.
///
/// It rescans the record only when there is a finding, so reading input costs nothing for it. A
/// part the input did not spell (a default tag, a tag a template made from a path) is placed at
/// column 1 of its record. CSV and JSON input need no rescan: their parsers hand each metric over
/// with the places of its cells or keys (``MetricOrigin``), which are known only while the record
/// is read (a JSON record may span lines, repeat a key or spell it with escapes).
public enum SourceLocator {
    /// The column of `subject` in `record` (one input line, terminator excluded) of `format`.
    public static func column(of subject: Diagnostic.Subject, in record: UnsafeBufferPointer<UInt8>, format: MetricFormat) -> Int {
        switch subject {
        case .record, .name: return 1
        default: return (format.descriptor.locate?(subject, record) ?? 0) + 1
        }
    }

    /// The offset of the first byte after leading blanks, then `token` blank-separated tokens.
    static func token(_ line: UnsafeBufferPointer<UInt8>, after skipped: Int) -> Int? {
        let n = line.count
        var i = 0
        while i < n, line[i] == ASCII.space || line[i] == ASCII.tab { i += 1 }
        for _ in 0..<skipped {
            while i < n, line[i] != ASCII.space, line[i] != ASCII.tab { i += 1 }
            while i < n, line[i] == ASCII.space || line[i] == ASCII.tab { i += 1 }
        }
        return i < n ? i : nil
    }

    static func bytesEqual(_ line: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, _ key: String) -> Bool {
        guard end - start == key.utf8.count else { return false }
        var i = start
        for b in key.utf8 {
            if line[i] != b { return false }
            i += 1
        }
        return true
    }
}
