/// A way from input lines straight to output bytes for the lines whose output it can tell without
/// building a ``Metric``: byte for byte what the format's parser followed by the output serializer
/// writes. It declines every other line (writing nothing), which then goes the full way: the parser,
/// which also reports every error, and the serializer. A format offers one through
/// ``FormatDescriptor/makeDirect``; tests compare every run with and without it.
public protocol DirectPath: AnyObject {
    /// Writes the output for one input line (without its `\n`) into `out` and returns true, or
    /// declines: returns false and leaves `out` as it was. Only for a line that starts a record.
    func transcode(_ input: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) -> Bool
    /// The time a metric without a timestamp gets (a listener moves it as lines arrive).
    var now: Int64 { get set }
    /// Lines written here, for the verbose note and for tests.
    var directLines: Int { get }
    /// `line protocol to JSON`: the two formats, for the verbose note.
    var route: String { get }
}
