/// What a Prometheus to Prometheus conversion keeps that the metric model has no place for: the
/// `# HELP` text of each family, by the name the output writes.
///
/// The parser fills it and the serializer reads it when it writes its families at the end of the
/// input; both belong to one conversion and run on one thread.
public final class PrometheusPassThrough: @unchecked Sendable {
    /// The most families whose HELP text is kept; later ones get the serializer's default text.
    public var maxHelpTexts = 100_000
    private(set) var helpTexts: [String: String] = [:]
    /// A HELP text was not kept because of ``maxHelpTexts``.
    private(set) var overflowed = false

    public init() {}

    /// Keeps `text` (unescaped) as the HELP of `family`; false when the table is full.
    @discardableResult
    func setHelp(_ text: String, for family: String) -> Bool {
        if helpTexts[family] == nil, helpTexts.count >= maxHelpTexts {
            overflowed = true
            return false
        }
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
