import CBuildInfo

/// What `metricat --version` prints: the release number and the commit the binary was built from.
enum BuildInfo {
    static let version = "0.1.0"

    /// The abbreviated commit hash when built by scripts/release.sh (with `-dirty` for uncommitted
    /// changes), else "unknown".
    static let commit = String(cString: metricat_build_commit())

    static var versionLine: String { "\(version) (\(commit))" }
}
