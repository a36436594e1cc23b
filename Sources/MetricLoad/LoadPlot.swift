#if canImport(Glibc)
    import Glibc
#endif

/// `--plot FILE.svg`: offered rate against received rate (left axis) and loss (right axis, %) for
/// the steps of a ramp, with the knee marked, so a person sees where the collector gives up.
public enum LoadPlot {
    public static func svg(_ result: LoadResult) -> String {
        let w = 720.0
        let h = 420.0
        let left = 70.0
        let right = 60.0
        let top = 30.0
        let bottom = 50.0
        let pw = w - left - right
        let ph = h - top - bottom
        let runs = result.runs
        let maxRate = max(runs.map { max($0.rateOffered, $0.rateReceived ?? 0, $0.rateSent) }.max() ?? 1, 1)
        let maxLoss = max(runs.compactMap { $0.lossFraction }.max() ?? 0, 0.001) * 100
        func x(_ v: Double) -> Double { left + v / maxRate * pw }
        func y(_ v: Double) -> Double { top + ph - v / maxRate * ph }
        func yl(_ v: Double) -> Double { top + ph - v / maxLoss * ph }
        func f(_ v: Double) -> String { RateText.fixed(max(v, 0), 1) }
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(w))\" height=\"\(Int(h))\" font-family=\"sans-serif\" font-size=\"12\">\n"
        s += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        s += "<text x=\"\(f(left))\" y=\"18\" font-size=\"14\">metricat load: offered vs. received lines/s, and loss</text>\n"
        s += "<line x1=\"\(f(left))\" y1=\"\(f(top + ph))\" x2=\"\(f(left + pw))\" y2=\"\(f(top + ph))\" stroke=\"black\"/>\n"
        s += "<line x1=\"\(f(left))\" y1=\"\(f(top))\" x2=\"\(f(left))\" y2=\"\(f(top + ph))\" stroke=\"black\"/>\n"
        s += "<line x1=\"\(f(left + pw))\" y1=\"\(f(top))\" x2=\"\(f(left + pw))\" y2=\"\(f(top + ph))\" stroke=\"#c33\"/>\n"
        for i in 0...4 {
            let v = maxRate * Double(i) / 4
            s += "<text x=\"\(f(left - 6))\" y=\"\(f(y(v) + 4))\" text-anchor=\"end\">\(RateText.format(v))</text>\n"
            s += "<text x=\"\(f(x(v)))\" y=\"\(f(top + ph + 16))\" text-anchor=\"middle\">\(RateText.format(v))</text>\n"
            s += "<text x=\"\(f(left + pw + 6))\" y=\"\(f(yl(maxLoss * Double(i) / 4) + 4))\" fill=\"#c33\">\(RateText.fixed(maxLoss * Double(i) / 4, 2))%</text>\n"
        }
        s += "<text x=\"\(f(left + pw / 2))\" y=\"\(f(h - 10))\" text-anchor=\"middle\">offered lines/s</text>\n"
        s += "<line x1=\"\(f(x(0)))\" y1=\"\(f(y(0)))\" x2=\"\(f(x(maxRate)))\" y2=\"\(f(y(maxRate)))\" stroke=\"#bbb\" stroke-dasharray=\"4 4\"/>\n"
        let received = runs.map { "\(f(x($0.rateOffered))),\(f(y($0.rateReceived ?? $0.rateSent)))" }.joined(separator: " ")
        s += "<polyline points=\"\(received)\" fill=\"none\" stroke=\"#36c\" stroke-width=\"2\"/>\n"
        let loss = runs.map { "\(f(x($0.rateOffered))),\(f(yl(($0.lossFraction ?? 0) * 100)))" }.joined(separator: " ")
        s += "<polyline points=\"\(loss)\" fill=\"none\" stroke=\"#c33\" stroke-width=\"2\"/>\n"
        for r in runs {
            s += "<circle cx=\"\(f(x(r.rateOffered)))\" cy=\"\(f(y(r.rateReceived ?? r.rateSent)))\" r=\"3\" fill=\"#36c\"/>\n"
        }
        if let knee = result.knee {
            s += "<line x1=\"\(f(x(knee)))\" y1=\"\(f(top))\" x2=\"\(f(x(knee)))\" y2=\"\(f(top + ph))\" stroke=\"#393\" stroke-dasharray=\"6 3\"/>\n"
            s += "<text x=\"\(f(x(knee) + 4))\" y=\"\(f(top + 14))\" fill=\"#393\">knee \(RateText.format(knee))/s</text>\n"
        }
        s += "<text x=\"\(f(left + 8))\" y=\"\(f(top + 14))\" fill=\"#36c\">received/s</text>\n"
        s += "<text x=\"\(f(left + 8))\" y=\"\(f(top + 28))\" fill=\"#c33\">loss %</text>\n"
        return s + "</svg>\n"
    }

    /// Writes the plot; false when the file cannot be written.
    public static func write(_ result: LoadResult, to path: String) -> Bool {
        guard let f = fopen(path, "w") else { return false }
        defer { fclose(f) }
        let text = svg(result)
        return fputs(text, f) >= 0
    }
}
