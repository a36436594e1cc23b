#if canImport(Glibc)
import Glibc
#endif

/// Writes line protocol to InfluxDB 1.x's `/write` API: lines are batched into POSTs on one
/// keep-alive connection, and the error body InfluxDB returns is mapped back to the lines it names.
public final class HTTPWriter {
    public let target: Endpoint.HTTPTarget
    public var maxBatchLines = 5000
    public var maxBatchBytes = 1 << 20
    public var retries = 3
    /// How long one response may take to arrive whole after its request, in nanoseconds: a server
    /// that says nothing, or trickles, fails the write (ETIMEDOUT) instead of holding it up. 30 s.
    public var responseTimeout: Int64 = 30_000_000_000
    /// The largest response body read (InfluxDB's error bodies are a few hundred bytes): 16 MiB.
    public static let maxResponseBody = 16 << 20
    public private(set) var stats = SenderStats()
    /// Receives InfluxDB's rejections: the tag the line was queued with, and InfluxDB's reason.
    public var onRejectedLine: (_ tag: Int, _ reason: String) -> Void = { _, _ in }
    /// Receives problems with the whole request (database not found, server errors).
    public var onEvent: (String) -> Void = { _ in }

    private var socket: Socket?
    private var body: [UInt8] = []
    /// Start offset in `body` and caller tag of every queued line.
    private var lines: [(start: Int, tag: Int)] = []
    private let endpoint: Endpoint

    public init(target: Endpoint.HTTPTarget) throws(TransportError) {
        guard !target.secure else { throw .invalidAddress("https://\(target.host):\(target.port): https is not supported; use http:// on a trusted network or a local proxy") }
        self.target = target
        self.endpoint = .tcp(host: target.host, port: target.port, family: .any)
        socket = try Socket.connect(to: endpoint)
    }

    /// Queues one line (without newline); `tag` comes back with a rejection (an input line number).
    public func write(line: UnsafeRawBufferPointer, tag: Int) {
        lines.append((body.count, tag))
        body.append(contentsOf: line)
        body.append(0x0A)
        if lines.count >= maxBatchLines || body.count >= maxBatchBytes { flush() }
    }

    /// POSTs what is queued.
    public func flush() {
        guard !lines.isEmpty else { return }
        defer {
            body.removeAll(keepingCapacity: true)
            lines.removeAll(keepingCapacity: true)
        }
        var attempt = 0
        while true {
            attempt += 1
            switch post() {
            case .success(let (status, responseBody)):
                stats.datagrams += 1
                stats.bytes += body.count
                if status / 100 == 2 {
                    stats.lines += lines.count
                    return
                }
                if status >= 500 && attempt <= retries {
                    onEvent("\(target.host):\(target.port): HTTP \(status): \(Self.errorText(responseBody)); retrying")
                    sleepNanoseconds(Int64(attempt) * 200_000_000)
                    continue
                }
                handleError(status: status, body: responseBody)
                return
            case .failure(let e):
                stats.errors[e.errno?.name ?? "EIO", default: 0] += 1
                socket = nil
                // A server that answers garbage may have taken the lines: sending them again could
                // write them twice.
                if case .badResponse = e {
                    onEvent("\(e)")
                    stats.failedLines += lines.count
                    return
                }
                if attempt <= retries {
                    stats.reconnects += 1
                    sleepNanoseconds(Int64(attempt) * 100_000_000)
                    socket = try? Socket.connect(to: endpoint)
                    continue
                }
                onEvent("\(e)")
                stats.failedLines += lines.count
                return
            }
        }
    }

    public func close() {
        flush()
        socket?.close()
        socket = nil
    }

    /// `{"error":"..."}` → the message; anything else as it is.
    static func errorText(_ body: [UInt8]) -> String {
        let text = String(decoding: body, as: UTF8.self)
        guard let r = text.firstRange(of: "\"error\":\"") else { return text.trimmingCharacters(in: " \n\r") }
        var out = ""
        var escaped = false
        for ch in text[r.upperBound...] {
            if escaped {
                switch ch {
                case "n": out.append("\n")
                case "t": out.append("\t")
                default: out.append(ch)
                }
                escaped = false
            } else if ch == "\\" {
                escaped = true
            } else if ch == "\"" {
                break
            } else {
                out.append(ch)
            }
        }
        return out
    }

