/// Options of the Wavefront parser and serializer.
public struct WavefrontOptions: Sendable {
    public init() {}
}
