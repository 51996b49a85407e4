import XCTest
@testable import Autograd

final class GradientMonitorTests: XCTestCase {
    private let x = Tensor([[0.5, -1.0, 2.0], [1.5, 0.25, -0.5], [-1.0, 1.0, 1.0], [0.0, 2.0, -2.0]])

    /// A ReLU layer whose biases push every unit below zero passes no gradient back: its
    /// parameters (and the next layer's weight, which only sees zeros) are dead.
    func testFlagsADeadReLULayer() throws {
        manualSeed(0)
        let model = Sequential(Linear(3, 4), ReLU(), Linear(4, 1))
        let first = try XCTUnwrap(model[0] as? Linear)
        try noGrad { try first.bias!.fill_(-100) }
        let monitor = GradientMonitor(module: model)
        try model(x).pow(2).mean().backward()
        let readings = monitor.record()
        XCTAssertEqual(readings.map(\.name), ["0.weight", "0.bias", "2.weight", "2.bias"])
        XCTAssertEqual(readings.map(\.flags), [[.dead], [.dead], [.dead], []])
        XCTAssertEqual(readings[0].zeroFraction, 1)
        XCTAssertEqual(readings[0].norm, 0)
        XCTAssertEqual(monitor.flagged.map(\.name), ["0.weight", "0.bias", "2.weight"])
    }

    func testFlagsAnExplodingLayerAndAVanishingOne() throws {
        manualSeed(0)
        // No activation in between: a tanh would saturate on these inputs and its gradient
        // would be exactly 0 (dead), not huge.
        let model = Sequential(Linear(3, 2), Linear(2, 1))
        let monitor = GradientMonitor(module: model)
        try model(x * 1e6).sum().backward()                  // huge inputs: huge first-layer weight gradient
        let readings = monitor.record()
        XCTAssertEqual(readings[0].flags, [.exploding])
        XCTAssertEqual(readings[1].flags, [])                // the first bias only sees the second weight
        XCTAssertGreaterThan(readings[0].norm, 1e3)
        XCTAssertEqual(monitor.firstOccurrence(of: .exploding)?.name, "0.weight")

        model.zeroGrad()
        try (model(x).sum() * 1e-12).backward()             // a vanishingly small loss
        let small = monitor.record()
        XCTAssertTrue(small.allSatisfy { $0.flags == [.vanishing] }, "\(small.map(\.flags))")
        XCTAssertNil(monitor.firstOccurrence(of: .dead))
    }

    func testFlagsNaNAndInfAndMissingGradients() throws {
        let wNaN = Tensor([0.0, 1.0], requiresGrad: true)
        let wInf = Tensor([2.0], requiresGrad: true)
        let unused = Tensor([1.0], requiresGrad: true)
        let monitor = GradientMonitor([("w_nan", wNaN), ("w_inf", wInf), ("unused", unused)])
        try (wNaN.sqrt() * 0).sum().backward()
        wInf.grad = Tensor([Double.infinity])
        let readings = monitor.record()
        XCTAssertEqual(readings.map(\.flags), [[.nonFinite], [.nonFinite], [.missing]])
        XCTAssertEqual(readings[0].nanCount, 1)
        XCTAssertTrue(readings[0].norm.isNaN)
        XCTAssertEqual(readings[1].infCount, 1)
        XCTAssertEqual(readings[1].norm, .infinity)
    }

    func testStatisticsHistoryAndThresholds() throws {
        let w = Tensor([0.0, 0.0, 0.0, 0.0], requiresGrad: true)
        let monitor = GradientMonitor([("w", w)], vanishingThreshold: 0.5, explodingThreshold: 10)
        w.grad = Tensor([3.0, -4.0, 0.0, 0.0])
        var r = monitor.record()[0]
        XCTAssertEqual(r.norm, 5)
        XCTAssertEqual(r.maxAbs, 4)
        XCTAssertEqual(r.meanAbs, 1.75)
        XCTAssertEqual(r.zeroFraction, 0.5)
        XCTAssertTrue(r.isHealthy)
        w.grad = Tensor([30.0, -40.0, 0.0, 0.0])
        XCTAssertEqual(monitor.record()[0].flags, [.exploding])
        monitor.explodingThreshold = 100
        XCTAssertEqual(monitor.record(step: 10)[0].flags, [])
        w.grad = Tensor([0.1, 0.0, 0.0, 0.0])
        r = monitor.record()[0]
        XCTAssertEqual(r.flags, [.vanishing])
        XCTAssertEqual(r.step, 11)
        XCTAssertEqual(monitor.steps, [0, 1, 10, 11])
        XCTAssertEqual(monitor.norms(of: "w"), [5, 50, 50, Double(Float(0.1))])
        XCTAssertEqual(monitor.history(of: "w").count, 4)

        // Norms of float64 gradients near the top of the range don't overflow.
        let big = Tensor([3e200, 4e200], dtype: .float64, requiresGrad: true)
        big.grad = Tensor([3e200, 4e200], dtype: .float64)
        XCTAssertEqual(GradientMonitor([("big", big)]).record()[0].norm, 5e200, accuracy: 1e188)
    }

    func testReportIsAnAlignedTable() throws {
        let a = Tensor([1.0, 2.0], requiresGrad: true)
        let bias = Tensor([0.0], requiresGrad: true)
        let b = Tensor([[1.0, 1.0], [1.0, 1.0]], requiresGrad: true)
        let monitor = GradientMonitor([("layer1.weight", a), ("layer1.bias", bias), ("b", b)])
        XCTAssertEqual(monitor.description, "Gradient health: nothing recorded yet")
        a.grad = Tensor([3.0, 4.0])
        bias.grad = Tensor([0.0])
        b.grad = Tensor([[Double.nan, 1.0], [2000, 0.0]])
        monitor.record()
        let expected = """
        Gradient health at step 0 (vanishing < 1e-06, exploding > 1000)
        parameter      shape        norm    max |g|   mean |g|  zeros  flags
        layer1.weight  [2]     5.000e+00  4.000e+00  3.500e+00     0%
        layer1.bias    [1]     0.000e+00  0.000e+00  0.000e+00   100%  dead
        b              [2, 2]        nan        nan        nan  25.0%  non-finite (1 NaN, 0 inf)

        dead: every element is exactly 0, so nothing reaches this parameter (ReLUs that are always off, a detached or zeroed path)
        non-finite: NaN or inf in the gradient will corrupt the weights (log(0), sqrt at 0, division by 0, overflow)
        """
        XCTAssertEqual(monitor.report(), expected)
        XCTAssertEqual("\(monitor)", expected)
    }
}
