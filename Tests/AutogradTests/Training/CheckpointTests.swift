import XCTest
@testable import Autograd

final class CheckpointTests: XCTestCase {
    /// Deterministic weights for a chain of small layers.
    private func weights(_ count: Int, size: Int = 4) -> [Tensor] {
        manualSeed(7)
        return (0..<count).map { _ in Tensor.uniform([size, size], from: -0.6, to: 0.6, requiresGrad: true) }
    }

    private func layer(_ h: Tensor, _ w: Tensor) -> Tensor { h.matmul(w).tanh() }

    func testSameGradientsForInputsAndClosedOverParameters() throws {
        let ws = weights(3)
        let x0 = Tensor([[0.5, -1.0, 2.0, 0.25], [1.5, 0.0, -0.5, 1.0]])

        func run(checkpointed: Bool) throws -> [[Double]] {
            for w in ws { w.grad = nil }
            let x = x0.detach().clone()
            try x.requiresGrad_()
            let block: ([Tensor]) throws -> Tensor = { inputs in
                self.layer(self.layer(inputs[0], ws[0]), ws[1]) * inputs[1]
            }
            let scale = Tensor([2.0, 3.0, 4.0, 5.0], requiresGrad: true)
            let h = checkpointed ? try checkpoint(block, [x, scale]) : try block([x, scale])
            try layer(h, ws[2]).sum().backward()
            return ws.map { $0.grad!.scalars } + [x.grad!.scalars, scale.grad!.scalars]
        }
        XCTAssertEqual(try run(checkpointed: true), try run(checkpointed: false))
    }

    func testOutputRecordsOneNodeAndRequiresGradOnlyWhenSomethingInsideDoes() throws {
        let w = Tensor([[2.0]], requiresGrad: true)
        let x = Tensor([[3.0]])
        var calls = 0
        let y = try checkpoint({ h in calls += 1; return h.matmul(w) }, x)
        XCTAssertEqual(y.gradFn?.name, "CheckpointFunctionBackward")
        XCTAssertEqual(y.gradFn?.nextFunctions.map { $0?.name }, [nil, "AccumulateGrad"])

        let constant = try checkpoint({ h in calls += 1; return h * 2 }, x)
        XCTAssertFalse(constant.requiresGrad)
        XCTAssertNil(constant.gradFn)

        let unrecorded = try noGrad { try checkpoint({ h in calls += 1; return h.matmul(w) }, x) }
        XCTAssertFalse(unrecorded.requiresGrad)
        XCTAssertEqual(calls, 3)
    }

    func testGradOfAClosedOverParameter() throws {
        let w = Tensor([1.5, -0.5], requiresGrad: true)
        let x = Tensor([2.0, 4.0])
        let y = try checkpoint({ ($0 * w).exp().sum() }, x)
        let g = try grad(y, w)
        let expected = try grad((x * w).exp().sum(), w)
        XCTAssertEqual(g.scalars, expected.scalars)
        XCTAssertNil(w.grad)
    }

    /// A tensor computed before the block and read inside it belongs to the outer graph: the
    /// inner backward pass stops there and hands the gradient back, so the outer pass runs that
    /// node once, with everything it receives.
    func testClosedOverNonLeafTensorUsedInsideAndOutside() throws {
        let w0 = Tensor([0.5, 2.0], requiresGrad: true)
        let x = Tensor([1.0, -1.0], requiresGrad: true)
        func run(_ checkpointed: Bool) throws -> [[Double]] {
            w0.grad = nil; x.grad = nil
            let w = w0 * w0                        // a non-leaf the block closes over
            let block: (Tensor) throws -> Tensor = { ($0 * w).sin() }
            let h = checkpointed ? try checkpoint(block, x) : try block(x)
            try (h.sum() + (w * 3).sum()).backward()
            return [w0.grad!.scalars, x.grad!.scalars]
        }
        XCTAssertEqual(try run(true), try run(false))
    }

