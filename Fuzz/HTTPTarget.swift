// libFuzzer target for HTTPResponseReader (MetricTransport), built by scripts/fuzz.sh together with
// that one source file.
//
// Input: one byte that picks how the bytes arrive (1 to 64 per read) and the body limit (64 bytes
// or 1 MiB), then what the server sends. A refused response is a result, not a finding; a trap or a
// sanitizer report is, and so is a response that breaks the reader's own limits.
#if canImport(Glibc)
    import Glibc
#endif

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHTTPResponse(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let step = Int(data[0] & 63) + 1
    let maxBody = data[0] & 64 != 0 ? 64 : 1 << 20
    let stream = UnsafeBufferPointer(start: data + 1, count: size - 1)
    var at = 0
    let result = HTTPResponseReader.read(
        maxBody: maxBody,
        receive: { buffer in
            guard at < stream.count else { return false }
            let end = min(stream.count, at + step)
            buffer += stream[at..<end]
            at = end
            return true
        }, problem: { nil })
    if case .success(let response) = result {
        precondition(response.body.count <= maxBody, "a body of \(response.body.count) bytes passed the \(maxBody)-byte limit")
        precondition((100...999).contains(response.status), "status \(response.status) out of range")
        precondition(response.body.count <= stream.count, "a body longer than what was sent")
    }
    return 0
}
