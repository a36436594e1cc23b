/// A field value with the five types of the Influx data model; the type survives every
/// conversion whose target format can carry it (`1i`, `1u`, `1.0`, `"s"`, `true`).
public enum FieldValue: Sendable, Hashable {
    case float(Double)
    case int(Int64)
    case uint(UInt64)
    case string(String)
    case bool(Bool)

    /// The value as a Double, for formats that carry only numbers (bool is 1 or 0); nil for strings.
    public var doubleValue: Double? {
        switch self {
        case .float(let v): return v
        case .int(let v): return Double(v)
        case .uint(let v): return Double(v)
        case .bool(let v): return v ? 1 : 0
        case .string: return nil
        }
    }

    /// True for float, int and uint.
    public var isNumeric: Bool {
        switch self {
        case .float, .int, .uint: return true
        case .string, .bool: return false
        }
    }

    /// The type's name as InfluxDB's `SHOW FIELD KEYS` prints it.
    public var typeName: String {
        switch self {
        case .float: return "float"
        case .int: return "integer"
        case .uint: return "unsigned"
        case .string: return "string"
        case .bool: return "boolean"
        }
    }
}
