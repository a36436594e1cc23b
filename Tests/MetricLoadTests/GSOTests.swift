import MetricFormats
import MetricLoad
import MetricTransport
import MetricatKit
import XCTest

#if canImport(Glibc)
    import Glibc
#endif

/// UDP GSO: one send carries many datagrams, and each still arrives on its own, in order, with its
/// own sequence number; a kernel that refuses segmentation leaves the run going one datagram a send.
final class GSOTests: XCTestCase {
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
        XCTAssertTrue(sender.enableGSO(segments: segments))
        final class Box: @unchecked Sendable { var datagrams: [[UInt8]] = [] }
        let box = Box()
        let fd = receiver.fd
        let done = expectation(description: "received")
        let expected = (Int(count) + linesPerFrame - 1) / linesPerFrame
        Thread.detachNewThread {
            var buffer = [UInt8](repeating: 0, count: 65536)
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            // Until every datagram came, or 2 s without one.
            while box.datagrams.count < expected, poll(&pfd, 1, 2000) > 0 {
                let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                if n > 0 { box.datagrams.append(Array(buffer[0..<n])) }
            }
            done.fulfill()
        }
        let c = sender.run(rate: nil, duration: 5_000_000_000, count: count)
        wait(for: [done], timeout: 10)
        receiver.close()
        return (c, sender, box.datagrams)
    }

    /// The sequence numbers of the lines of the datagrams, in arrival order.
    func numbers(_ datagrams: [[UInt8]]) -> [UInt64] {
        var scanner = SequenceScanner(key: "seq")
        return datagrams.flatMap { d in
            d.split(separator: 0x0A).compactMap { line in Array(line).withUnsafeBufferPointer { scanner.scan($0) }.map(SequenceTracker.number) }
        }
    }

    func testEachSegmentArrivesAsItsOwnDatagram() throws {
        // 2000 lines, one per datagram: 31 full sends of 64 and a last short one.
        let (c, sender, datagrams) = try run(count: 2000, linesPerFrame: 1, segments: 64)
        XCTAssertEqual(sender.gsoSegments, 64)
        XCTAssertNil(sender.gsoRefused)
        XCTAssertEqual(c.sent, 2000)
        XCTAssertEqual(c.datagrams, 2000)
        XCTAssertEqual(c.errors, [:])
        XCTAssertEqual(datagrams.count, 2000)
        XCTAssertTrue(datagrams.allSatisfy { $0.count == 64 && $0.last == 0x0A && $0.filter { $0 == 0x0A }.count == 1 })
        XCTAssertEqual(numbers(datagrams), Array(0..<2000))
    }

    func testPackedDatagramsAndAShortLastSegment() throws {
        // Five lines per datagram, 1003 lines: the last datagram of the last send holds three.
        let (c, _, datagrams) = try run(count: 1003, linesPerFrame: 5, segments: 40)
        XCTAssertEqual(c.sent, 1003)
        XCTAssertEqual(c.datagrams, 201)
        XCTAssertEqual(datagrams.count, 201)
        XCTAssertEqual(datagrams.dropLast().map(\.count), Array(repeating: 320, count: 200))
        XCTAssertEqual(datagrams.last?.count, 192)
        XCTAssertEqual(numbers(datagrams), Array(0..<1003))
    }

    func testARefusedSegmentationFallsBackToOneDatagramPerSend() throws {
        // More segments per send than any kernel takes (UDP_MAX_SEGMENTS is 64 or 128): the first
        // send fails with EINVAL, GSO goes off, and every line still goes out, once.
        let (c, sender, datagrams) = try run(count: 3000, linesPerFrame: 1, segments: 600)
        XCTAssertEqual(sender.gsoSegments, 0)
        XCTAssertEqual(sender.gsoRefused, EINVAL)
        XCTAssertEqual(c.sent, 3000)
        XCTAssertEqual(c.datagrams, 3000)
        XCTAssertEqual(c.errors, [:])
        XCTAssertEqual(datagrams.count, 3000)
        XCTAssertEqual(numbers(datagrams), Array(0..<3000))
    }

    func testGSOIsOnlyForUDPWithFramesOfOneSize() throws {
        let dir = "/tmp/metricat-gsotest-\(getpid())"
        mkdir(dir, 0o700)
        defer { rmdir(dir) }
        let sink = try EmbeddedSink(transport: "unixgram", directory: dir, receiveBuffer: nil, seqKey: "seq")
        let sender = LoadSender(socket: try Socket.connect(to: sink.endpoint), target: sink.endpoint, ring: try ring(linesPerFrame: 1, frames: 64))
        XCTAssertFalse(sender.enableGSO(segments: 64))
        sender.close()
    }
}
