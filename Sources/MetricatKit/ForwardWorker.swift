import MetricTransport
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// One `--forward` target of `listen --aggregate`, written on a thread of its own, so a target that
/// stops reading (or a reconnect that waits out its backoff) holds that thread and not the receive
/// loop: datagrams keep being read while a flush waits for the target.
///
/// Flushes wait in a queue of at most ``maxQueuedBytes`` (`--forward-queue`); when a new one does not fit, the oldest
/// waiting ones are dropped and their lines counted as failed. What the writer finds (lines the
/// target refused, lines not delivered after send's retries) comes back as ``Report``s, which the
/// receive loop prints; the writer's own counts join the run's at ``close()``.
final class ForwardWorker: @unchecked Sendable {

    /// What the writer has to say, in the order it happened.
    enum Report: Equatable {
        /// A finished diagnostic line (a refused line, a note).
        case text(String)
        /// Lines of flush `flush` not delivered after send's retries, and the errno names seen.
        case undelivered(lines: Int, flush: Int, why: String)
        /// Lines of flush `flush` dropped unsent: the queue was full.
        case dropped(lines: Int, flush: Int)
    }

    private struct Job {
        var bytes: [UInt8]
        var lines: Int
        var flush: Int
    }

    private struct State {
        var queue: [Job] = []
        var queuedBytes = 0
        var closing = false
        var droppedLines = 0
        var reports: [Report] = []
    }

    /// The state both threads touch, in a box the worker's diagnostics can write into.
    private final class Mailbox: Sendable {
        let state = Mutex(State())
    }

    let endpoint: Endpoint
    /// The most bytes of flushes waiting for the target (the newest flush is always taken).
    let maxQueuedBytes: Int
    /// Used by the writer thread while it runs, by the caller only after ``close()``.
    private let output: LineOutput
    /// The writer's findings: their lines go to the mailbox, their counts to the run at ``close()``.
    private let diagnostics: Diagnostics
    private let mailbox = Mailbox()
    private let wake: UnsafeMutablePointer<sem_t>
    private var thread: pthread_t?
    /// How long ``close()`` gives the target: send's write timeout.
    private let closingTime: Int64

    /// Opens the target (so an unreachable one is refused at the start, as `send` refuses it) and
    /// starts its writer.
    init(_ endpoint: Endpoint, options: SenderOptions, maxQueuedBytes: Int, verbose: Bool) throws(TransportError) {
        self.endpoint = endpoint
        self.maxQueuedBytes = maxQueuedBytes
        closingTime = options.writeTimeout
        let box = mailbox
        diagnostics = Diagnostics(verbose: verbose) { line in box.state.withLock { $0.reports.append(.text(line)) } }
        output = try LineOutput.open(endpoint, options: options, diagnostics: diagnostics)
        output.diagnosticsSource = endpoint.description
        wake = .allocate(capacity: 1)
        sem_init(wake, 0, 0)
        thread = WorkerThread.start { self.serve() }
    }

    deinit {
        sem_destroy(wake)
        wake.deallocate()
    }

    /// Queues the serialized lines of flush number `flush`; returns at once.
    func submit(_ bytes: [UInt8], lines: Int, flush: Int) {
        mailbox.state.withLock { s in
            s.queue.append(Job(bytes: bytes, lines: lines, flush: flush))
            s.queuedBytes += bytes.count
            while s.queuedBytes > maxQueuedBytes && s.queue.count > 1 {
                let old = s.queue.removeFirst()
                s.queuedBytes -= old.bytes.count
                s.droppedLines += old.lines
                s.reports.append(.dropped(lines: old.lines, flush: old.flush))
            }
        }
        sem_post(wake)
    }

    /// What the writer reported since the last call.
    func takeReports() -> [Report] {
        mailbox.state.withLock { s in
            defer { s.reports = [] }
            return s.reports
        }
    }

    /// Writes what is queued and closes the target, within send's write timeout from now (a write
    /// already waiting, a reconnect, the wait for the last acknowledgement all end by then; what
    /// is not delivered counts as failed), and ends the writer. The caller then prints
    /// ``takeReports()`` and adds the writer's counts with `Diagnostics.absorb`.
    func close() {
        guard let t = thread else { return }
        output.stop(by: Clock.monotonicNanoseconds() &+ closingTime)
        mailbox.state.withLock { $0.closing = true }
        sem_post(wake)
        pthread_join(t, nil)
        thread = nil
    }

    /// The writer's diagnostics, for their counts once it has ended.
    var findings: Diagnostics { diagnostics }

    /// InfluxDB's write API only, after ``close()``: lines sent whose answer never came (at-least-once).
    var unconfirmedLines: Int { output.httpOutcome.unconfirmed }

    /// What was sent, after ``close()``: lines dropped from the queue count as failed.
    var stats: SenderStats {
        var s = output.stats
        s.failedLines += mailbox.state.withLock { $0.droppedLines }
        return s
    }

    private func serve() {
        while true {
            while sem_wait(wake) != 0 && errno == EINTR {}
            let (job, closing) = mailbox.state.withLock { s -> (Job?, Bool) in
                if s.queue.isEmpty { return (nil, s.closing) }
                let j = s.queue.removeFirst()
                s.queuedBytes -= j.bytes.count
                return (j, false)
            }
            if var job {
                let failedBefore = output.stats.failedLines
                output.currentLine = 0
                output.write(&job.bytes)
                output.flush()
                reportFailures(since: failedBefore, flush: job.flush)
            } else if closing {
                break
            }
        }
        let failedBefore = output.stats.failedLines
        output.close()
        reportFailures(since: failedBefore, flush: nil)
    }

    /// Reports the lines that failed since the count was `before`.
    private func reportFailures(since before: Int, flush: Int?) {
        let stats = output.stats
        let failed = stats.failedLines - before
        guard failed > 0 else { return }
        let why = stats.errors.keys.sorted().joined(separator: ", ")
        mailbox.state.withLock { $0.reports.append(.undelivered(lines: failed, flush: flush ?? 0, why: why)) }
    }
}