    /// Maps `unable to parse '<line>': <reason>` back to queued lines; the rest of the batch was
    /// written (a partial write) or, for a request-level error, counts as failed.
    private func handleError(status: Int, body responseBody: [UInt8]) {
        let message = Self.errorText(responseBody)
        var rejected = 0
        var search = Substring(message)
        while let r = search.firstRange(of: "unable to parse '") {
            let rest = search[r.upperBound...]
            guard let end = rest.firstRange(of: "': ") else { break }
            let lineText = Array(rest[..<end.lowerBound].utf8)
            var reasonEnd = rest[end.upperBound...].firstIndex(of: "\n") ?? rest.endIndex
            if let dropped = rest[end.upperBound..<reasonEnd].firstRange(of: " dropped=") { reasonEnd = dropped.lowerBound }
            let reason = String(rest[end.upperBound..<reasonEnd])
            if let tag = findLine(lineText) {
                onRejectedLine(tag, "InfluxDB rejected the line: \(reason)")
                rejected += 1
            }
            search = rest[reasonEnd...]
        }
        if rejected > 0 {
            stats.lines += lines.count - rejected
            return
        }
        if message.hasPrefix("partial write") {
            let dropped = message.split(separator: "dropped=").last.flatMap { Int($0.prefix { $0.isNumber }) } ?? 0
            stats.lines += lines.count - dropped
            stats.failedLines += dropped
            onEvent("\(target.host):\(target.port): HTTP \(status): \(message)")
            return
        }
        stats.failedLines += lines.count
        onEvent("\(target.host):\(target.port): HTTP \(status): \(message)")
    }

    private func findLine(_ text: [UInt8]) -> Int? {
        for (i, l) in lines.enumerated() {
            let end = i + 1 < lines.count ? lines[i + 1].start - 1 : body.count - 1
            var candidate = body[l.start..<end]
            if candidate.last == 0x0D { candidate = candidate.dropLast() }
            if candidate.elementsEqual(text) || body[l.start..<end].elementsEqual(text) { return l.tag }
        }
        return nil
    }

    private func post() -> Result<(Int, [UInt8]), TransportError> {
        if socket == nil {
            do throws(TransportError) {
                socket = try Socket.connect(to: endpoint)
            } catch {
                return .failure(error)
            }
        }
        guard let s = socket else { return .failure(.invalidAddress("no connection")) }
        let path = target.path + (target.query.isEmpty ? "" : "?" + target.query)
        var request = Array("POST \(path) HTTP/1.1\r\nHost: \(target.host):\(target.port)\r\nUser-Agent: metricat\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: \(body.count)\r\n\r\n".utf8)
        request += body
        if case .failure(let e) = request.withUnsafeBytes({ s.sendAll($0) }) {
            return .failure(.system(operation: "write", endpoint: endpoint.description, errno: e))
        }
        return readResponse(s)
    }

    /// Reads one response (``HTTPResponseReader``) within ``responseTimeout``; a connection the
    /// server closes, or answers badly on, is dropped here too.
    private func readResponse(_ s: Socket) -> Result<(Int, [UInt8]), TransportError> {
        var buffer = [UInt8](repeating: 0, count: 16384)
        let deadline = monotonicNow() + responseTimeout
        var problem: Errno?
        let result = HTTPResponseReader.read(maxBody: Self.maxResponseBody, receive: { data in
            guard HTTPGet.wait(s.fd, for: Int16(POLLIN), until: deadline) else {
                problem = .timedOut
                return false
            }
            switch buffer.withUnsafeMutableBytes({ s.receive(into: $0) }) {
            case .success(let n) where n > 0:
                data += buffer[0..<n]
                return true
            case .success:
                return false
            case .failure(let e):
                problem = e
                return false
            }
        }, problem: { problem.map { $0.name } })
        switch result {
        case .success(let r):
            if r.closes {
                socket?.close()
                socket = nil
            }
            return .success((r.status, r.body))
        case .failure(.read):
            // The connection broke or timed out before a whole response: the caller reconnects and
            // sends again.
            return .failure(.system(operation: "read response", endpoint: endpoint.description, errno: problem ?? .connectionReset))
        case .failure(.malformed(let m)):
            socket?.close()
            socket = nil
            return .failure(.badResponse(endpoint: endpoint.description, reason: m))
        }
    }
}
