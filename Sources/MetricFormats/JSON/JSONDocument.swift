/// A whole JSON document read with the format's own reader, for summaries read back (`load
/// --merge` reads `load --json` reports), so no command needs Foundation's JSON parser.
public enum JSONDocument: Equatable, Sendable {
    case null
    case bool(Bool)
    case int(Int64)
    case uint(UInt64)
    case float(Double)
    case string(String)
    case array([JSONDocument])
    /// Members by key; a repeated key keeps its last value, as Go's decoder does.
    case object([String: JSONDocument])

    /// `where: what is wrong` for input that is not one JSON value.
    public struct SyntaxError: Error, Equatable, CustomStringConvertible {
        public var offset: Int
        public var message: String
        public var description: String { "byte \(offset + 1): \(message)" }
    }

    /// Reads one JSON value; only whitespace may follow it.
    public static func parse(_ bytes: [UInt8]) throws(SyntaxError) -> JSONDocument {
        let result: Result<JSONValue, JSONReader.SyntaxError> = bytes.withUnsafeBufferPointer { buffer in
            var reader = JSONReader(buffer)
            do throws(JSONReader.SyntaxError) {
                return .success(try reader.readDocument())
            } catch {
                return .failure(error)
            }
        }
        switch result {
        case .success(let value): return JSONDocument(value)
        case .failure(let e): throw SyntaxError(offset: e.offset, message: e.message)
        }
    }

    init(_ value: JSONValue) {
        switch value {
        case .null: self = .null
        case .bool(let b): self = .bool(b)
        case .int(let v): self = .int(v)
        case .uint(let v): self = .uint(v)
        case .float(let v): self = .float(v)
        case .string(let s): self = .string(s)
        case .array(let items): self = .array(items.map(JSONDocument.init))
        case .object(let members):
            var dict: [String: JSONDocument] = [:]
            for m in members { dict[m.key] = JSONDocument(m.value) }
            self = .object(dict)
        }
    }

    /// The member `key` of an object; nil for a missing key or another kind of value.
    public subscript(key: String) -> JSONDocument? {
        guard case .object(let members) = self else { return nil }
        return members[key]
    }

    /// A number as a Double; nil for anything else.
    public var number: Double? {
        switch self {
        case .int(let v): return Double(v)
        case .uint(let v): return Double(v)
        case .float(let v): return v.isFinite ? v : nil
        default: return nil
        }
    }

    /// A whole, non-negative number as a count; nil for anything else.
    public var count: UInt64? {
        switch self {
        case .int(let v): return v >= 0 ? UInt64(v) : nil
        case .uint(let v): return v
        case .float(let d): return d >= 0 && d < 1.8e19 && d == d.rounded() ? UInt64(d) : nil
        default: return nil
        }
    }

    /// The text of a string; nil for anything else.
    public var string: String? {
        if case .string(let s) = self { return s }
        return nil
    }
}
