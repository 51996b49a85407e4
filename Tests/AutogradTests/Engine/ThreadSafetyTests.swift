import Foundation
import XCTest
@testable import Autograd

/// Graphs built on several threads at once: the shared counters (node order, hook ids, saved-tensor
/// totals, the default generator) stay consistent, and each thread's results are exact.
final class ThreadSafetyTests: XCTestCase {
    /// The model of parity case 55: two layers, tanh and a scaled sigmoid, SGD with momentum.
    static func train(scale: Double, steps: Int = 30) throws -> (loss: Tensor, w2: Tensor) {
        let w1 = try ((Tensor((0..<32).map { Double($0 % 7) }, dtype: .float64) * 0.05 - 0.15) * scale)
            .reshape([4, 8]).detach().requiresGrad_()
        let w2 = try (Tensor((0..<8).map { Double($0 % 3) }, dtype: .float64) * 0.2 - 0.2)
            .reshape([8, 1]).detach().requiresGrad_()
        let x = Tensor.arange(24, dtype: .float64).reshape([6, 4]) / 10 - 1
        let y = Tensor((0..<6).map { Double($0 % 3) - 1 }, shape: [6, 1], dtype: .float64)
        let optimizer = SGD([w1, w2], lr: 0.1, momentum: 0.9)
        var loss = Tensor(0.0)
        for _ in 0..<steps {
            let h = x.matmul(w1).tanh()
            let out = h.matmul(w2).sigmoid() * 2 - 1
            loss = ((out - y) ** 2).mean()
            try optimizer.zeroGrad()
            try loss.backward()
            try optimizer.step()
        }
        return (loss, w2)
    }

    /// Runs each body on its own thread, all at once, and waits for them.
    static func concurrently(_ bodies: [() throws -> Void]) throws {
        let group = DispatchGroup()
        let failure = FirstFailure()
        for body in bodies {
            group.enter()
            let thread = Thread {
                defer { group.leave() }
                do { try body() } catch { failure.record(error) }
            }
            thread.stackSize = 8 << 20
            thread.start()
        }
        group.wait()
        if let error = failure.error { throw error }
    }

    func testTwoThreadsTrainingTwoModelsGetTheSequentialResultsExactly() throws {
        let sequential = try [1.0, -2.0].map { try Self.train(scale: $0) }
        let before = SavedTensorStatistics.count
        var results: [(loss: Tensor, w2: Tensor)?] = [nil, nil]
        try Self.concurrently([
            { results[0] = try Self.train(scale: 1.0) },
            { results[1] = try Self.train(scale: -2.0) },
        ])
        for (a, b) in zip(sequential, results) {
            XCTAssertEqual(try a.loss.item(), try b!.loss.item())
            XCTAssertEqual(a.w2.scalars, b!.w2.scalars)
        }
        XCTAssertEqual(SavedTensorStatistics.count, before, "every graph is gone: nothing may stay counted")
    }

    func testGraphsBuiltOnManyThreadsLeaveTheSavedTensorCountAtZero() throws {
        let before = (SavedTensorStatistics.count, SavedTensorStatistics.elements)
        try Self.concurrently((0..<4).map { k in {
            for i in 0..<300 {
                let x = Tensor([Double(i), Double(k), 1.5], requiresGrad: true)
                let y = (x.exp() * x.sigmoid() + x.tanh() * 2.0).sum()
                if i % 2 == 0 { try y.backward() }
                let g = try grad(x.tanh().sum(), x, createGraph: true)
                try g.sum().backward()
            }
        } })
        XCTAssertEqual(SavedTensorStatistics.count, before.0)
        XCTAssertEqual(SavedTensorStatistics.elements, before.1)
    }

    func testNodeSequenceNumbersAndHookIDsAreUniqueAcrossThreads() throws {
        let lock = NSLock()
        var numbers: [Int] = [], ids: [Int] = []
        try Self.concurrently((0..<4).map { _ in {
            var mine: [Int] = [], myIDs: [Int] = []
            for _ in 0..<500 {
                let x = Tensor([1.0], requiresGrad: true)
                mine.append((x * x).gradFn!.sequenceNumber)
                myIDs.append(Hook.makeID())
            }
            XCTAssertEqual(mine, mine.sorted(), "a thread's nodes are numbered in the order it made them")
            lock.lock(); numbers += mine; ids += myIDs; lock.unlock()
        } })
        XCTAssertEqual(Set(numbers).count, numbers.count)
        XCTAssertEqual(Set(ids).count, ids.count)
    }

    func testTheDefaultGeneratorHandsEachDrawToOneThread() throws {
        manualSeed(7)
        let reference = Tensor.rand([4000]).scalars
        manualSeed(7)
        let lock = NSLock()
        var drawn: [Double] = []
        try Self.concurrently((0..<4).map { _ in {
            var mine: [Double] = []
            for _ in 0..<100 { mine += Tensor.rand([10]).scalars }
            lock.lock(); drawn += mine; lock.unlock()
        } })
        XCTAssertEqual(drawn.sorted(), reference.sorted(), "the same 4000 values, none drawn twice or lost")
    }

    func testGradModeIsPerThread() throws {
        let x = Tensor([1.0], requiresGrad: true)
        var inside = true
        try noGrad {
            try Self.concurrently([{ inside = (x * 2).requiresGrad }])
        }
        XCTAssertTrue(inside, "noGrad on one thread doesn't switch recording off on another")
    }
}

/// The first error thrown by any of several threads.
private final class FirstFailure: @unchecked Sendable {
    private let lock = NSLock()
    private var first: Error?

    func record(_ error: Error) {
        lock.lock(); defer { lock.unlock() }
        if first == nil { first = error }
    }

    var error: Error? {
        lock.lock(); defer { lock.unlock() }
        return first
    }
}

extension ThreadSafetyTests {
    /// Two threads backpropagating into one shared parameter at once: every gradient is added,
    /// one at a time (integer-valued gradients, so the sum is exact in any order).
    func testBackwardPassesOnTwoThreadsAccumulateIntoASharedLeaf() throws {
        let shared = Tensor([1.0, 2.0, 3.0], requiresGrad: true)
        try Self.concurrently((1...2).map { k in {
            for _ in 0..<200 {
                try (shared * Double(k)).sum().backward()
            }
        } })
        XCTAssertEqual(shared.grad?.scalars, [600, 600, 600])
    }
}
