import MetricFormats
import MetricLoad
import MetricTransport
import MetricatKit
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The sender holds its rate within 1% over one-second windows, and the kernel's drop counter of a
/// deliberately overflowed receive buffer is read back exactly.
@Suite(.serialized) struct PacingTests {
    func payloadRing(lines: Int = 1) throws -> FrameRing {
        let template = MetricTemplate(name: "m", fields: [("v", .literal(.float(1)))])
        let payload = try Payload(template: template, format: .influx, formatOptions: FormatOptions(), seqKey: "seq", seqAsTag: false, size: 64, series: 1)
        return FrameRing(payload: payload, linesPerFrame: lines, frameCount: LoadSender.maxBatch)
    }

    /// One paced run of 1.2 s into the embedded sink: what the sender counted, and what the sink got.
    struct PacedRun {
        var counters: SendCounters
        var firstTick: SendCounters?
        var received: UInt64
        var lost: UInt64
    }

    func pacedRun(_ rate: Double) throws -> PacedRun {
        let sink = try EmbeddedSink(transport: "udp", directory: "/tmp", receiveBuffer: 8 << 20, seqKey: "seq")
        sink.start()
        let socket = try Socket.connect(to: sink.endpoint)
        // Ten lines per datagram at 100k/s: the kernel's per-datagram cost stays small on a busy machine.
        let sender = LoadSender(socket: socket, target: sink.endpoint, ring: try payloadRing(lines: rate > 20_000 ? 10 : 1))
        var ticks: [SendCounters] = []
        let c = sender.run(rate: rate, duration: 1_200_000_000, count: nil) { ticks.append($0) }
        sink.drainAndStop(idle: 200_000_000)
        return PacedRun(counters: c, firstTick: ticks.first, received: sink.lines, lost: sink.tracker.lost(sent: c.sent))
    }

    /// Lines attempted by the first tick (the one-second window) and sent over the whole run, each
    /// against rate × its elapsed time.
    func deviations(_ run: PacedRun, rate: Double) throws -> (first: Double, firstExpected: Double, whole: Double, wholeExpected: Double) {
        let first = try #require(run.firstTick)
        let expected = rate * Double(first.elapsedNanoseconds) / 1e9
        let whole = rate * Double(run.counters.elapsedNanoseconds) / 1e9
        return (abs(Double(first.attempted) - expected), expected, abs(Double(run.counters.sent) - whole), whole)
    }

    /// The pacing holds within 1%. Tests run in parallel on a shared machine, so a run whose sender
    /// thread was starved of the CPU is measured again, up to three runs; every run delivers every line.
    func pace(_ rate: Double) throws {
        var run = try pacedRun(rate)
        for _ in 1..<3 {
            let d = try deviations(run, rate: rate)
            if d.first <= d.firstExpected * 0.01 && d.whole <= d.wholeExpected * 0.01 { break }
            #expect(run.counters.errors == [:])
            #expect(run.received == run.counters.sent)
            #expect(run.lost == 0)
            run = try pacedRun(rate)
        }
        let d = try deviations(run, rate: rate)
        #expect(d.first <= d.firstExpected * 0.01, "first 1 s window at \(rate)/s")
        #expect(d.whole <= d.wholeExpected * 0.01, "\(rate)/s over \(run.counters.elapsedNanoseconds) ns")
        #expect(run.counters.errors == [:])
        #expect(run.received == run.counters.sent)
        #expect(run.lost == 0)
    }

    @Test func pacingAt10kPerSecond() throws { try pace(10_000) }
    @Test func pacingAt100kPerSecond() throws { try pace(100_000) }

    @Test func kernelDropsOfAnOverflowedReceiveBufferAreCountedExactly() throws {
        // A receiver that never reads, with the smallest buffer the kernel grants.
        let receiver = try Socket.bind(.udp(host: "127.0.0.1", port: 0, family: .ipv4))
        try receiver.setReceiveBuffer(1)
        let port = try receiver.localAddress().port
        let target = Endpoint.udp(host: "127.0.0.1", port: port, family: .ipv4)
        let inode = try #require(receiver.inode())
        let before = try #require(KernelCounters.udpDrops(inode: inode))
        #expect(before == 0)
        let sender = LoadSender(socket: try Socket.connect(to: target), target: target, ring: try payloadRing())
        let c = sender.run(rate: nil, duration: 5_000_000_000, count: 2000)
        #expect(c.sent == 2000)
        // What is queued is read out; the rest the kernel dropped.
        try receiver.setNonBlocking()
        var queued: UInt64 = 0
        var buffer = [UInt8](repeating: 0, count: 2048)
        while case .success = buffer.withUnsafeMutableBytes({ receiver.receive(into: $0) }) { queued += 1 }
        let drops = try #require(KernelCounters.udpDrops(inode: inode))
        #expect(drops > 1000)
        #expect(drops + queued == 2000)
        #expect(KernelCounters.udpDrops(port: port) == drops)
    }

    @Test func embeddedSinkCountsEveryTransport() throws {
        for transport in ["udp", "udp6", "tcp", "unix", "unixgram"] {
            let dir = "/tmp/metricat-loadtest-\(getpid())-\(transport)"
            mkdir(dir, 0o700)
            defer { rmdir(dir) }
            let sink = try EmbeddedSink(transport: transport, directory: dir, receiveBuffer: 8 << 20, seqKey: "seq")
            sink.start()
            let ring = try payloadRing(lines: transport.hasPrefix("udp") || transport == "unixgram" ? 4 : 500)
            let sender = LoadSender(socket: try Socket.connect(to: sink.endpoint), target: sink.endpoint, ring: ring)
            let c = sender.run(rate: 200_000, duration: 5_000_000_000, count: 30_001)
            sender.close()
            sink.drainAndStop(idle: 200_000_000)
            #expect(c.sent == 30_001, "\(transport)")
            #expect(sink.lines == 30_001, "\(transport)")
            #expect(sink.tracker.unique == 30_001, "\(transport)")
            #expect(sink.tracker.duplicated + sink.tracker.reordered + sink.tracker.unnumbered == 0, "\(transport)")
        }
    }
}
