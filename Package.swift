// swift-tools-version:6.0
import PackageDescription

// Release builds leave out the run-time exclusivity checks on class properties (about 700
// instructions per converted line in swift_beginAccess). Debug builds, which run the whole test
// suite, keep them, so an overlapping access still shows up there.
let releaseSettings: [SwiftSetting] = [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]

/// apple/swift-system: `Errno` and `FileDescriptor`.
let systemPackage: Target.Dependency = .product(name: "SystemPackage", package: "swift-system")

let package = Package(
    name: "metricat",
    products: [
        .executable(name: "metricat", targets: ["metricat"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // Errno (typed, named) and, where a file is read or written by hand, FileDescriptor.
        .package(url: "https://github.com/apple/swift-system", from: "1.4.0"),
    ],
    targets: [
        // The system PCRE2 (Debian: libpcre2-dev), the engine of every user regex.
        .systemLibrary(name: "CPCRE2", pkgConfig: "libpcre2-8", providers: [.apt(["libpcre2-dev"])]),
        // What every library below shares and nothing else needs: user regexes (``Pattern``).
        .target(name: "MetricCore", dependencies: ["CPCRE2"], swiftSettings: releaseSettings),
        // Pure: the Metric model, one folder per wire format, framing and detection. No sockets, no files.
        .target(name: "MetricFormats", dependencies: ["MetricCore"], swiftSettings: releaseSettings),
        // What every command shares: reading files and stdin, writing stdout, the diagnostics engine
        // that decides the exit status, and the convert pipeline.
        .target(
            name: "MetricatKit", dependencies: ["MetricCore", "MetricFormats", "MetricTransport", systemPackage],
            swiftSettings: releaseSettings),
        // A C shim that makes libc's _GNU_SOURCE socket calls (sendmmsg, recvmmsg) visible, and the
        // newline index of the line counters (SSE2 compares, which Swift's SIMD types do lane by lane).
        .target(name: "CMetricSys"),
        // Sockets: addresses in Telegraf's service_address syntax, a syscall layer (swift-system's Errno),
        // senders with framing and reconnects, listeners, kernel drop counters.
        .target(name: "MetricTransport", dependencies: ["CMetricSys", "MetricFormats", systemPackage], swiftSettings: releaseSettings),
        // The system zlib, for rotated logs compressed to .gz (Debian: zlib1g-dev).
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        // tail-log: offset state, rotation and truncation, the lock, Logster's parsers and user rules.
        .target(
            name: "LogCulling",
            dependencies: ["CMetricSys", "MetricCore", "MetricFormats", "MetricTransport", "MetricatKit", "CZlib", systemPackage],
            swiftSettings: releaseSettings),
        // `load`: prebuilt payloads, pacing, the embedded sink, loss accounting and reports.
        .target(
            name: "MetricLoad", dependencies: ["MetricatKit", "MetricFormats", "MetricTransport", "CMetricSys", systemPackage],
            swiftSettings: releaseSettings),
        // The commit `--version` names: scripts/release.sh generates a header outside the source tree and
        // puts it on the include path, so no tracked file is rewritten; a plain `swift build` says "unknown".
        .target(name: "CBuildInfo"),
        // The commands: ArgumentParser types that map flags (typed argument values) to option values
        // and call the libraries. A library, so tests parse argument vectors in-process.
        .target(
            name: "MetricatCommands",
            dependencies: [
                "MetricatKit",
                "MetricLoad",
                "MetricFormats",
                "MetricTransport",
                "LogCulling",
                "CBuildInfo",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // The executable: the entry point alone.
        .executableTarget(name: "metricat", dependencies: ["MetricatCommands"]),
        .testTarget(name: "MetricCoreTests", dependencies: ["MetricCore"]),
        .testTarget(name: "MetricFormatsTests", dependencies: ["MetricFormats"]),
        .testTarget(name: "MetricatKitTests", dependencies: ["MetricatKit", "MetricFormats", "MetricTransport"]),
        .testTarget(name: "MetricTransportTests", dependencies: ["MetricTransport", systemPackage]),
        .testTarget(name: "LogCullingTests", dependencies: ["LogCulling", "MetricFormats", "MetricatKit"]),
        .testTarget(name: "MetricLoadTests", dependencies: ["MetricLoad", "MetricatKit", "MetricFormats", "MetricTransport"]),
        .testTarget(name: "MetricatCommandsTests", dependencies: ["MetricatCommands", "MetricFormats", "MetricatKit"]),
        .testTarget(name: "CLITests", dependencies: ["MetricFormats"]),
    ]
)
