/// Options of the Influx parser and serializer.
public struct InfluxOptions: Sendable {
    public init() {}
}
