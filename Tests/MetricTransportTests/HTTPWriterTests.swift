import Foundation
import Testing

@testable import MetricTransport

/// The InfluxDB write client against a real server on 127.0.0.1 that answers each connection with
/// canned bytes: a good answer counts the lines written; a hostile one fails the write as a bad
/// response from the server, counted under EPROTO, not retried, and quickly.
@Suite struct HTTPWriterTests {
    struct Outcome {
        var stats: SenderStats
        var unconfirmed: Int
        var rejected: Int
        var rejections: [String]
        var events: [String]
        var requests: [String]
        var elapsed: Duration
    }

    /// Writes two lines to a ``HTTPGetTests/CannedServer`` answering `answer` and flushes.
    func write(
        _ answer: [UInt8]?, lines: [String] = ["m v=1", "m v=2"], retries: Int = 3, responseTimeout: Int64 = 10_000_000_000
    ) throws -> Outcome {
        let server = try HTTPGetTests.CannedServer(answer, connections: retries + 1)
        let writer = try HTTPWriter(target: .init(host: "127.0.0.1", port: server.port, path: "/write", query: "db=x", secure: false))
        writer.retries = retries
        writer.responseTimeout = responseTimeout
        var events: [String] = []
        writer.onEvent = { events.append($0) }
        var rejections: [String] = []
        writer.onRejectedLine = { rejections.append("\($0): \($1)") }
        let start = ContinuousClock.now
        for (n, line) in lines.enumerated() {
            Array(line.utf8).withUnsafeBytes { writer.write(line: $0, tag: n + 1) }
        }
        writer.flush()
        let elapsed = ContinuousClock.now - start
        writer.close()
        return Outcome(
            stats: writer.stats, unconfirmed: writer.unconfirmedLines, rejected: writer.rejectedLines, rejections: rejections, events: events, requests: server.requests,
            elapsed: elapsed)
    }

    @Test func aGoodAnswerCountsTheLines() throws {
        let o = try write(Array("HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n".utf8))
        #expect(o.stats.lines == 2)
        #expect(o.stats.failedLines == 0)
        #expect(o.stats.errors.isEmpty)
        #expect(o.requests.count == 1)
        #expect(o.requests.first?.hasPrefix("POST /write?db=x HTTP/1.1\r\n") == true)
    }

    @Test func hostileAnswersFailTheWriteAsABadResponse() throws {
        let noCRLF = [UInt8](repeating: UInt8(ascii: "a"), count: 17 << 20)
        let endlessHeaders = Array(String(repeating: "X-Filler: 0123456789abcdef\r\n", count: 5000).utf8)
        let chunked = Array("HTTP/1.1 400 Bad Request\r\nTransfer-Encoding: chunked\r\n\r\n".utf8)
        let cases: [([UInt8], String)] = [
            (chunked + Array("7fffffffffffffff\r\nhello\r\n".utf8), "the response body is larger than 16 MiB"),
            (chunked + Array("-1\r\nhello\r\n".utf8), "a bad chunk size '-1': expected hex digits"),
            (chunked + Array("zz\r\nhello\r\n".utf8), "a bad chunk size 'zz': expected hex digits"),
            (chunked + noCRLF, "a chunk-size line is longer than 1 KiB"),
            (Array("HTTP/1.1 200 OK\r\nContent-Length: 9223372036854775808\r\n\r\n".utf8), "the response body is larger than 16 MiB"),
            (Array("HTTP/1.1 204 No Content\r\n".utf8) + endlessHeaders, "the response headers are longer than 64 KiB"),
            (Array("HTTP/1.1 204 No Content\r\nX: ".utf8) + noCRLF, "a response header line is longer than 8 KiB"),
        ]
        for (answer, message) in cases {
            let what = String(decoding: answer.prefix(80), as: UTF8.self).debugDescription
            let o = try write(answer)
            // The request went out whole: the server may have stored the lines, so they are
            // unconfirmed, not failed, and not sent again.
            #expect(o.stats.failedLines == 0, "\(what)")
            #expect(o.unconfirmed == 2, "\(what)")
            #expect(o.stats.lines == 0, "\(what)")
            #expect(o.stats.errors == ["EPROTO": 1], "\(what)")
            #expect(o.requests.count == 1, "\(what): a bad answer is not retried")
            #expect(o.events.count == 1 && o.events[0].hasSuffix(": bad response from server: " + message), "\(what): \(o.events)")
            #expect(o.elapsed < .seconds(5), "\(what): took \(o.elapsed)")
        }
    }

    static func answer400(_ error: String) -> [UInt8] {
        let body = "{\"error\":\"\(error)\"}"
        return Array("HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)".utf8)
    }

