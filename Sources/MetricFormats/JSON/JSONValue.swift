/// One decoded JSON value. Numbers keep what their text says: an integer literal (no fraction, no
/// exponent) that fits Int64 or UInt64 stays an integer, anything else is a Double.
indirect enum JSONValue: Equatable {
    case null
    case bool(Bool)
    case int(Int64)
    case uint(UInt64)
    case float(Double)
    case string(String)
    case array([JSONValue])
    case object([JSONMember])

    /// The number as Go's decoder gives it (every number a float64); nil for other values.
    var doubleValue: Double? {
        switch self {
        case .int(let v): return Double(v)
        case .uint(let v): return Double(v)
        case .float(let v): return v
        default: return nil
        }
    }

    /// The value of the last member named `key` (Go's decoder keeps the last of repeated keys).
    func member(_ key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.last(where: { $0.key == key })?.value
    }

    /// `object`, `array`, `string`, ... for messages.
    var kindName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .int, .uint, .float: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }
}

/// An object member with the byte offsets of its key's opening quote and of its value in the
/// record, for positions.
struct JSONMember: Equatable {
    var key: String
    var value: JSONValue
    var offset: Int
    var keyOffset: Int
}
