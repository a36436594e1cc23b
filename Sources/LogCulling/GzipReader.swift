/// Reads a `.gz` rotated log (not yet available in this build: rotated `.gz` files are skipped).
final class GzipReader: ByteStream {
    static let available = false

    init(path: String, skip: Int64) throws(TailLogError) {
        throw .io(path, "reading .gz files is not supported in this build")
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws(TailLogError) -> Int { 0 }
}
