import MetricFormats
import MetricLoad
import MetricTransport
import MetricatKit
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// UDP GSO: one send carries many datagrams, and each still arrives on its own, in order, with its
/// own sequence number; a kernel that refuses segmentation leaves the run going one datagram a send.
@Suite(.serialized) struct GSOTests {
    func ring(linesPerFrame: Int, frames: Int) throws -> FrameRing {
        let template = MetricTemplate(name: "m", fields: [("v", .literal(.float(1)))])
        let payload = try Payload(template: template, format: .influx, formatOptions: FormatOptions(), seqKey: "seq", seqAsTag: false, size: 64, series: 1)
        return FrameRing(payload: payload, linesPerFrame: linesPerFrame, frameCount: frames)
    }

    /// Sends `count` lines as fast as possible with GSO asked for `segments` per send, into a real
    /// UDP socket read on another thread; returns the counters, the sender and every datagram.
    func run(count: UInt64, linesPerFrame: Int, segments: Int) throws -> (SendCounters, LoadSender, [[UInt8]]) {
        let receiver = try Socket.bind(.udp(host: "127.0.0.1", port: 0, family: .ipv4))
        _ = try receiver.setReceiveBuffer(8 << 20, force: true)
        let target = Endpoint.udp(host: "127.0.0.1", port: try receiver.localAddress().port, family: .ipv4)
        let sender = LoadSender(
            socket: try Socket.connect(to: target), target: target,
            ring: try ring(linesPerFrame: linesPerFrame, frames: LoadSender.gsoFrameCount(segments: segments)))
        #expect(sender.enableGSO(segments: segments))
        /// The datagrams, read on a thread of its own until every one came, or 2 s without one.
        final class Reader: @unchecked Sendable {
            let fd: Int32
            let expected: Int
            var datagrams: [[UInt8]] = []
            init(fd: Int32, expected: Int) {
                self.fd = fd
                self.expected = expected
            }
            func read() {
                var buffer = [UInt8](repeating: 0, count: 65536)
                var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                while datagrams.count < expected, poll(&pfd, 1, 2000) > 0 {
                    let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                    if n > 0 { datagrams.append(Array(buffer[0..<n])) }
                }
            }
        }
        let reader = Reader(fd: receiver.fd, expected: (Int(count) + linesPerFrame - 1) / linesPerFrame)
        var thread = pthread_t()
        pthread_create(
            &thread, nil,
            { arg in
                Unmanaged<Reader>.fromOpaque(arg!).takeRetainedValue().read()
                return nil
            }, Unmanaged.passRetained(reader).toOpaque())
        let c = sender.run(rate: nil, duration: 5_000_000_000, count: count)
        pthread_join(thread, nil)
        receiver.close()
        return (c, sender, reader.datagrams)
    }

    /// The sequence numbers of the lines of the datagrams, in arrival order.
    func numbers(_ datagrams: [[UInt8]]) -> [UInt64] {
        var scanner = SequenceScanner(key: "seq")
        return datagrams.flatMap { d in
            d.split(separator: 0x0A).compactMap { line in Array(line).withUnsafeBufferPointer { scanner.scan($0) }.map(SequenceTracker.number) }
        }
    }

    @Test func eachSegmentArrivesAsItsOwnDatagram() throws {
        // 2000 lines, one per datagram: 31 full sends of 64 and a last short one.
        let (c, sender, datagrams) = try run(count: 2000, linesPerFrame: 1, segments: 64)
        #expect(sender.gsoSegments == 64)
        #expect(sender.gsoRefused == nil)
        #expect(c.sent == 2000)
        #expect(c.datagrams == 2000)
        #expect(c.errors == [:])
        #expect(datagrams.count == 2000)
        #expect(datagrams.allSatisfy { $0.count == 64 && $0.last == 0x0A && $0.filter { $0 == 0x0A }.count == 1 })
        #expect(numbers(datagrams) == Array(0..<2000))
    }

    @Test func packedDatagramsAndAShortLastSegment() throws {
        // Five lines per datagram, 1003 lines: the last datagram of the last send holds three.
        let (c, _, datagrams) = try run(count: 1003, linesPerFrame: 5, segments: 40)
        #expect(c.sent == 1003)
        #expect(c.datagrams == 201)
        #expect(datagrams.count == 201)
        #expect(datagrams.dropLast().map(\.count) == Array(repeating: 320, count: 200))
        #expect(datagrams.last?.count == 192)
        #expect(numbers(datagrams) == Array(0..<1003))
    }

    @Test func aRefusedSegmentationFallsBackToOneDatagramPerSend() throws {
        // More segments per send than any kernel takes (UDP_MAX_SEGMENTS is 64 or 128): the first
        // send fails with EINVAL, GSO goes off, and every line still goes out, once.
        let (c, sender, datagrams) = try run(count: 3000, linesPerFrame: 1, segments: 600)
        #expect(sender.gsoSegments == 0)
        #expect(sender.gsoRefused == EINVAL)
        #expect(c.sent == 3000)
        #expect(c.datagrams == 3000)
        #expect(c.errors == [:])
        #expect(datagrams.count == 3000)
        #expect(numbers(datagrams) == Array(0..<3000))
    }

    @Test func gsoIsOnlyForUDPWithFramesOfOneSize() throws {
        let dir = "/tmp/metricat-gsotest-\(getpid())"
        mkdir(dir, 0o700)
        defer { rmdir(dir) }
        let sink = try EmbeddedSink(transport: "unixgram", directory: dir, receiveBuffer: nil, seqKey: "seq")
        let sender = LoadSender(socket: try Socket.connect(to: sink.endpoint), target: sink.endpoint, ring: try ring(linesPerFrame: 1, frames: 64))
        #expect(!sender.enableGSO(segments: 64))
        sender.close()
    }
}
