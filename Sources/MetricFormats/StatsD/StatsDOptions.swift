/// Options of the StatsD parser and serializer.
public struct StatsDOptions: Sendable {
    public init() {}
}
