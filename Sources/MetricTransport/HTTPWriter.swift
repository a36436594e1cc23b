import MetricFormats
import Synchronization
import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

/// Writes line protocol to InfluxDB 1.x's `/write` API: lines are batched into POSTs on one
/// keep-alive connection, and the error body InfluxDB returns is mapped back to the lines it names.
///
/// Every line ends in one count: stored (`stats.lines`, confirmed by the server), rejected as bad
/// data (``rejectedLines``, HTTP 400), unconfirmed (``unconfirmedLines``: sent whole, but the answer
/// never came, so the server may have stored them) or failed (`stats.failedLines`: never sent whole).
/// Delivery is at-least-once: a batch whose answer is lost is sent again on a new connection, and
/// the server may then store it twice.
public final class HTTPWriter {
    public let target: Endpoint.HTTPTarget
    public var maxBatchLines = 5000
    public var maxBatchBytes = 1 << 20
    public var retries = 3
    /// How long one response may take to arrive whole after its request, in nanoseconds: a server
    /// that says nothing, or trickles, fails the write (ETIMEDOUT) instead of holding it up. 30 s.
    public var responseTimeout: Int64 = 30_000_000_000
    /// How long a connect or the request's write may make no progress, in nanoseconds (`--write-timeout`):
    /// a server that stops reading fails the try instead of holding the run. 5 s.
    public var writeTimeout: Int64 = 5_000_000_000
    /// The largest response body read (InfluxDB's error bodies are a few hundred bytes): 16 MiB.
    public static let maxResponseBody = 16 << 20
    public private(set) var stats = SenderStats()
    /// Lines InfluxDB refused as bad data (HTTP 400): each reported through ``onRejectedLine``.
    public private(set) var rejectedLines = 0
    /// Lines sent whole whose answer never came on the last try: the server may have stored them.
    public private(set) var unconfirmedLines = 0
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
        socket = try Socket.connect(to: endpoint, sendTimeout: writeTimeout)
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
        // An earlier try went out whole and its answer was lost: the server may hold the batch,
        // whatever the later tries do (a refused reconnect, a write cut short, a server error).
        var sentBefore = false
        while true {
            attempt += 1
            let (result, sentWhole) = post()
            switch result {
            case .success(let (status, responseBody)):
                stats.datagrams += 1
                stats.bytes += body.count
                if status / 100 == 2 {
                    stats.lines += lines.count
                    return
                }
                if status >= 500 && attempt <= retries && !pastStop {
                    onEvent("\(target.host):\(target.port): HTTP \(status): \(Self.errorText(responseBody)); retrying")
                    sleepNanoseconds(Int64(attempt) * 200_000_000)
                    continue
                }
                if sentBefore && status != 400 {
                    onEvent(
                        "\(target.host):\(target.port): HTTP \(status): \(Self.errorText(responseBody)); an earlier try of these \(lines.count) lines went out whole, so the server may have stored them"
                    )
                    unconfirmedLines += lines.count
                    return
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
                    unconfirmedLines += lines.count
                    return
                }
                // Sent again on a new connection: when the lost answer followed a whole request,
                // the server may have stored the batch already (at-least-once).
                if sentWhole { sentBefore = true }
                if attempt <= retries && !pastStop {
                    stats.reconnects += 1
                    sleepNanoseconds(Int64(attempt) * 100_000_000)
                    socket = try? Socket.connect(to: endpoint, sendTimeout: writeTimeout)
                    continue
                }
                onEvent("\(e)")
                if sentBefore {
                    unconfirmedLines += lines.count
                } else {
                    stats.failedLines += lines.count
                }
                return
            }
        }
    }

    public func close() {
        flush()
        socket?.close()
        socket = nil
    }

    /// The monotonic time past which nothing waits (``stop(by:)``); set from any thread.
    private let stopBy = Atomic<Int64>(.max)

    /// Bounds every later wait (a connect, a write, an answer, a retry) by `deadline` (monotonic
    /// ns), as ``Sender/stop(by:)`` does: a batch whose answer has not come by then counts as
    /// unconfirmed when it went out whole, else as failed. Callable from another thread.
    public func stop(by deadline: Int64) {
        stopBy.store(deadline, ordering: .relaxed)
    }

    private var pastStop: Bool { monotonicNow() >= stopBy.load(ordering: .relaxed) }

    /// `timeout`, shortened to what is left before ``stop(by:)``'s deadline (at least 1 ms).
    private func bounded(_ timeout: Int64) -> Int64 {
        max(1_000_000, min(timeout, stopBy.load(ordering: .relaxed) &- monotonicNow()))
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

    /// An answer that is not 2xx. HTTP 400 is InfluxDB refusing data: the lines it names, the lines
    /// a `partial write ... dropped=N` dropped (found by the field-type conflict it names, else
    /// reported as N lines of the batch it did not name), or the whole batch. Any other status
    /// (database not found, authorization, a server error after the retries) fails the batch.
    private func handleError(status: Int, body responseBody: [UInt8]) {
        let message = Self.errorText(responseBody)
        guard status == 400 else {
            stats.failedLines += lines.count
            onEvent("\(target.host):\(target.port): HTTP \(status): \(message)")
            return
        }
        var named = Set<Int>()
        var search = Substring(message)
        while let r = search.firstRange(of: "unable to parse '") {
            let rest = search[r.upperBound...]
            guard let end = rest.firstRange(of: "': ") else { break }
            let lineText = Array(rest[..<end.lowerBound].utf8)
            var reasonEnd = rest[end.upperBound...].firstIndex(of: "\n") ?? rest.endIndex
            if let dropped = rest[end.upperBound..<reasonEnd].firstRange(of: " dropped=") { reasonEnd = dropped.lowerBound }
            let reason = String(rest[end.upperBound..<reasonEnd])
            if let index = findLine(lineText), named.insert(index).inserted {
                onRejectedLine(lines[index].tag, "InfluxDB rejected the line: \(reason)")
            }
            search = rest[reasonEnd...]
        }
        let partial = message.hasPrefix("partial write")
        var rejected = named.count
        if partial, let r = message.ranges(of: " dropped=").last,
            let dropped = Int(message[r.upperBound...].prefix { $0.isNumber }), dropped > 0
        {
            // The reason after "partial write: ", less what named lines already said.
            var reason = message[message.index(message.startIndex, offsetBy: min(15, message.count))..<r.lowerBound]
            if let lastParse = reason.ranges(of: "unable to parse '").last, let nl = reason[lastParse.upperBound...].firstIndex(of: "\n") {
                reason = reason[reason.index(after: nl)...]
            }
            let conflicting = Self.typeConflict(String(reason)).map { conflictingLines($0, excluding: named) } ?? []
            if conflicting.count == dropped {
                for index in conflicting { onRejectedLine(lines[index].tag, "InfluxDB rejected the line: \(reason)") }
            } else {
                onRejectedLine(
                    lines[0].tag,
                    "InfluxDB dropped \(dropped) of the \(lines.count) lines from here to line \(lines[lines.count - 1].tag) and did not say which: \(reason)")
            }
            rejected += min(dropped, lines.count - named.count)
        } else if !partial && named.isEmpty {
            onRejectedLine(lines[0].tag, "InfluxDB refused the whole batch of \(lines.count) lines from here to line \(lines[lines.count - 1].tag): \(message)")
            rejected = lines.count
        }
        rejectedLines += rejected
        stats.lines += lines.count - rejected
    }

    /// `field type conflict: input field "F" on measurement "M" is type T, ...` as (M, F, T).
    static func typeConflict(_ reason: String) -> (measurement: String, field: String, type: String)? {
        guard let f = reason.firstRange(of: "input field \""),
            let fEnd = reason[f.upperBound...].firstRange(of: "\" on measurement \""),
            let mEnd = reason[fEnd.upperBound...].firstRange(of: "\" is type ")
        else { return nil }
        let type = reason[mEnd.upperBound...].prefix { $0.isLetter }
        return (String(reason[fEnd.upperBound..<mEnd.lowerBound]), String(reason[f.upperBound..<fEnd.lowerBound]), String(type))
    }

    /// The queued lines (their indexes) of `measurement` whose field `field` has InfluxDB's `type`.
    private func conflictingLines(_ conflict: (measurement: String, field: String, type: String), excluding named: Set<Int>) -> [Int] {
        guard var parser = try? InfluxParser(options: FormatOptions()) else { return [] }
        var found: [Int] = []
        for index in lines.indices where !named.contains(index) {
            let end = index + 1 < lines.count ? lines[index + 1].start - 1 : body.count - 1
            let collector = MetricCollector()
            parser.parse(text: body[lines[index].start..<end], into: collector)
            guard let metric = collector.metrics.first, metric.name == conflict.measurement,
                let value = metric.fields.first(where: { $0.key == conflict.field })?.value
            else { continue }
            let type: String
            switch value {
            case .float: type = "float"
            case .int: type = "integer"
            case .uint: type = "unsigned"
            case .string: type = "string"
            case .bool: type = "boolean"
            }
            if type == conflict.type { found.append(index) }
        }
        return found
    }

    /// The index of the queued line whose text is `text`.
    private func findLine(_ text: [UInt8]) -> Int? {
        for (i, l) in lines.enumerated() {
            let end = i + 1 < lines.count ? lines[i + 1].start - 1 : body.count - 1
            var candidate = body[l.start..<end]
            if candidate.last == 0x0D { candidate = candidate.dropLast() }
            if candidate.elementsEqual(text) || body[l.start..<end].elementsEqual(text) { return i }
        }
        return nil
    }

    /// One POST of the batch; `sentWhole` says whether the whole request went out (after that, a
    /// failure leaves it unknown whether the server stored the lines).
    private func post() -> (result: Result<(Int, [UInt8]), TransportError>, sentWhole: Bool) {
        if socket == nil {
            do throws(TransportError) {
                socket = try Socket.connect(to: endpoint, sendTimeout: writeTimeout)
            } catch {
                return (.failure(error), false)
            }
        }
        guard let s = socket else { return (.failure(.invalidAddress("no connection")), false) }
        let path = target.path + (target.query.isEmpty ? "" : "?" + target.query)
        var request = Array(
            "POST \(path) HTTP/1.1\r\nHost: \(target.host):\(target.port)\r\nUser-Agent: metricat\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: \(body.count)\r\n\r\n"
                .utf8)
        request += body
        // The request in writes that must each make progress within writeTimeout.
        let written: Result<Int, Errno> = request.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                switch s.send(UnsafeRawBufferPointer(rebasing: bytes[offset...]), timeout: bounded(writeTimeout)) {
                case .success(let n): offset += n
                case .failure(let e): return .failure(e)
                }
            }
            return .success(offset)
        }
        if case .failure(let e) = written {
            socket?.close()
            socket = nil
            return (.failure(.system(operation: "write", endpoint: endpoint.description, errno: e)), false)
        }
        return (readResponse(s), true)
    }

    /// Reads one response (``HTTPResponseReader``) within ``responseTimeout``; a connection the
    /// server closes, or answers badly on, is dropped here too.
    private func readResponse(_ s: Socket) -> Result<(Int, [UInt8]), TransportError> {
        var buffer = [UInt8](repeating: 0, count: 16384)
        let deadline = monotonicNow() + bounded(responseTimeout)
        var problem: Errno?
        let result = HTTPResponseReader.read(
            maxBody: Self.maxResponseBody,
            receive: { data in
                // In slices of at most 100 ms, so a stop(by:) that comes while an answer is awaited
                // ends the wait at its deadline.
                while true {
                    let until = min(deadline, stopBy.load(ordering: .relaxed))
                    if HTTPGet.wait(s.fd, for: Int16(POLLIN), until: min(until, monotonicNow() + 100_000_000)) { break }
                    if monotonicNow() >= until {
                        problem = .timedOut
                        return false
                    }
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
