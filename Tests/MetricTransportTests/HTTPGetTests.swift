import Foundation
import Testing

@testable import MetricTransport

/// The GET behind `load --sink-report http://...`: URLs, and responses from a real server on
/// 127.0.0.1 that answers each connection with canned bytes (every body framing, broken answers,
/// silence, nothing listening).
@Suite struct HTTPGetTests {
    @Test(arguments: [
        ("http://127.0.0.1:8000/sink.json", HTTPURL(host: "127.0.0.1", port: 8000, target: "/sink.json")),
        ("http://collector.example/x/y?z=1", HTTPURL(host: "collector.example", port: 80, target: "/x/y?z=1")),
        ("HTTP://h:81", HTTPURL(host: "h", port: 81, target: "/")),
        ("http://h:81?a", HTTPURL(host: "h", port: 81, target: "/?a")),
        ("http://[::1]:8000/s", HTTPURL(host: "::1", port: 8000, target: "/s")),
    ])
    func parsesURLs(_ text: String, _ expected: HTTPURL) throws {
        #expect(try HTTPURL(parsing: text) == expected)
        #expect(HTTPURL.looksLikeURL(text))
    }

    @Test(arguments: [
        ("https://h/x", "https is not supported"),
        ("ftp://h/x", "unknown scheme 'ftp'"),
        ("http:///x", "the host is missing"),
        ("http://h:0/x", "'0' is not a port number"),
        ("http://h:99999/x", "'99999' is not a port number"),
        ("http://user:pw@h/x", "user names and passwords"),
        ("http://h/a b", "must not hold spaces"),
        ("http://::1:80/x", "an IPv6 address needs brackets"),
    ])
    func refusesBadURLs(_ text: String, _ message: String) {
        #expect(throws: EndpointError.self) { try HTTPURL(parsing: text) }
        do {
            _ = try HTTPURL(parsing: text)
        } catch {
            #expect(error.description.contains(message), "\(error)")
            #expect(error.description.contains("example: http://"), "\(error)")
        }
    }

