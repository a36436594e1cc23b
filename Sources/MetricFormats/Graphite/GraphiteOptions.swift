/// Options of the Graphite parser and serializer.
public struct GraphiteOptions: Sendable {
    public init() {}
}
