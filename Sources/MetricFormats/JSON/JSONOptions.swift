/// Options of the JSON parser and serializer.
public struct JSONOptions: Sendable {
    public init() {}
}
