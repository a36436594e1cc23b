#if canImport(Glibc)
    import Glibc
#endif

/// One HTTP/1.1 response read off a connection, for the two clients here (``HTTPWriter`` to InfluxDB
/// and ``HTTPGet``): the status line and headers, then the body by Content-Length, by chunked coding,
/// or up to the end of the connection; no body for 1xx, 204 and 304.
///
/// Every part is bounded (``maxLineBytes``, ``maxHeaderBytes``, ``maxChunkLineBytes`` and the
/// caller's `maxBody`), and every byte is looked at once, so a server that answers too much, never
/// ends a line or lies about sizes costs at most a few MiB and a pass over them.
enum HTTPResponseReader {
    /// The longest status or header line, CRLF excluded: 8 KiB, as nginx's default header buffer.
    static let maxLineBytes = 8192
    /// The longest header block, status line and final empty line included: 64 KiB.
    static let maxHeaderBytes = 65536
    /// The longest chunk-size line (hex size and extensions, CRLF excluded): 1 KiB.
    static let maxChunkLineBytes = 1024

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
    ///   - maxBody: the largest body accepted, in bytes.
    ///   - receive: appends what arrived to the buffer; false at the end of the connection or on an error.
    ///   - problem: after `receive` returned false, what went wrong (nil: the peer closed the connection).
    static func read(maxBody: Int, receive: (inout [UInt8]) -> Bool, problem: () -> String?) -> Result<Response, Failure> {
        var data: [UInt8] = []
        var ended = false
        var tooLarge = false
        // Headers, chunk-size lines and chunk trailers around the body: what the buffer may hold past it.
        let maxData = maxBody + maxHeaderBytes + maxChunkLineBytes + 4
        func more() -> Bool {
            if ended || tooLarge { return false }
            if !receive(&data) {
                ended = true
                return false
            }
            if data.count > maxData {
                tooLarge = true
                return false
            }
            return true
        }
        func bodyTooLarge() -> Failure { .malformed("the response body is larger than \(sizeText(maxBody))") }
        /// Why reading stopped, with `what` saying where the end came when the peer just closed.
        func stopped(_ what: String) -> Failure {
            if tooLarge { return bodyTooLarge() }
            return .read(problem() ?? what)
        }

        // The header block, line by line, each byte scanned once.
        var headerEnd = -1
        var lineStart = 0
        var scanned = 0
        while headerEnd < 0 {
            while scanned < data.count {
                if data[scanned] == 10 && scanned > lineStart && data[scanned - 1] == 13 {
                    if scanned - 1 == lineStart {
                        headerEnd = lineStart
                        break
                    }
                    lineStart = scanned + 1
                }
                scanned += 1
            }
            if headerEnd >= 0 { break }
            if data.count - lineStart > maxLineBytes + 1 {
                return .failure(.malformed("a response header line is longer than \(sizeText(maxLineBytes))"))
            }
            if data.count > maxHeaderBytes {
                return .failure(.malformed("the response headers are longer than \(sizeText(maxHeaderBytes))"))
            }
            if !more() {
                if problem() != nil { return .failure(stopped("")) }
                return .failure(data.isEmpty ? .read("the server closed the connection without a response") : .malformed("not an HTTP response (no end of headers)"))
            }
        }
        if headerEnd + 2 > maxHeaderBytes {
            return .failure(.malformed("the response headers are longer than \(sizeText(maxHeaderBytes))"))
        }
        let head = String(decoding: data[0..<max(0, headerEnd - 2)], as: UTF8.self)
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
                // Digits only: Int() would take a sign.
                let text = String(lower.dropFirst(15)).trimmingCharacters(in: " \t")
                guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else {
                    return .failure(.malformed("a bad Content-Length header: '\(String(h.prefix(80)))'"))
                }
                // Past Int's range is past any limit too.
                contentLength = Int(text) ?? Int.max
            }
            if lower.hasPrefix("transfer-encoding:") && lower.contains("chunked") { chunked = true }
            if lower.hasPrefix("connection:") && lower.contains("close") { closes = true }
        }
        let bodyStart = headerEnd + 2
        var body: [UInt8] = []
        if (100..<200).contains(status) || status == 204 || status == 304 {
            // No body, whatever the headers say.
        } else if chunked {
            var at = bodyStart
            var scanned = at
            while true {
                // The chunk-size line: hex digits, optional `;extensions`, CRLF.
                var lineEnd = -1
                while lineEnd < 0 {
                    while scanned + 1 < data.count {
                        if data[scanned] == 13 && data[scanned + 1] == 10 {
                            lineEnd = scanned
                            break
                        }
                        scanned += 1
                    }
                    if lineEnd >= 0 { break }
                    if data.count - at > maxChunkLineBytes + 1 {
                        return .failure(.malformed("a chunk-size line is longer than \(sizeText(maxChunkLineBytes))"))
                    }
                    if !more() { return .failure(stopped("the connection ended inside a chunk header")) }
                }
                if lineEnd - at > maxChunkLineBytes {
                    return .failure(.malformed("a chunk-size line is longer than \(sizeText(maxChunkLineBytes))"))
                }
                guard let size = chunkSize(data[at..<lineEnd], limit: maxBody - body.count) else {
                    return .failure(.malformed("a bad chunk size '\(String(decoding: data[at..<min(lineEnd, at + 20)], as: UTF8.self))': expected hex digits"))
                }
                if size > maxBody - body.count { return .failure(bodyTooLarge()) }
                if size == 0 { break }
                let dataStart = lineEnd + 2
                while data.count < dataStart + size + 2 {
                    if !more() { return .failure(stopped("the connection ended inside a chunk")) }
                }
                guard data[dataStart + size] == 13 && data[dataStart + size + 1] == 10 else {
                    return .failure(.malformed("a chunk of \(size) bytes is not followed by CRLF"))
                }
                body += data[dataStart..<(dataStart + size)]
                at = dataStart + size + 2
                scanned = at
            }
        } else if let n = contentLength {
            if n > maxBody { return .failure(bodyTooLarge()) }
            while data.count < bodyStart + n {
                if !more() { return .failure(stopped("the connection ended after \(data.count - bodyStart) of \(n) body bytes")) }
            }
            body = Array(data[bodyStart..<(bodyStart + n)])
        } else {
            // No length: the body runs to the end of the connection.
            while more() {}
            if tooLarge || data.count - bodyStart > maxBody { return .failure(bodyTooLarge()) }
            if problem() != nil { return .failure(stopped("")) }
            body = Array(data[bodyStart...])
        }
        return .success(Response(status: status, reason: reason, body: body, closes: closes))
    }

    /// The hex size at the start of a chunk-size line (spaces and `;extensions` after it ignored);
    /// nil when it is not hex digits. Values past `limit` come back as `limit + 1` without overflow.
    static func chunkSize(_ line: ArraySlice<UInt8>, limit: Int) -> Int? {
        var size = 0
        var digits = 0
        var i = line.startIndex
        while i < line.endIndex {
            let c = line[i]
            let d: Int
            switch c {
            case 48...57: d = Int(c) - 48
            case 65...70: d = Int(c) - 55
            case 97...102: d = Int(c) - 87
            default: d = -1
            }
            if d < 0 { break }
            digits += 1
            if size <= limit { size = size * 16 + d }
            i += 1
        }
        guard digits > 0 else { return nil }
        while i < line.endIndex, line[i] == 32 || line[i] == 9 { i += 1 }
        guard i == line.endIndex || line[i] == 59 else { return nil }
        return min(size, limit + 1)
    }

    /// `16 MiB`, `8 KiB` or `N bytes`.
    static func sizeText(_ n: Int) -> String {
        if n >= 1 << 20 && n % (1 << 20) == 0 { return "\(n >> 20) MiB" }
        if n >= 1 << 10 && n % (1 << 10) == 0 { return "\(n >> 10) KiB" }
        return "\(n) bytes"
    }
}
