import Foundation
import Testing

@testable import MetricTransport

/// The `--serve-metrics` server on 127.0.0.1:0, spoken to over real TCP: each method and path,
/// malformed and oversized heads, the connection limit and the per-connection timeout.
@Suite struct MetricsHTTPServerTests {
    static func server(_ options: MetricsHTTPServerOptions = MetricsHTTPServerOptions()) throws -> MetricsHTTPServer {
        let s = try MetricsHTTPServer(bind: .tcp(host: "127.0.0.1", port: 0, family: .ipv4), options: options)
        s.publish(Array("up 1\n".utf8))
        s.start()
        return s
    }

    /// Sends `request` on a new connection and reads until the server closes it.
    static func exchange(_ port: UInt16, _ request: String) throws -> String {
        let s = try Socket.connect(to: .tcp(host: "127.0.0.1", port: port, family: .ipv4), sendTimeout: 5_000_000_000)
        _ = Array(request.utf8).withUnsafeBytes { s.sendAll($0) }
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        let end = Date().addingTimeInterval(5)
        while Date() < end {
            let r = buffer.withUnsafeMutableBytes { s.receive(into: $0) }
            guard case .success(let n) = r, n > 0 else { break }
            out.append(contentsOf: buffer[0..<n])
        }
        return String(decoding: out, as: UTF8.self)
    }

    @Test func getServesThePublishedTextAndHeadOnlyTheHeaders() throws {
        let server = try Self.server()
        defer { server.stop() }
        #expect(server.url == "http://127.0.0.1:\(server.port)/metrics")
        let get = try Self.exchange(server.port, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(get == "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\nContent-Length: 5\r\nConnection: close\r\n\r\nup 1\n")
        server.publish(Array("up 2\n".utf8))
        let head = try Self.exchange(server.port, "HEAD /metrics?x=1 HTTP/1.0\n\n")
        #expect(head == "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\nContent-Length: 5\r\nConnection: close\r\n\r\n")
        #expect(try Self.exchange(server.port, "GET /metrics HTTP/1.1\r\n\r\n").hasSuffix("\r\n\r\nup 2\n"))
        #expect(server.stats.served == 3)
    }

    @Test func otherPathsAre404OtherMethods405BadLines400() throws {
        let server = try Self.server()
        defer { server.stop() }
        #expect(try Self.exchange(server.port, "GET / HTTP/1.1\r\n\r\n").hasPrefix("HTTP/1.1 404 Not Found\r\n"))
        let post = try Self.exchange(server.port, "POST /metrics HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc")
        #expect(post.hasPrefix("HTTP/1.1 405 Method Not Allowed\r\n"))
        #expect(post.contains("\r\nAllow: GET, HEAD\r\n"))
        #expect(try Self.exchange(server.port, "hello\r\n\r\n").hasPrefix("HTTP/1.1 400 Bad Request\r\n"))
        let s = server.stats
        #expect(s.notFound == 1 && s.methodNotAllowed == 1 && s.badRequests == 1 && s.served == 0)
    }

    @Test func aHeadOverTheLimitIs431() throws {
        var options = MetricsHTTPServerOptions()
        options.maxRequestBytes = 100
        let server = try Self.server(options)
        defer { server.stop() }
        let r = try Self.exchange(server.port, "GET /metrics HTTP/1.1\r\nX: " + String(repeating: "a", count: 300) + "\r\n\r\n")
        #expect(r.hasPrefix("HTTP/1.1 431 Request Header Fields Too Large\r\n"), "\(r)")
        #expect(server.stats.badRequests == 1)
    }

    @Test func connectionsOverTheLimitGet503AndSilentOnesTimeOut() throws {
        var options = MetricsHTTPServerOptions()
        options.maxConnections = 2
        options.timeout = 300_000_000
        let server = try Self.server(options)
        defer { server.stop() }
        let endpoint = Endpoint.tcp(host: "127.0.0.1", port: server.port, family: .ipv4)
        let idle = [try Socket.connect(to: endpoint), try Socket.connect(to: endpoint)]
        usleep(100_000)
        #expect(try Self.exchange(server.port, "GET /metrics HTTP/1.1\r\n\r\n").hasPrefix("HTTP/1.1 503 Service Unavailable\r\n"))
        usleep(500_000)  // the two silent ones pass the timeout and are closed
        #expect(try Self.exchange(server.port, "GET /metrics HTTP/1.1\r\n\r\n").hasSuffix("up 1\n"))
        let s = server.stats
        #expect(s.refused == 1 && s.timedOut == 2 && s.served == 1, "\(s)")
        _ = idle
    }

    @Test func onlyTCPAddressesAreTaken() {
        #expect(throws: TransportError.self) { try MetricsHTTPServer(bind: .udp(host: "127.0.0.1", port: 0, family: .ipv4)) }
    }
}
