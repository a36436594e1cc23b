import MetricFormats

/// Writes one JSON object for a `--json` summary: keys in the order they are added, every string
/// escaped (``JSONText/quoted(_:)``), a number that is not finite and a missing value as `null`. The
/// one way every command builds its summary, so no summary is assembled by string interpolation.
public struct JSONObjectWriter {
    private var bytes: [UInt8] = [UInt8(ascii: "{")]

    public init() {}

    /// The object written so far, closed.
    public var text: String { String(decoding: bytes + [UInt8(ascii: "}")], as: UTF8.self) }

    private mutating func key(_ key: String) {
        if bytes.count > 1 { bytes.append(UInt8(ascii: ",")) }
        bytes += JSONText.quoted(key).utf8
        bytes.append(UInt8(ascii: ":"))
    }

    private mutating func null() { bytes += "null".utf8 }

    /// An integer, or null.
    public mutating func add(_ name: String, _ value: (some BinaryInteger)?) {
        key(name)
        if let value { bytes += String(value).utf8 } else { null() }
    }

    /// A number as Go's encoding/json writes it (shortest digits that read back exactly); with
    /// `decimals`, a whole number as an integer and any other rounded to that many decimals. Null
    /// when missing, NaN or infinite.
    public mutating func add(_ name: String, _ value: Double?, decimals: Int? = nil) {
        key(name)
        Self.appendNumber(value, decimals: decimals, to: &bytes)
    }

    /// A string, or null.
    public mutating func add(_ name: String, _ value: String?) {
        key(name)
        if let value { bytes += JSONText.quoted(value).utf8 } else { null() }
    }

    /// `true`, `false` or null.
    public mutating func add(_ name: String, _ value: Bool?) {
        key(name)
        if let value { bytes += (value ? "true" : "false").utf8 } else { null() }
    }

    /// A nested object.
    public mutating func add(_ name: String, _ object: JSONObjectWriter) {
        key(name)
        bytes += object.bytes
        bytes.append(UInt8(ascii: "}"))
    }

    /// An array of objects.
    public mutating func add(_ name: String, objects: [JSONObjectWriter]) {
        key(name)
        bytes.append(UInt8(ascii: "["))
        for (i, o) in objects.enumerated() {
            if i > 0 { bytes.append(UInt8(ascii: ",")) }
            bytes += o.bytes
            bytes.append(UInt8(ascii: "}"))
        }
        bytes.append(UInt8(ascii: "]"))
    }

    /// An array of strings.
    public mutating func add(_ name: String, strings: [String]) {
        key(name)
        bytes.append(UInt8(ascii: "["))
        for (i, s) in strings.enumerated() {
            if i > 0 { bytes.append(UInt8(ascii: ",")) }
            bytes += JSONText.quoted(s).utf8
        }
        bytes.append(UInt8(ascii: "]"))
    }

    /// An array of numbers, written as ``add(_:_:decimals:)`` writes one.
    public mutating func add(_ name: String, numbers: [Double], decimals: Int? = nil) {
        key(name)
        bytes.append(UInt8(ascii: "["))
        for (i, v) in numbers.enumerated() {
            if i > 0 { bytes.append(UInt8(ascii: ",")) }
            Self.appendNumber(v, decimals: decimals, to: &bytes)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    /// Counts by name, names sorted, as an object (`{"ECONNREFUSED":3}`).
    public mutating func add(_ name: String, counts: [String: some BinaryInteger]) {
        var object = JSONObjectWriter()
        for k in counts.keys.sorted() { object.add(k, counts[k]) }
        add(name, object)
    }

    private static func appendNumber(_ value: Double?, decimals: Int?, to out: inout [UInt8]) {
        guard let v = value, v.isFinite else {
            out += "null".utf8
            return
        }
        if let decimals {
            if v == v.rounded(), abs(v) < 9.007_199_254_740_992e15 {
                NumberFormatting.appendFixed(v, to: &out)
            } else {
                NumberFormatting.appendFixed(v, decimals: decimals, to: &out)
            }
        } else {
            NumberFormatting.appendJSON(v, to: &out)
        }
    }
}
