import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Limits of a ``MetricsHTTPServer``; every one is a bound on memory or time a client can take.
public struct MetricsHTTPServerOptions: Sendable {
    /// The one path served (`GET` and `HEAD`); any other path is 404, any other method 405.
    public var path = "/metrics"
    /// Connections served at once; one more is answered 503 and closed.
    public var maxConnections = 16
    /// Longest request head (request line and headers); a longer one is answered 431.
    public var maxRequestBytes = 8192
    /// Time (ns) a connection may take from accept to the last byte of the answer; then it is closed.
    public var timeout: Int64 = 5_000_000_000
    public var contentType = "text/plain; version=0.0.4; charset=utf-8"

    public init() {}
}

/// What a ``MetricsHTTPServer`` answered, counted exactly.
public struct MetricsHTTPServerStats: Sendable, Equatable {
    /// `200` answers to `GET` or `HEAD` on the path.
    public var served = 0
    public var notFound = 0
    public var methodNotAllowed = 0
    /// Malformed request lines (400) and heads over the size limit (431).
    public var badRequests = 0
    /// Connections answered 503 because ``MetricsHTTPServerOptions/maxConnections`` were open.
    public var refused = 0
    /// Connections closed because they took longer than ``MetricsHTTPServerOptions/timeout``.
    public var timedOut = 0

    public init() {}
}

/// A small HTTP/1.x server for one document (Prometheus text on `GET /metrics`), on its own thread.
///
/// One request per connection (`Connection: close`); the request body, if any, is not read. The
/// served bytes are replaced whole by ``publish(_:)`` from any thread, so a scrape always sees one
/// consistent version. Every resource is bounded by ``MetricsHTTPServerOptions``.
///
///     let server = try MetricsHTTPServer(bind: .tcp(host: "127.0.0.1", port: 0, family: .ipv4))
///     server.publish(Array("up 1\n".utf8))
///     server.start()
///     ...
///     server.stop()
public final class MetricsHTTPServer: @unchecked Sendable {
    public let options: MetricsHTTPServerOptions
    /// The bound address with the port the kernel chose, as `http://HOST:PORT/metrics`.
    public let url: String
    public let port: UInt16
    private let socket: Socket
    private let document = Mutex<[UInt8]>([])
    private let counters = Mutex(MetricsHTTPServerStats())
    private var wake: [Int32] = [-1, -1]
    private var thread: pthread_t?

    /// Binds `endpoint` (TCP) and listens; serving starts with ``start()``.
    /// - Throws: ``TransportError`` when the address cannot be bound or is not TCP.
    public init(bind endpoint: Endpoint, options: MetricsHTTPServerOptions = MetricsHTTPServerOptions()) throws(TransportError) {
        guard case .tcp(let host, _, _) = endpoint else {
            throw .invalidAddress("\(endpoint): the metrics server needs a TCP address (HOST:PORT)")
        }
        self.options = options
        socket = try Socket.bind(endpoint, backlog: 64)
        try socket.setNonBlocking()
        port = try socket.localAddress().port
        let shownHost = host.map { $0.contains(":") ? "[\($0)]" : $0 } ?? "0.0.0.0"
        url = "http://\(shownHost):\(port)\(options.path)"
        if pipe(&wake) != 0 {
            throw .system(operation: "pipe", endpoint: endpoint.description, errno: .last)
        }
        for fd in wake {
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        }
    }

    deinit {
        stop()
        socket.close()
        for fd in wake where fd >= 0 { Glibc.close(fd) }
    }

    /// Replaces the document every later request gets.
    public func publish(_ bytes: [UInt8]) {
        document.withLock { $0 = bytes }
    }

    /// What was answered so far.
    public var stats: MetricsHTTPServerStats { counters.withLock { $0 } }

    /// Serves on a new thread (signals stay blocked there: the caller's thread handles them).
    public func start() {
        guard thread == nil else { return }
        thread = WorkerThread.start { self.serve() }
    }

    /// Stops serving and joins the thread; open connections are closed.
    public func stop() {
        guard let t = thread else { return }
        var b: UInt8 = 1
        _ = write(wake[1], &b, 1)
        pthread_join(t, nil)
        thread = nil
    }

    final class Connection {
        let socket: Socket
        let deadline: Int64
        var request: [UInt8] = []
        var response: [UInt8] = []
        var sent = 0
        var answered = false
        init(socket: Socket, deadline: Int64) {
            self.socket = socket
            self.deadline = deadline
        }
    }

