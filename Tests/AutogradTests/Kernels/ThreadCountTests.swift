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
            [x.sum().scalars, x.norm().scalars, y.sum().scalars, y.norm().scalars,
             (x * x + x).exp().scalars, (y / 3).tanh().scalars]
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

    func testWorkIsSharedInContiguousRangesThatDifferByAtMostOne() {
        let ranges = (0..<3).map { Parallel.share($0, of: 3, count: 10) }
        XCTAssertEqual(ranges, [0..<4, 4..<7, 7..<10])
    }
}
