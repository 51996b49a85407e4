import Foundation

/// The number of threads Autograd's kernels may use, as `torch.set_num_threads` / `torch.get_num_threads`:
/// `Autograd.numThreads = 1` makes every kernel run on the calling thread alone.
///
/// The default is the environment variable `GRADLINGS_NUM_THREADS` when it holds a positive number,
/// else the number of processors this process may use (`ProcessInfo.activeProcessorCount`). Results
/// are bit-for-bit the same whatever the setting: work is split into pieces that do not depend on the
/// thread count, and each piece is computed in a fixed order.
public var numThreads: Int {
    get {
        let n = CKernels.numThreads
        if n > 0 { return n }
        CKernels.numThreads = Parallel.defaultThreads()
        return CKernels.numThreads
    }
    set {
        precondition(newValue >= 1, "set_num_threads expects a positive integer")
        CKernels.numThreads = newValue
    }
}

/// Running pieces of a kernel on several threads.
enum Parallel {
    /// `GRADLINGS_NUM_THREADS`, else the active processor count.
    static func defaultThreads(environment: [String: String] = ProcessInfo.processInfo.environment) -> Int {
        if let text = environment["GRADLINGS_NUM_THREADS"], let n = Int(text.trimmingCharacters(in: .whitespaces)), n > 0 {
            return n
        }
        return max(1, ProcessInfo.processInfo.activeProcessorCount)
    }

    /// The number of threads for `work` units when a thread should get at least `grain` of them.
    static func threads(work: Int, grain: Int) -> Int {
        guard work >= 2 * grain else { return 1 }
        return max(1, min(numThreads, work / grain))
    }

    /// Runs `body(part)` for `part` in `0..<parts`, on up to `numThreads` threads (the calling thread
    /// included, the others from the C kernels' pool); returns when all are done.
    static func run(parts: Int, _ body: (Int) -> Void) {
        if parts <= 1 { body(0); return }
        CKernels.parallelRun(parts: parts, threads: min(parts, numThreads), body)
    }

    /// The range of `0..<count` that part `part` of `parts` covers: contiguous, sizes differing by at most 1.
    static func share(_ part: Int, of parts: Int, count: Int) -> Range<Int> {
        let base = count / parts, extra = count % parts
        let start = part * base + min(part, extra)
        return start..<(start + base + (part < extra ? 1 : 0))
    }

    /// Runs `body` over `0..<count` split into contiguous ranges, one per thread, when the count is at
    /// least `2 × grain` (else on the calling thread). For elementwise work, whose results don't
    /// depend on how it is split.
    /// (Inlined, so that a one-thread run is the plain loop with its closure inlined.)
    @inline(__always)
    static func forEachRange(count: Int, grain: Int = 1 << 16, _ body: (Range<Int>) -> Void) {
        if count < 2 * grain { body(0..<count); return }
        let parts = threads(work: count, grain: grain)
        if parts == 1 { body(0..<count); return }
        run(parts: parts) { body(share($0, of: parts, count: count)) }
    }
}
