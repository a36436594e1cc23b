extension FormatDescriptor {
    /// Wavefront data format; the timestamp's unit is read from its digit count.
    static let wavefront = FormatDescriptor(
        makeParser: { options throws(FormatError) in try WavefrontParser(options: options) },
        makeSerializer: { options throws(FormatError) in try WavefrontSerializer(options: options) },
        locate: { subject, line in
            switch subject {
            case .tag(let key): return SourceLocator.wavefrontTag(line, key: key)
            case .field: return SourceLocator.wavefrontValue(line)
            case .timestamp, .record, .name: return nil
            }
        },
        precisionFlag: nil, writesTimeForEveryMetric: true)
}

extension SourceLocator {
    /// The offset of Wavefront's value: after the (possibly quoted) name.
    static func wavefrontValue(_ line: UnsafeBufferPointer<UInt8>) -> Int? {
        let n = line.count
        var i = 0
        while i < n, line[i] == ASCII.space || line[i] == ASCII.tab { i += 1 }
        if i < n, line[i] == ASCII.quote {
            i += 1
            while i < n, line[i] != ASCII.quote { i += line[i] == ASCII.backslash ? 2 : 1 }
            i += 1
        }
        while i < n, line[i] != ASCII.space, line[i] != ASCII.tab { i += 1 }
        while i < n, line[i] == ASCII.space || line[i] == ASCII.tab { i += 1 }
        return i < n ? i : nil
    }

    /// The offset of a Wavefront tag `key=` or `"key"=` after the value.
    static func wavefrontTag(_ line: UnsafeBufferPointer<UInt8>, key: String) -> Int? {
        guard var i = wavefrontValue(line) else { return nil }
        let n = line.count
        while i < n {
            while i < n, line[i] == ASCII.space || line[i] == ASCII.tab { i += 1 }
            let keyStart = i
            var keyFrom = i
            var keyEnd: Int
            if i < n, line[i] == ASCII.quote {
                keyFrom = i + 1
                i += 1
                while i < n, line[i] != ASCII.quote { i += line[i] == ASCII.backslash ? 2 : 1 }
                keyEnd = min(i, n)
                i += 1
            } else {
                while i < n, line[i] != ASCII.equals, line[i] != ASCII.space, line[i] != ASCII.tab { i += 1 }
                keyEnd = i
            }
            if i < n, line[i] == ASCII.equals {
                if bytesEqual(line, keyFrom, keyEnd, key) { return keyStart }
                i += 1
            }
            // Skip the value (quoted or not).
            if i < n, line[i] == ASCII.quote {
                i += 1
                while i < n, line[i] != ASCII.quote { i += line[i] == ASCII.backslash ? 2 : 1 }
                i += 1
            }
            while i < n, line[i] != ASCII.space, line[i] != ASCII.tab { i += 1 }
        }
        return nil
    }
}
