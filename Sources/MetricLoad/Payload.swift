import MetricFormats
import MetricatKit

/// The lines a load run sends, rendered once by the real serializer; only the digits of the
/// sequence number (and of the series tag) change from line to line, patched in place.
///
/// The sequence number and the series index are written with a fixed width (leading zeros), so every
/// line keeps its length and a frame's layout never changes.
public struct Payload: Sendable {
    /// One rendered line (newline included) and where its digit slots are.
    public struct Line: Sendable {
        public var bytes: [UInt8]
        /// Offset of the sequence digits, or nil with `--no-seq`.
        public var seqOffset: Int?
        public var seriesOffset: Int?
    }

    public static let seqWidth = 12
    public var lines: [Line]
    public var seriesWidth: Int
    public var series: Int

    public enum PayloadError: Error, CustomStringConvertible {
        case unsupported(String)
        case template(String)
        public var description: String {
            switch self {
            case .unsupported(let m), .template(let m): return m
            }
        }
    }

    /// Renders `template` in `format`. `size` pads each line to that many bytes with a `pad` tag;
    /// `series` > 1 adds a `series` tag with that many distinct values.
    public init(
        template: MetricTemplate, format: MetricFormat, formatOptions: FormatOptions, seqKey: String?, seqAsTag: Bool,
        size: Int?, series: Int
    ) throws(PayloadError) {
        if format == .prometheus || format == .csv {
            throw .unsupported("--format \(format.rawValue): not a push format a collector reads line by line; use influx, json, wavefront, statsd or graphite")
        }
        lines = []
        var options = formatOptions
        if format == .graphite && seqKey != nil && options.graphite.template == nil { options.graphite.tagSupport = true }
        self.series = max(series, 1)
        seriesWidth = self.series > 1 ? String(self.series - 1).count : 0
        let seqSentinel = "918273645546"  // 12 digits, found and replaced by the slot
        let seriesSentinel = String(repeating: "7", count: max(seriesWidth, 1))
        func render(pad: Int?) throws(PayloadError) -> [[UInt8]] {
            var tags = template.tags
            if self.series > 1 { tags.append(Tag("series", seriesSentinel)) }
            if let pad, pad > 0 { tags.append(Tag("pad", String(repeating: "x", count: pad))) }
            var fields: [Field] = []
            var generator = MetricGenerator(MetricTemplate(name: template.name, tags: [], fields: template.fields))
            var rng = SystemRandomNumberGenerator()
            let prototype = generator.next(time: Clock.now(), rng: &rng)
            fields = prototype.fields
            if let seqKey {
                if seqAsTag { tags.append(Tag(seqKey, seqSentinel)) } else { fields.append(Field(seqKey, .int(Int64(seqSentinel)!))) }
            }
            var metric = Metric(name: template.name, tags: tags, fields: fields, timestamp: nil)
            metric.sortTags()
            var serializer: any MetricSerializer
            do {
                serializer = try format.makeSerializer(options)
            } catch {
                throw .template(error.description)
            }
            var problems: [String] = []
            let context = SerializerContext(now: Clock.now()) { d in if d.severity == .error { problems.append(d.description) } }
            var out: [UInt8] = []
            serializer.serialize(metric, into: &out, context: context)
            serializer.finish(into: &out, context: context)
            if let p = problems.first { throw .template("the template cannot be written as \(format.rawValue): \(p)") }
            if out.isEmpty { throw .template("the template renders to nothing in \(format.rawValue)") }
            if out.last != 0x0A { out.append(0x0A) }
            return out.split(separator: 0x0A).map { Array($0) + [0x0A] }
        }
        var rendered = try render(pad: nil)
        if let size {
            let longest = rendered.map(\.count).max() ?? 0
            if size > longest {
                // The pad tag's own overhead (`,pad=`, `|#pad:`, ...) is measured, then the value sized to fit.
                let probe = try render(pad: 1)
                let overhead = (probe.map(\.count).max() ?? 0) - longest - 1
                let want = size - longest - overhead
                if want >= 1 { rendered = try render(pad: want) }
            }
        }
        let seqBytes = Array(seqSentinel.utf8)
        let seriesBytes = Array(seriesSentinel.utf8)
        for r in rendered {
            var line = Line(bytes: r, seqOffset: nil, seriesOffset: nil)
            if seqKey != nil {
                guard let at = Self.find(seqBytes, in: r) else {
                    throw .template("\(format.rawValue) does not carry the sequence number '\(seqKey!)' in \(String(decoding: r, as: UTF8.self)); try --seq-as tag or --no-seq")
                }
                line.seqOffset = at
            }
            if self.series > 1 {
                guard let at = Self.find(seriesBytes, in: r, avoiding: line.seqOffset) else {
                    throw .template("\(format.rawValue) does not carry the series tag; use --series 1")
                }
                line.seriesOffset = at
            }
            lines.append(line)
        }
        for i in lines.indices {
            if let o = lines[i].seqOffset { Self.writeDigits(SequenceTracker.offset, width: Self.seqWidth, at: o, in: &lines[i].bytes) }
            if let o = lines[i].seriesOffset { Self.writeDigits(0, width: seriesWidth, at: o, in: &lines[i].bytes) }
        }
    }

