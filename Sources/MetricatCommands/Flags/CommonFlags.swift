import ArgumentParser

/// Flags every command that reads input shares.
struct CommonFlags: ParsableArguments {
    @Flag(name: .shortAndLong, help: "Say more: the detected format, options that do not apply.")
    var verbose = false

    @Flag(help: "Stop at the first bad line (exit 65) instead of reporting it and going on.")
    var strict = false

    @Option(
        help: ArgumentHelp(
            "Longest input line or record in bytes; longer ones are reported and skipped. Default 1 MiB (1048576); listen: 64 KiB (65536), a datagram's lines included.",
            valueName: "bytes"))
    var maxLine: ByteSize<LineBytes>?
}
