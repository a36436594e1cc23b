/// Options of the Prometheus parser and serializer.
public struct PrometheusOptions: Sendable {
    public init() {}
}