    static func find(_ needle: [UInt8], in hay: [UInt8], avoiding: Int? = nil) -> Int? {
        guard hay.count >= needle.count else { return nil }
        for i in 0...(hay.count - needle.count) where hay[i] == needle[0] {
            if let a = avoiding, i + needle.count > a && i < a + seqWidth { continue }
            if Array(hay[i..<(i + needle.count)]) == needle { return i }
        }
        return nil
    }

    static func writeDigits(_ value: UInt64, width: Int, at offset: Int, in bytes: inout [UInt8]) {
        bytes.withUnsafeMutableBufferPointer { writeDigits(value, width: width, to: $0.baseAddress! + offset) }
    }

    /// Writes `value` as `width` decimal digits with leading zeros (the high digits wrap away).
    @inline(__always)
    public static func writeDigits(_ value: UInt64, width: Int, to p: UnsafeMutablePointer<UInt8>) {
        var v = value
        var i = width - 1
        while i >= 0 {
            p[i] = UInt8(truncatingIfNeeded: v % 10) &+ 0x30
            v /= 10
            i -= 1
        }
    }

    /// Bytes of one full cycle of prototype lines.
    public var cycleBytes: Int { lines.reduce(0) { $0 + $1.bytes.count } }
    public var averageLineBytes: Double { Double(cycleBytes) / Double(lines.count) }
}

/// Prebuilt send buffers: `frameCount` frames (datagrams, or stream writes) of `linesPerFrame`
/// lines each, laid out once; sending patches the digit slots of the lines about to go out.
public final class FrameRing {
    public let payload: Payload
    public let linesPerFrame: Int
    public let frameCount: Int
    let storage: UnsafeMutablePointer<UInt8>
    let storageBytes: Int
    /// Per frame: start offset in storage; per line: end offset within the frame, and slots.
    public private(set) var frameStart: [Int] = []
    /// lineEnd[f * linesPerFrame + j]: bytes of frame f up to and including line j.
    var lineEnd: [Int] = []
    var seqSlot: [Int] = []
    var seriesSlot: [Int] = []

    /// Frames hold `linesPerFrame` lines; `frameCount` is rounded up so that the ring holds whole cycles
    /// of the prototype lines (each frame then starts with the same prototype every lap).
    public init(payload: Payload, linesPerFrame: Int, frameCount: Int) {
        self.payload = payload
        let p = payload.lines.count
        self.linesPerFrame = max(1, linesPerFrame)
        var frames = max(1, frameCount)
        while (frames * self.linesPerFrame) % p != 0 { frames += 1 }
        self.frameCount = frames
        var bytes: [UInt8] = []
        var k = 0
        for _ in 0..<frames {
            frameStart.append(bytes.count)
            let start = bytes.count
            for _ in 0..<self.linesPerFrame {
                let line = payload.lines[k % p]
                let base = bytes.count
                bytes.append(contentsOf: line.bytes)
                seqSlot.append(line.seqOffset.map { base + $0 } ?? -1)
                seriesSlot.append(line.seriesOffset.map { base + $0 } ?? -1)
                lineEnd.append(bytes.count - start)
                k += 1
            }
        }
        storageBytes = bytes.count
        storage = .allocate(capacity: max(bytes.count, 1))
        storage.initialize(from: bytes, count: bytes.count)
    }

