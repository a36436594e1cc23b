#if canImport(Glibc)
import Glibc
#endif

/// One HTTP/1.1 response read off a connection, for the two clients here (``HTTPWriter`` to InfluxDB
/// and ``HTTPGet``): the status line and headers, then the body by Content-Length, by chunked coding,
/// or up to the end of the connection; no body for 1xx, 204 and 304.
enum HTTPResponseReader {
    struct Response {
        var status: Int
        var reason: String
        var body: [UInt8]
        /// The server said `Connection: close`.
        var closes: Bool
    }

    enum Failure: Error {
        /// The connection ended, broke or timed out before a whole response came.
        case read(String)
        /// What came back is not HTTP, or larger than allowed.
        case malformed(String)
    }

    /// Reads one response.
    /// - Parameters:
    ///   - maxBody: the largest body accepted; the headers may add 64 KiB.
    ///   - receive: appends what arrived to the buffer; false at the end of the connection or on an error.
    ///   - problem: after `receive` returned false, what went wrong (nil: the peer closed the connection).
    static func read(maxBody: Int, receive: (inout [UInt8]) -> Bool, problem: () -> String?) -> Result<Response, Failure> {
        var data: [UInt8] = []
        var ended = false
        var tooLarge = false
        func more() -> Bool {
            if ended || tooLarge { return false }
            if !receive(&data) {
                ended = true
                return false
            }
            if data.count > maxBody + 65536 {
                tooLarge = true
                return false
            }
            return true
        }
        /// Why reading stopped, with `what` saying where the end came when the peer just closed.
        func stopped(_ what: String) -> Failure {
            if tooLarge { return .malformed("the response is larger than \(maxBody >> 20) MiB") }
            return .read(problem() ?? what)
        }
        var headerEnd: Int?
        while headerEnd == nil {
            if let i = find([13, 10, 13, 10], in: data) {
                headerEnd = i
            } else if data.count > 65536 {
                return .failure(.malformed("the response headers are longer than 64 KiB"))
            } else if !more() {
                if tooLarge || problem() != nil { return .failure(stopped("")) }
                return .failure(data.isEmpty ? .read("the server closed the connection without a response") : .malformed("not an HTTP response (no end of headers)"))
            }
        }
        let head = String(decoding: data[0..<headerEnd!], as: UTF8.self)
        let headLines = head.split(separator: "\r\n", omittingEmptySubsequences: false)
        let statusLine = headLines.first.map(String.init) ?? ""
        let parts = statusLine.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/"), let status = Int(parts[1]), (100...999).contains(status) else {
            return .failure(.malformed("not an HTTP response: '\(String(statusLine.prefix(60)))'"))
        }
        let reason = parts.count > 2 ? String(parts[2]) : ""
        var contentLength: Int?
        var chunked = false
        var closes = false
        for h in headLines.dropFirst() {
            let lower = h.lowercased()
            if lower.hasPrefix("content-length:") {
                guard let n = Int(String(lower.dropFirst(15)).trimmingCharacters(in: " \t")), n >= 0 else {
                    return .failure(.malformed("a bad Content-Length header: '\(h)'"))
                }
                contentLength = n
            }
            if lower.hasPrefix("transfer-encoding:") && lower.contains("chunked") { chunked = true }
            if lower.hasPrefix("connection:") && lower.contains("close") { closes = true }
        }
        if let n = contentLength, n > maxBody { return .failure(.malformed("the response body is larger than \(maxBody >> 20) MiB")) }
        let bodyStart = headerEnd! + 4
        var body: [UInt8] = []
        if (100..<200).contains(status) || status == 204 || status == 304 {
            // No body, whatever the headers say.
        } else if chunked {
            var at = bodyStart
            while true {
                guard let lineEnd = find([13, 10], in: data, from: at) else {
                    if !more() { return .failure(stopped("the connection ended inside a chunk header")) }
                    continue
                }
                let sizeText = String(decoding: data[at..<lineEnd], as: UTF8.self)
                guard let size = Int(sizeText.split(separator: ";").first.map { String($0).trimmingCharacters(in: " ") } ?? "", radix: 16), size >= 0 else {
                    return .failure(.malformed("a bad chunk size '\(String(sizeText.prefix(20)))'"))
                }
                if size == 0 { break }
                if body.count + size > maxBody { return .failure(.malformed("the response body is larger than \(maxBody >> 20) MiB")) }
                while data.count < lineEnd + 2 + size + 2 {
                    if !more() { return .failure(stopped("the connection ended inside a chunk")) }
                }
                body += data[(lineEnd + 2)..<(lineEnd + 2 + size)]
                at = lineEnd + 2 + size + 2
            }
        } else if let n = contentLength {
            while data.count < bodyStart + n {
                if !more() { return .failure(stopped("the connection ended after \(data.count - bodyStart) of \(n) body bytes")) }
            }
            body = Array(data[bodyStart..<(bodyStart + n)])
        } else {
            // No length: the body runs to the end of the connection.
            while more() {}
            if tooLarge || problem() != nil { return .failure(stopped("")) }
            body = Array(data[bodyStart...])
        }
        return .success(Response(status: status, reason: reason, body: body, closes: closes))
    }

    static func find(_ needle: [UInt8], in hay: [UInt8], from: Int = 0) -> Int? {
        guard hay.count >= needle.count, from <= hay.count - needle.count else { return nil }
        var i = from
        while i <= hay.count - needle.count {
            if hay[i] == needle[0] && hay[i..<(i + needle.count)].elementsEqual(needle) { return i }
            i += 1
        }
        return nil
    }
}
