import Testing

@testable import MetricTransport

@Suite struct EndpointTests {
    @Test(arguments: [
        ("udp://127.0.0.1:8094", Endpoint.udp(host: "127.0.0.1", port: 8094, family: .any)),
        ("udp4://localhost:8125", .udp(host: "localhost", port: 8125, family: .ipv4)),
        ("udp6://[::1]:8125", .udp(host: "::1", port: 8125, family: .ipv6)),
        ("udp://:8094", .udp(host: nil, port: 8094, family: .any)),
        ("tcp://127.0.0.1:2003", .tcp(host: "127.0.0.1", port: 2003, family: .any)),
        ("tcp6://[::1]:2003", .tcp(host: "::1", port: 2003, family: .ipv6)),
        ("unix:///tmp/telegraf.sock", .unix(path: "/tmp/telegraf.sock")),
        ("unixgram:///tmp/telegraf.sock", .unixgram(path: "/tmp/telegraf.sock")),
        (":8125", .udp(host: "127.0.0.1", port: 8125, family: .any)),
        ("8125", .udp(host: "127.0.0.1", port: 8125, family: .any)),
        ("-", .stdout),
        (
            "http://127.0.0.1:8086/write?db=test&precision=s",
            .http(.init(host: "127.0.0.1", port: 8086, path: "/write", query: "db=test&precision=s", secure: false))
        ),
    ])
    func parses(_ text: String, _ expected: Endpoint) throws {
        #expect(try Endpoint(parsing: text, role: .send) == expected)
    }

    @Test(arguments: [
        ("udp://127.0.0.1", "udp://127.0.0.1: the port is missing (example: udp://127.0.0.1:8094)"),
        ("udp://127.0.0.1:99999", "udp://127.0.0.1:99999: '99999' is not a port number (1-65535) (example: udp://127.0.0.1:8094)"),
        ("udp://::1:8125", "udp://::1:8125: an IPv6 address needs brackets (example: udp6://[::1]:8094)"),
        ("foo://x:1", "foo://x:1: unknown scheme 'foo' (example: udp://, udp4://, udp6://, tcp://, tcp4://, tcp6://, unix://, unixgram://, http://)"),
        ("unix://tmp/x.sock", "unix://tmp/x.sock: a Unix socket path must be absolute (three slashes) (example: unix:///tmp/metrics.sock)"),
        ("http://127.0.0.1:8086/write", "http://127.0.0.1:8086/write: InfluxDB's write API needs a database (example: http://127.0.0.1:8086/write?db=telegraf)"),
        ("localhost", "localhost: an address needs a scheme (example: udp://127.0.0.1:8094, tcp://127.0.0.1:8094 or unix:///tmp/metrics.sock)"),
    ])
    func rejectsWithAnExample(_ text: String, _ message: String) {
        #expect(throws: EndpointError.self) { try Endpoint(parsing: text, role: .send) }
        do {
            _ = try Endpoint(parsing: text, role: .send)
        } catch {
            #expect(error.description == message)
        }
    }

    @Test func listenersRefuseStdoutAndHTTP() {
        #expect(throws: EndpointError.self) { try Endpoint(parsing: "-", role: .listen) }
        #expect(throws: EndpointError.self) { try Endpoint(parsing: "http://127.0.0.1:8086/write?db=x", role: .listen) }
    }

    @Test func descriptionRoundTrips() throws {
        for text in ["udp://127.0.0.1:8094", "udp6://[::1]:8125", "tcp://:2003", "unix:///tmp/a.sock", "http://127.0.0.1:8086/write?db=x"] {
            #expect(try Endpoint(parsing: text, role: .send).description == text)
        }
    }
}
