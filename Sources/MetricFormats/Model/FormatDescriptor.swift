/// What metricat knows about one wire format, declared in the format's own folder
/// (`Influx/InfluxFormat.swift`, ...): how to build its parser and serializer, where a part of a
/// metric is in a line of it, what names it during detection, and the facts commands ask about it.
/// A new format is its folder with its descriptor, its case in ``MetricFormat`` (the compiler then
/// asks for the descriptor), its flags file and its fixture folder.
public struct FormatDescriptor: Sendable {
    /// Builds a parser configured with the options (a bad option throws ``FormatError``).
    public let makeParser: @Sendable (FormatOptions) throws(FormatError) -> any MetricParser
    /// Builds a serializer configured with the options.
    public let makeSerializer: @Sendable (FormatOptions) throws(FormatError) -> any MetricSerializer
    /// The 0-based offset where a tag, field or timestamp starts in one line of this format; nil when
    /// the line does not spell it (it is placed at column 1), or for formats whose parser hands over
    /// the places itself (``MetricOrigin``).
    public let locate: (@Sendable (Diagnostic.Subject, UnsafeBufferPointer<UInt8>) -> Int?)?
    /// Line starts that name this format by themselves during detection (`# TYPE `), with the reason
    /// detection gives. They must not name another format: all formats' prefixes are tried first.
    public let detectionPrefixes: [StaticString]
    public let detectionReason: String
    /// A line shape that names this format by itself, tried after every format's prefixes.
    public let detectionShape: (@Sendable (ArraySlice<UInt8>) -> Bool)?
    /// The flag that sets the unit of this format's input timestamps, for the warning about a
    /// timestamp in the wrong unit; nil when the unit is fixed, read from the value, or absent.
    public let precisionFlag: String?
    /// Whether the options read input timestamps in a unit other than nanoseconds (an early time is
    /// then what the sender wrote, and the warning has no advice to give); nil when they cannot.
    public let readsCoarserUnit: (@Sendable (FormatOptions) -> Bool)?
    /// Whether its output writes a time for a metric that has none (then `send --every` stamps each
    /// generated metric with its own tick, or every line would carry the run's start).
    public let writesTimeForEveryMetric: Bool
    /// The direct path from this format to an output format (the options, the output, the time for a
    /// metric without one), or nil where there is none or the options need the full way.
    public let makeDirect: (@Sendable (FormatOptions, MetricFormat, Int64) -> (any DirectPath)?)?

    public init(
        makeParser: @escaping @Sendable (FormatOptions) throws(FormatError) -> any MetricParser,
        makeSerializer: @escaping @Sendable (FormatOptions) throws(FormatError) -> any MetricSerializer,
        locate: (@Sendable (Diagnostic.Subject, UnsafeBufferPointer<UInt8>) -> Int?)?,
        detectionPrefixes: [StaticString] = [], detectionReason: String = "", detectionShape: (@Sendable (ArraySlice<UInt8>) -> Bool)? = nil,
        precisionFlag: String?, readsCoarserUnit: (@Sendable (FormatOptions) -> Bool)? = nil, writesTimeForEveryMetric: Bool,
        makeDirect: (@Sendable (FormatOptions, MetricFormat, Int64) -> (any DirectPath)?)? = nil
    ) {
        self.makeParser = makeParser
        self.makeSerializer = makeSerializer
        self.locate = locate
        self.detectionPrefixes = detectionPrefixes
        self.detectionReason = detectionReason
        self.detectionShape = detectionShape
        self.precisionFlag = precisionFlag
        self.readsCoarserUnit = readsCoarserUnit
        self.writesTimeForEveryMetric = writesTimeForEveryMetric
        self.makeDirect = makeDirect
    }
}

extension FormatDescriptor {
    /// The flag the "looks like seconds read as nanoseconds" warning names with these options, or
    /// nil: the unit is fixed or absent, or the options read a coarser unit than nanoseconds.
    public func precisionWarningFlag(_ options: FormatOptions) -> String? {
        readsCoarserUnit?(options) == true ? nil : precisionFlag
    }
}
