import MetricFormats

/// The file `listen --record` writes and `send --replay` reads: one line per received line,
/// `<receive time in ns>\t<sender>\t<the line exactly as received>`.
public enum Recording {
    /// One recorded line, valid during the callback.
    public struct Entry {
        public var time: Int64
        public var sender: Substring
        public var line: UnsafeBufferPointer<UInt8>
    }

    /// Reads `path` entry by entry; a malformed entry is reported and skipped.
    /// - Returns: false when reading failed (reported as an I/O error).
    @discardableResult
    public static func read(_ path: String, diagnostics: Diagnostics, _ body: (Entry) -> Bool) -> Bool {
        let source: ByteSource
        do {
            source = try ByteSource(path: path)
        } catch {
            diagnostics.ioError(error.description)
            return false
        }
        var framer = LineFramer(maxLineBytes: 1 << 20)
        var goOn = true
        func handle(_ event: LineFramer.Event) {
            guard goOn else { return }
            switch event {
            case .tooLong(let number, let limit):
                diagnostics.report(.error(line: number, column: limit + 1, "recorded line longer than \(limit) bytes: skipped"), source: path)
            case .line(let bytes, let number):
                guard let tab1 = bytes.firstIndex(of: ASCII.tab), let tab2 = bytes[(tab1 + 1)...].firstIndex(of: ASCII.tab),
                    let time = Int64(String(decoding: UnsafeBufferPointer(rebasing: bytes[0..<tab1]), as: UTF8.self))
                else {
                    diagnostics.report(.error(line: number, column: 1, "not a recorded line (expected <time ns><TAB><sender><TAB><line>, as listen --record writes)"), source: path)
                    return
                }
                let sender = Substring(String(decoding: UnsafeBufferPointer(rebasing: bytes[(tab1 + 1)..<tab2]), as: UTF8.self))
                goOn = body(Entry(time: time, sender: sender, line: UnsafeBufferPointer(rebasing: bytes[(tab2 + 1)...])))
            }
        }
        do {
            try source.forEachChunk { chunk in
                framer.feed(chunk, handle)
                return goOn
            }
        } catch {
            diagnostics.ioError(error.description)
            return false
        }
        framer.finish(handle)
        return true
    }
}
