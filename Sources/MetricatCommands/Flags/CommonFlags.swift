import ArgumentParser

/// Flags every command that reads input shares.
struct CommonFlags: ParsableArguments {
    @Flag(name: .shortAndLong, help: "Say more: the detected format, options that do not apply.")
    var verbose = false

    @Flag(help: "Stop at the first bad line (exit 65) instead of reporting it and going on.")
    var strict = false

    @Option(
        help: ArgumentHelp(
            "Longest line or record in bytes (default 1 MiB; listen: 64 KiB); longer ones are reported and skipped.",
            valueName: "bytes"))
    var maxLine: ByteSize<LineBytes>?
}