    deinit { storage.deallocate() }

    /// The size every full frame has, or nil when the prototype lines differ in length.
    public var uniformFrameBytes: Int? {
        let first = lineEnd[linesPerFrame - 1]
        for f in 1..<max(frameCount, 1) where lineEnd[f * linesPerFrame + linesPerFrame - 1] != first { return nil }
        return first
    }

    /// Largest frame in bytes.
    public var maxFrameBytes: Int {
        (0..<frameCount).map { lineEnd[$0 * linesPerFrame + linesPerFrame - 1] }.max() ?? 0
    }

    /// The decimal text of ``odometerValue``: lines get consecutive numbers, so the digits are counted
    /// up in place (one byte changes most of the time) instead of divided out for every line.
    private var odometer = [UInt8](repeating: 0x30, count: Payload.seqWidth)
    private var odometerValue: UInt64 = .max

    @inline(__always)
    private func setOdometer(_ value: UInt64) {
        odometer.withUnsafeMutableBufferPointer { Payload.writeDigits(value + SequenceTracker.offset, width: Payload.seqWidth, to: $0.baseAddress!) }
        odometerValue = value
    }

    /// Patches the first `lines` lines of `frame` with sequence numbers from `firstSeq`; returns the
    /// frame's address and byte count for those lines.
    @inline(__always)
    public func prepare(frame: Int, lines: Int, firstSeq: UInt64) -> (UnsafeMutableRawPointer, Int) {
        let base = frame * linesPerFrame
        let width = Payload.seqWidth
        let series = UInt64(payload.series)
        let sw = payload.seriesWidth
        let p = UInt64(payload.lines.count)
        if odometerValue != firstSeq { setOdometer(firstSeq) }
        odometer.withUnsafeMutableBufferPointer { od in
            let digits = UnsafeMutableRawPointer(od.baseAddress!)
            // The twelve digits held in two registers: bytes 0-7 and 8-11; the last digit is the top
            // byte of `low`. Most lines only add one to it; a carry goes through the byte loop.
            var high = UnsafeRawPointer(digits).loadUnaligned(as: UInt64.self)
            var low = UInt32(littleEndian: UnsafeRawPointer(digits + 8).loadUnaligned(as: UInt32.self))
            seqSlot.withUnsafeBufferPointer { seqSlots in
                for j in 0..<lines {
                    let s = seqSlots[base + j]
                    if s >= 0 {
                        let slot = UnsafeMutableRawPointer(storage + s)
                        slot.storeBytes(of: high, as: UInt64.self)
                        slot.storeBytes(of: low.littleEndian, toByteOffset: 8, as: UInt32.self)
                    }
                    if series > 1 {
                        let r = seriesSlot[base + j]
                        if r >= 0 { Payload.writeDigits(((firstSeq + UInt64(j)) / p) % series, width: sw, to: storage + r) }
                    }
                    if low >> 24 < 0x39 {
                        low &+= 1 << 24
                        continue
                    }
                    digits.storeBytes(of: high, as: UInt64.self)
                    digits.storeBytes(of: low.littleEndian, toByteOffset: 8, as: UInt32.self)
                    let d = digits.assumingMemoryBound(to: UInt8.self)
                    var i = width - 1
                    while i >= 0 {
                        if d[i] < 0x39 {
                            d[i] += 1
                            break
                        }
                        d[i] = 0x30
                        i -= 1
                    }
                    high = UnsafeRawPointer(digits).loadUnaligned(as: UInt64.self)
                    low = UInt32(littleEndian: UnsafeRawPointer(digits + 8).loadUnaligned(as: UInt32.self))
                }
            }
            digits.storeBytes(of: high, as: UInt64.self)
            digits.storeBytes(of: low.littleEndian, toByteOffset: 8, as: UInt32.self)
        }
        odometerValue = firstSeq + UInt64(lines)
        return (UnsafeMutableRawPointer(storage + frameStart[frame]), lineEnd[base + lines - 1])
    }
}
