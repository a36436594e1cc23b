import Synchronization
import SystemPackage
import Testing

@testable import MetricTransport

#if canImport(Glibc)
    import Glibc
#endif

/// Live sockets on 127.0.0.1:0 and in a temporary directory.
@Suite struct SocketTests {
    func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

    /// A TCP socket bound to a port and connected to that same port connects to itself (the kernel's
    /// simultaneous open); a sender must see it as refused, not as a collector.
    @Test func aTCPSelfConnectionIsRecognised() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let size = socklen_t(MemoryLayout<sockaddr_in>.size)
        #expect(withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(fd, $0, size) } } == 0)
        var length = size
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        #expect(withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, size) } } == 0)
        let looped = Socket(fd: fd, endpoint: .tcp(host: "127.0.0.1", port: UInt16(bigEndian: addr.sin_port), family: .ipv4), isDatagram: false)
        #expect(looped.isConnectedToItself())

        let listener = try Socket.bind(.tcp(host: "127.0.0.1", port: 0, family: .ipv4))
        let client = try Socket.connect(to: .tcp(host: "127.0.0.1", port: listener.localAddress().port, family: .ipv4))
        #expect(!client.isConnectedToItself())
    }

    @Test func udpRoundTripOnAnEphemeralPort() throws {
        let server = try Socket.bind(.udp(host: "127.0.0.1", port: 0, family: .ipv4))
        let port = try server.localAddress().port
        #expect(port != 0)
        let client = try Socket.connect(to: .udp(host: "127.0.0.1", port: port, family: .ipv4))
        let payload = bytes("a:1|c\nb:2|g")
        let sent = payload.withUnsafeBytes { client.send($0) }
        #expect(try sent.get() == payload.count)
        var buffer = [UInt8](repeating: 0, count: 2048)
        let (n, from) = try buffer.withUnsafeMutableBytes { server.receiveFrom(into: $0) }.get()
        #expect(Array(buffer[0..<n]) == payload)
        #expect(from.description.hasPrefix("127.0.0.1:"))
    }

    @Test func sendmmsgSendsEveryDatagram() throws {
        let server = try Socket.bind(.udp(host: "127.0.0.1", port: 0, family: .ipv4))
        let client = try Socket.connect(to: .udp(host: "127.0.0.1", port: try server.localAddress().port, family: .ipv4))
        let payloads = (0..<10).map { bytes("m\($0):1|c") }
        let n = try withExtendedLifetime(payloads) {
            let pointers = payloads.map { p in p.withUnsafeBytes { UnsafeRawBufferPointer(start: $0.baseAddress, count: $0.count) } }
            return try client.sendMultiple(pointers).get()
        }
        #expect(n == 10)
        var got: [String] = []
        var buffer = [UInt8](repeating: 0, count: 2048)
        for _ in 0..<10 {
            let (len, _) = try buffer.withUnsafeMutableBytes { server.receiveFrom(into: $0) }.get()
            got.append(String(decoding: buffer[0..<len], as: UTF8.self))
        }
        #expect(got == (0..<10).map { "m\($0):1|c" })
    }

    @Test func udpToAClosedPortReportsConnectionRefused() throws {
        let probe = try Socket.bind(.udp(host: "127.0.0.1", port: 0, family: .ipv4))
        let port = try probe.localAddress().port
        probe.close()
        let client = try Socket.connect(to: .udp(host: "127.0.0.1", port: port, family: .ipv4))
        let payload = bytes("x:1|c")
        _ = payload.withUnsafeBytes { client.send($0) }
        // The ICMP port-unreachable arrives asynchronously; the next send reports it.
        var result: Result<Int, Errno> = .success(0)
        for _ in 0..<50 {
            result = payload.withUnsafeBytes { client.send($0) }
            if case .failure = result { break }
            usleep(2000)
        }
        #expect(result.map { _ in Errno(rawValue: 0) } == .failure(.connectionRefused))
    }

    @Test func tcpAndUnixStreamRoundTrip() throws {
        let dir = String(cString: mkdtemp(strdup("/tmp/metricat-sock-XXXXXX")))
        defer {
            _ = unlink(dir + "/s.sock")
            _ = rmdir(dir)
        }
        for endpoint: Endpoint in [.tcp(host: "127.0.0.1", port: 0, family: .ipv4), .unix(path: dir + "/s.sock")] {
            let server = try Socket.bind(endpoint)
            let target: Endpoint
            if case .tcp = endpoint { target = .tcp(host: "127.0.0.1", port: try server.localAddress().port, family: .ipv4) } else { target = endpoint }
            let client = try Socket.connect(to: target)
            let (conn, _) = try server.accept().get()
            let payload = bytes("cpu value=1\nmem free=2i\n")
            #expect(try payload.withUnsafeBytes { client.sendAll($0) }.get() == payload.count)
            client.close()
            var all: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 7)  // small, to exercise several reads
            while true {
                let n = try buffer.withUnsafeMutableBytes { conn.receive(into: $0) }.get()
                if n == 0 { break }
                all += buffer[0..<n]
            }
            #expect(all == payload)
        }
    }

    @Test func bindingABusyPortNamesTheErrno() throws {
        let first = try Socket.bind(.tcp(host: "127.0.0.1", port: 0, family: .ipv4), reuseAddress: false)
        let port = try first.localAddress().port
        #expect(throws: TransportError.system(operation: "bind", endpoint: "tcp4://127.0.0.1:\(port)", errno: .addressInUse)) {
            try Socket.bind(.tcp(host: "127.0.0.1", port: port, family: .ipv4), reuseAddress: false)
        }
    }

    /// A blocking receive that a signal interrupts (a handler without SA_RESTART, so the kernel
    /// returns EINTR) goes on waiting, and gets the datagram sent after the signal.
    @Test func aReceiveInterruptedByASignalIsRetried() throws {
        let server = try Socket.bind(.udp(host: "127.0.0.1", port: 0, family: .ipv4))
        let client = try Socket.connect(to: .udp(host: "127.0.0.1", port: try server.localAddress().port, family: .ipv4))
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in interruptsSeen.add(1, ordering: .relaxed) }
        action.sa_flags = 0
        sigemptyset(&action.sa_mask)
        var previous = sigaction()
        #expect(sigaction(SIGUSR2, &action, &previous) == 0)
        defer { sigaction(SIGUSR2, &previous, nil) }

        let receiver = BlockingReceive(server)
        var thread = pthread_t()
        let started = pthread_create(
            &thread, nil,
            { context in
                Unmanaged<BlockingReceive>.fromOpaque(context!).takeUnretainedValue().run()
                return nil
            }, Unmanaged.passUnretained(receiver).toOpaque())
        #expect(started == 0)
        let before = interruptsSeen.load(ordering: .relaxed)
        usleep(200_000)  // the receiver is in recv by now
        #expect(pthread_kill(thread, SIGUSR2) == 0)
        usleep(200_000)
        #expect(interruptsSeen.load(ordering: .relaxed) == before + 1)
        let payload = bytes("after:1|c")
        #expect(try payload.withUnsafeBytes { client.send($0) }.get() == payload.count)
        pthread_join(thread, nil)
        #expect(try receiver.result.get() == payload.count)
        #expect(Array(receiver.buffer[0..<payload.count]) == payload)
    }

    @Test func receiveBufferReportsWhatTheKernelGranted() throws {
        let s = try Socket.bind(.udp(host: "127.0.0.1", port: 0, family: .ipv4))
        let granted = try s.setReceiveBuffer(65536)
        #expect(granted >= 65536)  // Linux doubles the request for bookkeeping
    }
}

/// Signals the handler in ``SocketTests/aReceiveInterruptedByASignalIsRetried()`` has seen.
private let interruptsSeen = Atomic<Int>(0)

/// One blocking `receive` on a thread of its own.
private final class BlockingReceive: @unchecked Sendable {
    let socket: Socket
    var buffer = [UInt8](repeating: 0, count: 2048)
    var result: Result<Int, Errno> = .success(-1)

    init(_ socket: Socket) { self.socket = socket }

    func run() {
        // The test runner's threads may block signals; this one takes SIGUSR2.
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGUSR2)
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
        result = buffer.withUnsafeMutableBytes { socket.receive(into: $0) }
    }
}
