import Foundation
import Testing

@testable import MetricTransport

/// The InfluxDB write client against a real server on 127.0.0.1 that answers each connection with
/// canned bytes: a good answer counts the lines written; a hostile one fails the write as a bad
/// response from the server, counted under EPROTO, not retried, and quickly.
@Suite struct HTTPWriterTests {
    struct Outcome {
        var stats: SenderStats
        var events: [String]
        var requests: [String]
        var elapsed: Duration
    }

    /// Writes two lines to a ``HTTPGetTests/CannedServer`` answering `answer` and flushes.
    func write(_ answer: [UInt8]?, retries: Int = 3, responseTimeout: Int64 = 10_000_000_000) throws -> Outcome {
        let server = try HTTPGetTests.CannedServer(answer, connections: retries + 1)
        let writer = try HTTPWriter(target: .init(host: "127.0.0.1", port: server.port, path: "/write", query: "db=x", secure: false))
        writer.retries = retries
        writer.responseTimeout = responseTimeout
        var events: [String] = []
        writer.onEvent = { events.append($0) }
        let start = ContinuousClock.now
        for (n, line) in ["m v=1", "m v=2"].enumerated() {
            Array(line.utf8).withUnsafeBytes { writer.write(line: $0, tag: n + 1) }
        }
        writer.flush()
        let elapsed = ContinuousClock.now - start
        writer.close()
        return Outcome(stats: writer.stats, events: events, requests: server.requests, elapsed: elapsed)
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
            #expect(o.stats.failedLines == 2, "\(what)")
            #expect(o.stats.lines == 0, "\(what)")
            #expect(o.stats.errors == ["EPROTO": 1], "\(what)")
            #expect(o.requests.count == 1, "\(what): a bad answer is not retried")
            #expect(o.events.count == 1 && o.events[0].hasSuffix(": bad response from server: " + message), "\(what): \(o.events)")
            #expect(o.elapsed < .seconds(5), "\(what): took \(o.elapsed)")
        }
    }

    @Test func aServerThatNeverAnswersTimesOut() throws {
        let o = try write(nil, retries: 0, responseTimeout: 300_000_000)
        #expect(o.stats.failedLines == 2)
        #expect(o.stats.errors == ["ETIMEDOUT": 1])
        #expect(o.elapsed < .seconds(5), "took \(o.elapsed)")
    }
}
