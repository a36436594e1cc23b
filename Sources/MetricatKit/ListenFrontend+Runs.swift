import MetricTransport

/// A `load` run that announced itself (``LoadRunMarker``): counting starts afresh at its first
/// begin line, and its summary is written once every sender's end line arrived.
struct ListenRun {
    var id: String
    /// Monotonic ns of the begin line.
    var began: Int64
    /// Senders whose end line arrived, and how many there are.
    var ended: Set<Int> = []
    var written = false

    init(id: String, began: Int64) {
        self.id = id
        self.began = began
    }
}

extension ListenFrontend {
    /// Handles a line without a sequence number that may be a run marker; returns whether it was
    /// one. Markers are not counted as received lines, bytes or datagrams.
    func runMarker(_ bytes: UnsafeBufferPointer<UInt8>, peer: Peer) -> Bool {
        guard let marker = LoadRunMarker(parsing: bytes) else { return false }
        summary.lines -= 1
        summary.bytes -= bytes.count + 1
        if peer.connection == 0 { summary.datagrams -= 1 }
        switch marker.phase {
        case .begin:
            // Datagram senders repeat their begin line; only a new run starts the counts afresh.
            guard marker.run != loadRun?.id else { return true }
            // The traffic counts start afresh; what describes listen itself (addresses, connections,
            // a command's end, a match) stays.
            summary.lines = 0
            summary.metrics = 0
            metricsBefore = pipeline?.output.metricsIn ?? 0
            summary.bytes = 0
            summary.datagrams = 0
            summary.parseErrors = 0
            errorsBefore = diagnostics.errorCount
            summary.dropped = 0
            sequence = SequenceStreams()
            loadRun = ListenRun(id: marker.run, began: Clock.monotonicNanoseconds())
        case .end(let k, let n):
            guard var r = loadRun, r.id == marker.run, !r.written else { return true }
            r.ended.insert(k)
            if r.ended.count >= n {
                r.written = true
                if options.json {
                    out.flush()
                    syncCounts()
                    summary.kernelDrops = kernelDropsNow()
                    summary.durationSeconds = Double(Clock.monotonicNanoseconds() - r.began) / 1e9
                    StandardStreams.writeError(summaryJSON() + "\n")
                }
            }
            loadRun = r
        }
        return true
    }

    /// The run key of the `--sequence` summary: the id of the last run announced, or null.
}