    /// InfluxDB 1.x's answers to bad data (as its 1.6 server words them): every line ends up stored
    /// or rejected, at the line it belongs to when the answer allows, never as undelivered.
    @Test func influxDBsRejectionsAreCountedAtTheirLines() throws {
        let conflict = #"partial write: field type conflict: input field \"v\" on measurement \"m\" is type float, already exists as type integer"#
        // The conflicting line is found by the field, measurement and type InfluxDB names.
        var o = try write(Self.answer400(conflict + " dropped=1"), lines: ["m v=1i", "m v=1.5", "other v=2.5"])
        #expect(o.stats.lines == 2 && o.rejected == 1 && o.stats.failedLines == 0 && o.unconfirmed == 0)
        #expect(
            o.rejections == ["2: InfluxDB rejected the line: field type conflict: input field \"v\" on measurement \"m\" is type float, already exists as type integer"],
            "\(o.rejections)")
        // More dropped than can be told apart: the batch is named, with the count.
        o = try write(Self.answer400(conflict + " dropped=2"), lines: ["m v=1i", "m v=1.5", "other v=2.5"])
        #expect(o.stats.lines == 1 && o.rejected == 2)
        #expect(
            o.rejections.count == 1 && o.rejections[0].hasPrefix("1: InfluxDB dropped 2 of the 3 lines from here to line 3 and did not say which: field type conflict"),
            "\(o.rejections)")
        // Lines it could not parse are named one by one.
        o = try write(Self.answer400(#"partial write: unable to parse 'm v=2x': invalid number\nunable to parse 'n': missing fields dropped=0"#), lines: ["m v=1", "m v=2x", "n"])
        #expect(o.stats.lines == 1 && o.rejected == 2)
        #expect(o.rejections == ["2: InfluxDB rejected the line: invalid number", "3: InfluxDB rejected the line: missing fields"], "\(o.rejections)")
        // A 400 that is not a partial write: nothing of the batch was stored.
        o = try write(Self.answer400("field type conflict"), lines: ["n v=1i", "n v=1.5"])
        #expect(o.stats.lines == 0 && o.rejected == 2 && o.stats.failedLines == 0)
        #expect(o.rejections == ["1: InfluxDB refused the whole batch of 2 lines from here to line 2: field type conflict"], "\(o.rejections)")
        // Not a data problem: the batch was not delivered.
        let body = #"{"error":"database not found: \"x\""}"#
        o = try write(Array("HTTP/1.1 404 Not Found\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)".utf8), lines: ["m v=1", "m v=2"])
        #expect(o.stats.failedLines == 2 && o.rejected == 0 && o.stats.lines == 0)
    }

    /// A server that accepts (in the kernel) but never reads: the request's write stops making
    /// progress, and after --write-timeout the batch fails (it was never sent whole) instead of
    /// blocking the run.
    @Test func aServerThatStopsReadingFailsTheWriteWithinTheWriteTimeout() throws {
        let server = try Socket.bind(.tcp(host: "127.0.0.1", port: 0, family: .ipv4))  // never accepts, never reads
        let writer = try HTTPWriter(target: .init(host: "127.0.0.1", port: try server.localAddress().port, path: "/write", query: "db=x", secure: false))
        writer.retries = 0
        writer.writeTimeout = 300_000_000
        writer.maxBatchBytes = 256 << 20
        writer.maxBatchLines = 1 << 30
        let line = Array(("m v=1,pad=\"" + String(repeating: "x", count: 1000) + "\"").utf8)
        let start = ContinuousClock.now
        for n in 0..<40_000 { line.withUnsafeBytes { writer.write(line: $0, tag: n + 1) } }  // about 40 MB
        writer.flush()
        let elapsed = ContinuousClock.now - start
        #expect(writer.stats.failedLines == 40_000)
        #expect(writer.unconfirmedLines == 0)
        #expect(writer.stats.lines == 0)
        #expect(writer.stats.errors == ["ETIMEDOUT": 1], "\(writer.stats.errors)")
        #expect(elapsed < .seconds(10), "took \(elapsed)")
        _ = server
    }

    @Test func aServerThatNeverAnswersTimesOut() throws {
        let o = try write(nil, retries: 0, responseTimeout: 300_000_000)
        #expect(o.stats.failedLines == 0)
        #expect(o.unconfirmed == 2)
        #expect(o.stats.errors == ["ETIMEDOUT": 1])
        #expect(o.elapsed < .seconds(5), "took \(o.elapsed)")
    }

    /// Found with a server that closes at random points: the first try went out whole and the
    /// server closed without answering (it may have stored the batch), then the server went away,
    /// so the retry was refused before sending anything. The batch is unconfirmed, not failed:
    /// lines the server may hold are never reported as failed.
    @Test func aBatchSentWholeOnceIsUnconfirmedEvenWhenTheRetryIsRefused() throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, len) == 0 && listen(listener, 8) == 0 && getsockname(listener, $0, &len) == 0 }
        }
        try #require(ok)
        let port = UInt16(bigEndian: addr.sin_port)
        let stored = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            // Reads the whole request (it is small), "stores" it, closes without an answer, and
            // stops listening, so the retry's connect is refused.
            let c = accept(listener, nil, nil)
            var request: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 4096)
            while !String(decoding: request, as: UTF8.self).hasSuffix("m v=2\n") {
                let n = buffer.withUnsafeMutableBytes { recv(c, $0.baseAddress, $0.count, 0) }
                if n <= 0 { break }
                request += buffer[0..<n]
            }
            close(listener)
            close(c)
            stored.signal()
        }
        let writer = try HTTPWriter(target: .init(host: "127.0.0.1", port: port, path: "/write", query: "db=x", secure: false))
        writer.retries = 2
        var events: [String] = []
        writer.onEvent = { events.append($0) }
        for (n, line) in ["m v=1", "m v=2"].enumerated() { Array(line.utf8).withUnsafeBytes { writer.write(line: $0, tag: n + 1) } }
        writer.flush()
        #expect(stored.wait(timeout: .now() + 5) == .success)
        #expect(writer.unconfirmedLines == 2, "\(events)")
        #expect(writer.stats.failedLines == 0)
        #expect(writer.stats.lines == 0)
        #expect(writer.stats.errors["ECONNREFUSED"] ?? 0 > 0, "\(writer.stats.errors)")
    }
}
