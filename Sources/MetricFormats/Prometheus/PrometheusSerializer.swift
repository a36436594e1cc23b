/// Prometheus serializer (not written yet).
public struct PrometheusSerializer: MetricSerializer {
    public init(options: FormatOptions) throws(FormatError) {}
    public mutating func serialize(_ metric: Metric, into out: inout [UInt8], context: SerializerContext) {
        context.report(.error("Prometheus output is not supported yet"))
    }
}
