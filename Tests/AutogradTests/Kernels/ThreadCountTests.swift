import XCTest
@testable import Autograd

/// Results must not depend on `numThreads`: every split of the work sums in the same order.
final class ThreadCountTests: XCTestCase {
    private var saved = 1, savedGrain = 0
    override func setUp() {
        saved = Autograd.numThreads
        // Small products split too, so that 8 threads each get a share of these test-sized products.
        savedGrain = MatrixProduct.threadGrain
        MatrixProduct.threadGrain = 1 << 18
    }
    override func tearDown() {
        Autograd.numThreads = saved
        MatrixProduct.threadGrain = savedGrain
    }

    /// Runs `body` at 1, 2, 3 and 8 threads and checks every run gives exactly the first run's values.
    private func assertSameBitsForEveryThreadCount(_ what: String, _ body: () throws -> [[Double]]) rethrows {
        var first: [[Double]]?
        for threads in [1, 2, 3, 8] {
            Autograd.numThreads = threads
            let result = try body()
            if let first {
                XCTAssertEqual(result.count, first.count)
                for (got, want) in zip(result, first) {
                    // Compare bit patterns, so that -0.0 vs 0.0 or different NaNs would show too.
                    XCTAssertEqual(got.map(\.bitPattern), want.map(\.bitPattern), "\(what) at \(threads) threads")
                }
            } else {
                first = result
            }
        }
    }

    func testMatrixProductsOfUnevenShapesAreBitIdenticalForOneTwoThreeAndEightThreads() {
        manualSeed(11)
        // 203 rows and 157 columns split unevenly over 2, 3 and 8 threads, in 6-row and 16-column panels;
        // 301 is longer than one 256-deep block. Enough work for 8 threads.
        let (m, k, n) = (203, 301, 157)
        for dtype in [DType.float32, .float64] {
            let a = Tensor.randn([m * k], dtype: dtype), b = Tensor.randn([k * n], dtype: dtype)
            let tall = Tensor.randn([4001, 60], dtype: dtype), narrow = Tensor.randn([60, 35], dtype: dtype)
            assertSameBitsForEveryThreadCount("\(dtype) products") {
                var results: [[Double]] = []
                for ta in [false, true] {
                    for tb in [false, true] {
                        let x = ta ? a.reshape([k, m]).t() : a.reshape([m, k])
                        let y = tb ? b.reshape([n, k]).t() : b.reshape([k, n])
                        results.append(x.matmul(y).scalars)
                    }
                }
                // Tall and wide results, so both the row and the column split are used.
                results.append(tall.matmul(narrow).scalars)
                results.append(narrow.t().matmul(tall.t()).scalars)
                return results
            }
        }
    }

    func testTrainingStepsWithSGDAndAdamAreBitIdenticalForOneTwoThreeAndEightThreads() throws {
        for adam in [false, true] {
            try assertSameBitsForEveryThreadCount(adam ? "Adam steps" : "SGD steps") {
                manualSeed(12)
                let model = Sequential([Linear(301, 500), ReLU(), Linear(500, 203), Tanh(), Linear(203, 3)])
                let x = Tensor.randn([67, 301]), y = Tensor.randn([67, 3])
                let parameters = model.parameters()
                let optimizer: Optimizer = adam ? Adam(parameters, lr: 0.01) : SGD(parameters, lr: 0.1, momentum: 0.9)
                var results: [[Double]] = []
                for _ in 0..<2 {
                    try optimizer.zeroGrad()
                    let loss = MSELoss()(model(x), y)
                    try loss.backward()
                    results.append(try clipGradNorm(parameters, maxNorm: 1).scalars)
                    try optimizer.step()
                    results.append(loss.scalars)
                }
                return results + parameters.map(\.scalars)
            }
        }
    }

    func testLargeSumsNormsAndElementwiseOpsAreBitIdenticalForOneTwoThreeAndEightThreads() throws {
        manualSeed(13)
        // 300_007 elements: 9 blocks of a long sum and a ragged last one; elementwise ops split unevenly.
        let x = Tensor.randn([300_007]), y = Tensor.randn([300_007], dtype: .float64)
        assertSameBitsForEveryThreadCount("sums, norms and elementwise ops") {
            // In-place mul_ and add_ by a number too (clipping scales gradients this way).
            let (a, b) = (x.clone(), y.clone())
            noGrad { _ = try? a.mul_(0.37); _ = try? a.add_(-1.25); _ = try? b.mul_(1.0 / 3); _ = try? b.add_(0.5) }
            return [x.sum().scalars, x.norm().scalars, y.sum().scalars, y.norm().scalars,
                    (x * x + x).exp().scalars, (y / 3).tanh().scalars, a.scalars, b.scalars]
        }
    }

    func testNumThreadsIsReadFromTheEnvironmentAndDefaultsToTheActiveProcessors() {
        XCTAssertEqual(Parallel.defaultThreads(environment: ["GRADLINGS_NUM_THREADS": "3"]), 3)
        XCTAssertEqual(Parallel.defaultThreads(environment: ["GRADLINGS_NUM_THREADS": "zero"]),
                       ProcessInfo.processInfo.activeProcessorCount)
        XCTAssertEqual(Parallel.defaultThreads(environment: [:]), ProcessInfo.processInfo.activeProcessorCount)
        Autograd.numThreads = 5
        XCTAssertEqual(Autograd.numThreads, 5)
    }

    /// The pool runs each part exactly once: many parts, a split inside a part (run on its thread),
    /// and splits started from several threads at once (one uses the pool, the others run alone).
    func testEveryPartOfASplitRunsExactlyOnceAlsoWhenSplitsNestOrStartOnSeveralThreads() {
        Autograd.numThreads = 3
        func countRuns(parts: Int, inner: Int) -> [Int] {
            let counts = UnsafeMutableBufferPointer<Int>.allocate(capacity: parts * max(inner, 1))
            defer { counts.deallocate() }
            counts.initialize(repeating: 0)
            Parallel.run(parts: parts) { p in
                if inner == 0 { counts[p] += 1; return }
                Parallel.run(parts: inner) { q in counts[p * inner + q] += 1 }
            }
            return Array(counts)
        }
        XCTAssertEqual(countRuns(parts: 1000, inner: 0), [Int](repeating: 1, count: 1000))
        XCTAssertEqual(countRuns(parts: 7, inner: 5), [Int](repeating: 1, count: 35))
        let results = UnsafeMutableBufferPointer<[Int]>.allocate(capacity: 4)
        defer { results.deallocate() }
        results.initialize(repeating: [])
        DispatchQueue.concurrentPerform(iterations: 4) { t in results[t] = countRuns(parts: 300, inner: 0) }
        for r in results { XCTAssertEqual(r, [Int](repeating: 1, count: 300)) }
    }

    func testWorkIsSharedInContiguousRangesThatDifferByAtMostOne() {
        let ranges = (0..<3).map { Parallel.share($0, of: 3, count: 10) }
        XCTAssertEqual(ranges, [0..<4, 4..<7, 7..<10])
    }
}
