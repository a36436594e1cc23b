/// Options of the CSV parser and serializer.
public struct CSVOptions: Sendable {
    public init() {}
}
