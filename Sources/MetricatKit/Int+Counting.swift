extension Int {
    /// The count with its noun in the right number: `1 line`, `2 lines`, `0 metrics`.
    func counting(_ singular: String, _ plural: String? = nil) -> String {
        "\(self) \(self == 1 ? singular : plural ?? singular + "s")"
    }
}
