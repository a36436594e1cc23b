/// What a Prometheus to Prometheus conversion keeps that the metric model has no place for: the
/// `# HELP` text of each family, by the name the output writes.
///
/// The parser fills it and the serializer reads it when it writes its families at the end of the
/// input; both belong to one conversion and run on one thread.
public final class PrometheusPassThrough: @unchecked Sendable {
    /// The most families whose HELP text is kept; later ones get the serializer's default text.
    public var maxHelpTexts = 100_000
    /// The most bytes of HELP text (and family names) kept in all.
    public var maxHelpBytes = 16 << 20
    private(set) var helpTexts: [String: String] = [:]
    private(set) var helpBytes = 0

    public init() {}

    /// Keeps `text` (unescaped) as the HELP of `family`; false when the table is full.
    @discardableResult
    func setHelp(_ text: String, for family: String) -> Bool {
        let size = family.utf8.count + text.utf8.count
        let old = helpTexts[family].map { family.utf8.count + $0.utf8.count } ?? 0
        if old == 0, helpTexts.count >= maxHelpTexts { return false }
        if helpBytes - old + size > maxHelpBytes { return false }
        helpBytes += size - old
        helpTexts[family] = text
        return true
    }

    /// Gives `name` (an OpenMetrics sample name such as `jobs_total`) the HELP of its `family`.
    func aliasHelp(from family: String, to name: String) {
        guard helpTexts[name] == nil, let text = helpTexts[family] else { return }
        setHelp(text, for: name)
    }

    func help(for family: String) -> String? {
        helpTexts[family]
    }
}