    func testRandomDrawsRepeatInTheRecomputation() throws {
        let w = Tensor([1.0, 2.0, 3.0], requiresGrad: true)
        func run(_ checkpointed: Bool) throws -> [Double] {
            w.grad = nil
            manualSeed(3)
            // A dropout-like mask drawn inside the block.
            let block: (Tensor) throws -> Tensor = { h in h * Tensor.rand([3]).gt(0.5) * w }
            let x = Tensor([1.0, 1.0, 1.0])
            let h = checkpointed ? try checkpoint(block, x) : try block(x)
            _ = Tensor.rand([5])                    // draws between forward and backward
            try (h * h).sum().backward()
            return w.grad!.scalars
        }
        XCTAssertEqual(try run(true), try run(false))
    }

    func testRetainGraphRecomputesAgainAndCreateGraphGivesSecondDerivatives() throws {
        let x = Tensor([2.0], requiresGrad: true)
        var calls = 0
        let y = try checkpoint({ h in calls += 1; return h ** 3 }, x)
        try y.backward(retainGraph: true)
        try y.backward()
        XCTAssertEqual(x.grad!.scalars, [24])           // 2 · 3x² at x = 2
        XCTAssertEqual(calls, 3)
        XCTAssertThrowsError(try y.backward())           // freed after a backward without retainGraph

        x.grad = nil
        let z = try checkpoint({ $0 ** 3 }, x)
        let dz = try grad(z, x, createGraph: true)
        XCTAssertEqual(dz.scalars, [12])
        try dz.backward()
        XCTAssertEqual(x.grad!.scalars, [12])           // 6x at x = 2
    }

    func testInputChangedInPlaceBeforeBackwardIsRefused() throws {
        let w = Tensor([1.0], requiresGrad: true)
        let x = Tensor([2.0])
        let y = try checkpoint({ $0 * w }, x)
        try x.add_(1)
        XCTAssertThrowsError(try y.sum().backward()) { error in
            XCTAssertTrue("\(error)".hasPrefix("one of the variables needed for gradient computation has been modified by an inplace operation"))
        }
    }

    /// The memory effect: a deep chain keeps a saved tensor per operation for backward; with each
    /// layer checkpointed it keeps one input per layer, and with the whole chain as one block, one.
    func testCheckpointingKeepsFewerSavedTensors() throws {
        let depth = 24
        let ws = weights(depth, size: 16)
        manualSeed(1)
        let x = Tensor.rand([8, 16])
        func chain(_ h: Tensor, _ range: Range<Int>) -> Tensor { range.reduce(h) { layer($0, ws[$1]) } }

        func measure(_ forward: () throws -> Tensor) throws -> (count: Int, elements: Int, grads: [[Double]]) {
            for w in ws { w.grad = nil }
            let before = (SavedTensorStatistics.count, SavedTensorStatistics.elements)
            let loss = try forward().sum()
            let kept = (SavedTensorStatistics.count - before.0, SavedTensorStatistics.elements - before.1)
            try loss.backward()
            XCTAssertEqual(SavedTensorStatistics.count, before.0, "backward frees what the graph saved")
            return (kept.0, kept.1, ws.map { $0.grad!.scalars })
        }
        let plain = try measure { chain(x, 0..<depth) }
        let perLayer = try measure { try (0..<depth).reduce(x) { h, i in try checkpoint({ self.layer($0, ws[i]) }, h) } }
        let whole = try measure { try checkpoint({ chain($0, 0..<depth) }, x) }

        XCTAssertGreaterThanOrEqual(plain.count, 2 * depth)    // mm saves its operands, tanh its output
        XCTAssertEqual(perLayer.count, depth)                  // one saved input per block
        XCTAssertEqual(whole.count, 1)
        XCTAssertEqual(whole.elements, 8 * 16)
        XCTAssertLessThan(perLayer.elements, plain.elements)
        XCTAssertEqual(perLayer.grads, plain.grads)
        XCTAssertEqual(whole.grads, plain.grads)
    }
}
