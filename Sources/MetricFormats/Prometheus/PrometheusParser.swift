/// Prometheus parser (not written yet).
public struct PrometheusParser: MetricParser {
    public init(options: FormatOptions) throws(FormatError) {}
    public mutating func parse(line: UnsafeBufferPointer<UInt8>, number: Int, into handler: MetricHandler) {
        handler.report(.error(line: number, column: 1, "Prometheus input is not supported yet"))
    }
}
