import ArgumentParser
import MetricTransport

/// `listen --serve-metrics`: `HOST:PORT`, `[V6]:PORT`, a bare `PORT` (on 127.0.0.1) or
/// `http://HOST:PORT[/metrics]`, as the TCP address to serve on; port 0 lets the kernel choose.
struct MetricsAddress: CheckedArgument, Equatable, Sendable {
    var endpoint: Endpoint
    var text: String

    static func parse(_ text: String) -> Result<MetricsAddress, ArgumentProblem> {
        var t = Substring(text)
        if t.hasPrefix("http://") { t = t.dropFirst(7) }
        if t.hasSuffix("/metrics") { t = t.dropLast(8) }
        if t.hasSuffix("/") { t = t.dropLast() }
        if let port = UInt16(t) { return .success(MetricsAddress(endpoint: .tcp(host: "127.0.0.1", port: port, family: .ipv4), text: text)) }
        if let e = try? Endpoint(parsing: "tcp://" + t, role: .listen), case .tcp = e { return .success(MetricsAddress(endpoint: e, text: text)) }
        return .failure(ArgumentProblem(problem: "is not HOST:PORT", examples: ["127.0.0.1:9102"]))
    }

    var defaultValueDescription: String { text }
}