    private func serve() {
        var connections: [Connection] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            var fds = [pollfd(fd: wake[0], events: Int16(POLLIN), revents: 0), pollfd(fd: socket.fd, events: Int16(POLLIN), revents: 0)]
            var nextDeadline = Int64.max
            for c in connections {
                fds.append(pollfd(fd: c.socket.fd, events: Int16(c.answered ? POLLOUT : POLLIN), revents: 0))
                nextDeadline = min(nextDeadline, c.deadline)
            }
            let now = monotonicNow()
            let timeout: Int32 = nextDeadline == .max ? -1 : Int32(min(max(0, (nextDeadline - now + 999_999) / 1_000_000), 60_000))
            let n = poll(&fds, nfds_t(fds.count), timeout)
            if n < 0 && errno != EINTR { return }
            if fds[0].revents != 0 { break }
            var keep: [Connection] = []
            let after = monotonicNow()
            for (i, c) in connections.enumerated() {
                let ev = fds[i + 2].revents
                var open = true
                if ev != 0 {
                    open = c.answered ? writeSome(c) : readSome(c, &buffer)
                }
                if open && after >= c.deadline {
                    counters.withLock { $0.timedOut += 1 }
                    open = false
                }
                if open { keep.append(c) } else { c.socket.close() }
            }
            connections = keep
            if fds[1].revents != 0 { accept(&connections) }
        }
        for c in connections { c.socket.close() }
    }

    private func accept(_ connections: inout [Connection]) {
        while true {
            switch socket.accept() {
            case .success(let (conn, _)):
                try? conn.setNonBlocking()
                let c = Connection(socket: conn, deadline: monotonicNow() + options.timeout)
                if connections.count >= options.maxConnections {
                    counters.withLock { $0.refused += 1 }
                    c.response = Self.answer(503, "Service Unavailable", "too many connections (\(options.maxConnections) open)\n", extra: "Retry-After: 1\r\n")
                    _ = writeSome(c)  // best effort, never blocks
                    conn.close()
                    continue
                }
                connections.append(c)
            case .failure:
                return
            }
        }
    }

    /// Reads what is there; answers once the head is complete. False when the connection is done.
    private func readSome(_ c: Connection, _ buffer: inout [UInt8]) -> Bool {
        let r = buffer.withUnsafeMutableBytes { c.socket.receive(into: $0) }
        switch r {
        case .success(0):
            return false
        case .success(let n):
            c.request.append(contentsOf: buffer[0..<n])
        case .failure(let e):
            return e == .wouldBlock
        }
        let end = Self.headEnd(c.request)
        if let end, end <= options.maxRequestBytes {
            c.response = respond(Array(c.request[0..<end]))
            c.answered = true
            return writeSome(c)
        }
        if end != nil || c.request.count > options.maxRequestBytes {
            counters.withLock { $0.badRequests += 1 }
            c.response = Self.answer(431, "Request Header Fields Too Large", "request head longer than \(options.maxRequestBytes) bytes\n")
            c.answered = true
            return writeSome(c)
        }
        return true
    }

    /// Writes what the socket takes; false once all is written or the peer is gone.
    private func writeSome(_ c: Connection) -> Bool {
        while c.sent < c.response.count {
            let r = c.response.withUnsafeBytes { all in c.socket.send(UnsafeRawBufferPointer(rebasing: all[c.sent...])) }
            switch r {
            case .success(let n): c.sent += n
            case .failure(let e): return e == .wouldBlock
            }
        }
        return false
    }

    /// The end of the request head (after `\r\n\r\n` or `\n\n`), or nil.
    static func headEnd(_ b: [UInt8]) -> Int? {
        var i = 0
        while i < b.count {
            if b[i] == 0x0A {
                if i + 1 < b.count, b[i + 1] == 0x0A { return i + 2 }
                if i + 2 < b.count, b[i + 1] == 0x0D, b[i + 2] == 0x0A { return i + 3 }
            }
            i += 1
        }
        return nil
    }

    /// The answer to one request head.
    func respond(_ head: [UInt8]) -> [UInt8] {
        var lineEnd = 0
        while lineEnd < head.count, head[lineEnd] != 0x0A, head[lineEnd] != 0x0D { lineEnd += 1 }
        let parts = head[0..<lineEnd].split(separator: 0x20, omittingEmptySubsequences: false)
        guard parts.count == 3, parts[2].starts(with: Array("HTTP/1.".utf8)), parts[1].first == UInt8(ascii: "/") else {
            counters.withLock { $0.badRequests += 1 }
            return Self.answer(400, "Bad Request", "expected a request line such as 'GET \(options.path) HTTP/1.1'\n")
        }
        let method = String(decoding: parts[0], as: UTF8.self)
        var target = parts[1]
        if let q = target.firstIndex(of: UInt8(ascii: "?")) { target = target[..<q] }
        guard String(decoding: target, as: UTF8.self) == options.path else {
            counters.withLock { $0.notFound += 1 }
            return Self.answer(404, "Not Found", "not found: the metrics are at \(options.path)\n", head: method == "HEAD")
        }
        guard method == "GET" || method == "HEAD" else {
            counters.withLock { $0.methodNotAllowed += 1 }
            return Self.answer(405, "Method Not Allowed", "\(method) is not allowed: use GET or HEAD\n", extra: "Allow: GET, HEAD\r\n")
        }
        counters.withLock { $0.served += 1 }
        let body = document.withLock { $0 }
        var out = Array("HTTP/1.1 200 OK\r\nContent-Type: \(options.contentType)\r\nContent-Length: \(body.count)\r\nConnection: close\r\n\r\n".utf8)
        if method == "GET" { out.append(contentsOf: body) }
        return out
    }

    static func answer(_ status: Int, _ reason: String, _ body: String, extra: String = "", head: Bool = false) -> [UInt8] {
        let text = "HTTP/1.1 \(status) \(reason)\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: \(body.utf8.count)\r\n\(extra)Connection: close\r\n\r\n"
        return Array((head ? text : text + body).utf8)
    }
}
