import CZlib

/// Reads a `.gz` rotated log through zlib's gzread (concatenated members included), after skipping
/// `skip` decompressed bytes (the offset read before the log was rotated and compressed).
final class GzipReader: ByteStream {
    static let available = true
    let file: gzFile
    let path: String

    init(path: String, skip: Int64) throws(TailLogError) {
        self.path = path
        guard let f = gzopen(path, "rb") else { throw .io(path, "cannot open the compressed log") }
        file = f
        gzbuffer(f, 256 * 1024)
        var left = skip
        var scratch = [UInt8](repeating: 0, count: 64 * 1024)
        while left > 0 {
            let n = gzread(f, &scratch, UInt32(min(Int64(scratch.count), left)))
            if n <= 0 {
                gzclose(f)
                throw .io(path, n < 0 ? "not a valid gzip file" : "shorter than the \(skip) bytes read before")
            }
            left -= Int64(n)
        }
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws(TailLogError) -> Int {
        let n = gzread(file, buffer.baseAddress, UInt32(min(buffer.count, Int(Int32.max))))
        if n < 0 { throw .io(path, "not a valid gzip file (\(n))") }
        return Int(n)
    }

    deinit { gzclose(file) }
}