    @Test func fileNamesAreNotURLs() {
        for name in ["sink.json", "/tmp/sink.json", "./a://b", "dir/x://y", "C:\\x"] { #expect(!HTTPURL.looksLikeURL(name), "\(name)") }
    }

    /// A server on 127.0.0.1 that reads one request per connection and answers with `answer` (nil:
    /// it says nothing and keeps the connection open until the client goes), for `connections`
    /// connections; returns its port and the requests it read.
    final class CannedServer: @unchecked Sendable {
        let socket: Socket
        let port: UInt16
        private let lock = NSLock()
        private var _requests: [String] = []
        var requests: [String] { lock.withLock { _requests } }

        init(_ answer: [UInt8]?, connections: Int = 1) throws {
            socket = try Socket.bind(.tcp(host: "127.0.0.1", port: 0, family: .ipv4))
            port = try socket.localAddress().port
            let fd = socket.fd
            Thread.detachNewThread { [self] in
                for _ in 0..<connections {
                    var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                    guard poll(&pfd, 1, 5000) > 0 else { return }
                    let c = accept(fd, nil, nil)
                    guard c >= 0 else { return }
                    var request: [UInt8] = []
                    var buffer = [UInt8](repeating: 0, count: 4096)
                    // Up to the end of the request headers, a body after them as it comes (bounded: 5 s, 64 KiB).
                    var cpfd = pollfd(fd: c, events: Int16(POLLIN), revents: 0)
                    func headersEnded() -> Bool { request.count >= 4 && (0...(request.count - 4)).contains { request[$0..<($0 + 4)].elementsEqual([13, 10, 13, 10]) } }
                    while request.count < 65536, !headersEnded(), poll(&cpfd, 1, 5000) > 0 {
                        let n = buffer.withUnsafeMutableBytes { recv(c, $0.baseAddress, $0.count, 0) }
                        if n <= 0 { break }
                        request += buffer[0..<n]
                    }
                    lock.withLock { _requests.append(String(decoding: request, as: UTF8.self)) }
                    if let answer {
                        _ = answer.withUnsafeBytes { send(c, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                    } else {
                        // Silent: wait for the client to give up and close (bounded).
                        _ = poll(&cpfd, 1, 5000)
                    }
                    close(c)
                }
            }
        }

        var url: HTTPURL { HTTPURL(host: "127.0.0.1", port: port, target: "/sink.json?x=1") }
    }

    func get(_ answer: String?, timeout: Int64 = 2_000_000_000) throws -> (Result<HTTPGet.Response, HTTPGet.Failure>, CannedServer) {
        let server = try CannedServer(answer.map { Array($0.utf8) })
        return (HTTPGet.get(server.url, timeout: timeout), server)
    }

    @Test func readsBodiesByLengthByChunksAndToTheEnd() throws {
        let (sized, server) = try get("HTTP/1.0 200 OK\r\nContent-Type: application/json\r\nContent-Length: 5\r\n\r\nhello and more")
        #expect(try sized.get() == HTTPGet.Response(status: 200, reason: "OK", body: Array("hello".utf8)))
        let request = try #require(server.requests.first)
        #expect(request.hasPrefix("GET /sink.json?x=1 HTTP/1.1\r\n"), "\(request)")
        #expect(request.contains("\r\nHost: 127.0.0.1:\(server.port)\r\n"))
        #expect(request.contains("\r\nConnection: close\r\n"))
        let (chunked, _) = try get("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\n\r\n")
        #expect(try chunked.get().body == Array("hello, world".utf8))
        let (toEnd, _) = try get("HTTP/1.1 404 Not Found\r\nServer: x\r\n\r\nno such file")
        #expect(try toEnd.get() == HTTPGet.Response(status: 404, reason: "Not Found", body: Array("no such file".utf8)))
    }

    @Test func brokenAnswersAreErrorsNotCrashes() throws {
        let cases: [(String?, String)] = [
            ("", "closed the connection without a response"),
            ("SSH-2.0-OpenSSH_9.2\r\n\r\n", "not an HTTP response"),
            ("HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\nshort", "ended after 5 of 50 body bytes"),
            ("HTTP/1.1 200 OK\r\nContent-Length: -3\r\n\r\n", "bad Content-Length"),
            ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n", "bad chunk size"),
            ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nhel", "inside a chunk"),
            ("HTTP/1.1 200 OK\r\nContent-Length: 99999999999\r\n\r\n", "larger than 16 MiB"),
            (nil, "timed out reading the response"),
        ]
        for (answer, message) in cases {
            let (r, _) = try get(answer, timeout: 500_000_000)
            guard case .failure(let f) = r else {
                Issue.record("\(String(describing: answer)): expected a failure, got \(r)")
                continue
            }
            #expect(f.description.contains(message), "\(String(describing: answer)): \(f)")
        }
    }

    /// Answers that lie about sizes or never end a line: each is a clear error, quickly, whatever
    /// the server goes on sending.
    @Test func hostileAnswersAreBoundedErrors() throws {
        let noCRLF = [UInt8](repeating: UInt8(ascii: "a"), count: 17 << 20)
        let endlessHeaders = Array(String(repeating: "X-Filler: 0123456789abcdef\r\n", count: 5000).utf8)
        let cases: [([UInt8], String)] = [
            (Array("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n7fffffffffffffff\r\nhello\r\n".utf8), "larger than 16 MiB"),
            (Array("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffffffffff\r\nhello\r\n".utf8), "larger than 16 MiB"),
            (Array("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n-5\r\nhello\r\n".utf8), "a bad chunk size '-5'"),
            (Array("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n+5\r\nhello\r\n0\r\n\r\n".utf8), "a bad chunk size '+5'"),
            (Array("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloXX0\r\n\r\n".utf8), "not followed by CRLF"),
            (Array("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".utf8) + noCRLF, "chunk-size line is longer than 1 KiB"),
            (Array("HTTP/1.1 200 OK\r\nContent-Length: 9223372036854775808\r\n\r\n".utf8), "larger than 16 MiB"),
            (Array("HTTP/1.1 200 OK\r\nContent-Length: 9223372036854775807\r\n\r\n".utf8), "larger than 16 MiB"),
            (Array("HTTP/1.1 200 OK\r\nContent-Length: +5\r\n\r\nhello".utf8), "bad Content-Length"),
            (Array("HTTP/1.1 200 OK\r\nX: ".utf8) + noCRLF, "header line is longer than 8 KiB"),
            (noCRLF, "header line is longer than 8 KiB"),
            (Array("HTTP/1.1 200 OK\r\n".utf8) + endlessHeaders, "headers are longer than 64 KiB"),
        ]
        for (answer, message) in cases {
            let server = try CannedServer(answer)
            let start = ContinuousClock.now
            let r = HTTPGet.get(server.url, timeout: 10_000_000_000)
            let elapsed = ContinuousClock.now - start
            let what = String(decoding: answer.prefix(70), as: UTF8.self).debugDescription
            guard case .failure(.malformed(let m)) = r else {
                Issue.record("\(what): expected a malformed answer, got \(r)")
                continue
            }
            #expect(m.contains(message), "\(what): \(m)")
            #expect(elapsed < .seconds(5), "\(what): took \(elapsed)")
        }
    }

    @Test func nothingListeningIsConnectionRefused() throws {
        // A port bound and closed again: nothing listens there.
        let s = try Socket.bind(.tcp(host: "127.0.0.1", port: 0, family: .ipv4))
        let port = try s.localAddress().port
        s.close()
        let r = HTTPGet.get(HTTPURL(host: "127.0.0.1", port: port, target: "/"), timeout: 1_000_000_000)
        #expect(r == .failure(.connect(.connectionRefused)))
        if case .failure(let f) = r { #expect(f.description.contains("connection refused (ECONNREFUSED)")) }
    }
}
