import XCTest
@testable import Autograd

/// A minimal optimizer for the scaler's tests: plain gradient descent that counts its steps.
final class CountingOptimizer: Optimizer {
    let parameters: [Tensor]
    var learningRate: Double
    private(set) var steps = 0

    init(_ parameters: [Tensor], lr: Double = 0.1) {
        self.parameters = parameters
        self.learningRate = lr
    }

    func step() throws {
        steps += 1
        try noGrad {
            for p in parameters { if let g = p.grad { try p.sub_(g, alpha: learningRate) } }
        }
    }
}

final class GradScalerTests: XCTestCase {
    private func assertThrows(_ message: String, file: StaticString = #filePath, line: UInt = #line,
                              _ body: () throws -> Void) {
        XCTAssertThrowsError(try body(), file: file, line: line) { error in
            XCTAssertEqual((error as? AutogradError)?.message, message, file: file, line: line)
        }
    }

    func testScaleMultipliesTheLossAndItsGradients() throws {
        let p = Tensor([1.0, -2.0], requiresGrad: true)
        let scaler = GradScaler(initScale: 1024)
        XCTAssertEqual(scaler.scale, 1024)          // before the first scale(): the initial scale
        let scaled = scaler.scale((p * p).sum())
        XCTAssertEqual(try scaled.item(), 5 * 1024)
        XCTAssertEqual(scaled.gradFn?.name, "MulBackward0")
        try scaled.backward()
        XCTAssertEqual(p.grad!.scalars, [2048, -4096])
        let opt = CountingOptimizer([p])
        try scaler.unscale(opt)
        XCTAssertEqual(p.grad!.scalars, [2, -4])
        XCTAssertEqual(scaler.foundInf(for: opt), false)
        XCTAssertTrue(try scaler.step(opt))
        XCTAssertEqual(opt.steps, 1)
        XCTAssertEqual(p.scalars, [0.8, -1.6].map { Double(Float($0)) })
    }

    func testStepUnscalesWhenUnscaleWasNotCalled() throws {
        let p = Tensor([3.0], requiresGrad: true)
        let opt = CountingOptimizer([p], lr: 1)
        let scaler = GradScaler(initScale: 4)
        try scaler.scale(p * 2).sum().backward()
        XCTAssertEqual(p.grad!.scalars, [8])
        try scaler.step(opt)
        XCTAssertEqual(p.grad!.scalars, [2])
        XCTAssertEqual(p.scalars, [1])
    }

    func testOverflowSkipsTheStepAndBacksOff() throws {
        let p = Tensor([1.0], requiresGrad: true)
        let opt = CountingOptimizer([p])
        let scaler = GradScaler(initScale: 65536)
        try scaler.scale(p * Double.infinity).sum().backward()
        XCTAssertFalse(try scaler.step(opt))
        XCTAssertEqual(opt.steps, 0)
        XCTAssertEqual(p.scalars, [1])
        XCTAssertEqual(scaler.foundInf(for: opt), true)
        try scaler.update()
        XCTAssertEqual(scaler.scale, 32768)
        XCTAssertNil(scaler.foundInf(for: opt))    // update() starts a new iteration
    }

    func testScaleGrowsAfterGrowthIntervalCleanStepsAndNeverBecomesInfinite() throws {
        let p = Tensor([1.0], requiresGrad: true)
        let opt = CountingOptimizer([p], lr: 0)
        let scaler = GradScaler(initScale: 2, growthFactor: 4, growthInterval: 3)
        var scales: [Double] = []
        for _ in 0..<7 {
            try opt.zeroGrad()
            try scaler.scale(p.sum()).backward()
            try scaler.step(opt)
            try scaler.update()
            scales.append(scaler.scale)
        }
        XCTAssertEqual(scales, [2, 2, 8, 8, 8, 32, 32])
        XCTAssertEqual(scaler.growthTracker, 1)

        // Growing past float32's largest value keeps the old scale (the scale is a float32).
        let big = GradScaler(initScale: 2e38, growthInterval: 1)
        try opt.zeroGrad()
        try big.scale(p.sum()).backward()
        try big.step(opt)
        try big.update()
        XCTAssertEqual(big.scale, Double(Float(2e38)))
    }

    func testUpdateWithANewScale() throws {
        let p = Tensor([1.0], requiresGrad: true)
        let scaler = GradScaler()
        _ = scaler.scale(p.sum())
        try scaler.update(newScale: 3)
        XCTAssertEqual(scaler.scale, 3)
    }

    func testMisuseThrowsPyTorchsMessages() throws {
        let p = Tensor([1.0], requiresGrad: true)
        let opt = CountingOptimizer([p])
        let scaler = GradScaler()
        assertThrows("Attempted unscale_ but _scale is None.  This may indicate your script did not use scaler.scale(loss or outputs) earlier in the iteration.") {
            try scaler.unscale(opt)
        }
        assertThrows("Attempted step but _scale is None.  This may indicate your script did not use scaler.scale(loss or outputs) earlier in the iteration.") {
            try scaler.step(opt)
        }
        try scaler.scale(p.sum()).backward()
        assertThrows("No inf checks were recorded prior to update.") { try scaler.update() }
        try scaler.unscale(opt)
        assertThrows("unscale_() has already been called on this optimizer since the last update().") {
            try scaler.unscale(opt)
        }
        try scaler.step(opt)
        assertThrows("step() has already been called since the last update().") { try scaler.step(opt) }
        assertThrows("unscale_() is being called after step().") { try scaler.unscale(opt) }
        try scaler.update()
        // After update() the same calls are fine again.
        try scaler.unscale(opt)
        try scaler.step(opt)
        try scaler.update()

        // An optimizer none of whose parameters has a gradient recorded no check.
        p.grad = nil
        assertThrows("No inf checks were recorded for this optimizer.") { try scaler.step(opt) }

        // float16 gradients can't be unscaled: keep float32 master weights.
        let h = Tensor([1.0], dtype: .float16, requiresGrad: true)
        let fresh = GradScaler()
        try fresh.scale((h * 2).sum()).backward()
        assertThrows("Attempting to unscale FP16 gradients.") { try fresh.unscale(CountingOptimizer([h])) }
    }

    func testEachOptimizerHasItsOwnStageAndAnyOverflowBacksOff() throws {
        let a = Tensor([1.0], requiresGrad: true), b = Tensor([1.0], requiresGrad: true)
        let optA = CountingOptimizer([a]), optB = CountingOptimizer([b])
        let scaler = GradScaler(initScale: 16)
        try scaler.scale((a * 2 + b * Double.nan).sum()).backward()
        XCTAssertTrue(try scaler.step(optA))
        XCTAssertFalse(try scaler.step(optB))
        XCTAssertEqual(optA.steps, 1)
        XCTAssertEqual(optB.steps, 0)
        try scaler.update()
        XCTAssertEqual(scaler.scale, 8)
    }

    func testDisabledScalerIsTransparent() throws {
        let p = Tensor([1.0], requiresGrad: true)
        let opt = CountingOptimizer([p])
        let scaler = GradScaler(enabled: false)
        let loss = (p * 3).sum()
        XCTAssertTrue(scaler.scale(loss) === loss)
        XCTAssertEqual(scaler.scale, 1)
        try loss.backward()
        try scaler.unscale(opt)
        XCTAssertEqual(p.grad!.scalars, [3])
        XCTAssertTrue(try scaler.step(opt))
        try scaler.update()
        XCTAssertEqual(opt.steps, 1)
    }

    func testScaledLossFollowsTypePromotionOfAZeroDimensionalFloat32Scale() {
        let scaler = GradScaler(initScale: 8)
        let half = Tensor([1.0, 2.0], dtype: .float16, requiresGrad: true)
        XCTAssertEqual(scaler.scale(half.sum()).dtype, .float32)          // 0-dim with 0-dim: float32
        XCTAssertEqual(scaler.scale(half * 1).dtype, .float16)            // a dimensioned tensor keeps its type
        XCTAssertEqual(scaler.scale(Tensor(1.0, dtype: .float64)).dtype, .float64)
    }

    /// The reason for the scaler: a float16 product whose gradient underflows to zero gets its true
    /// gradient back when the loss is scaled.
    func testLossScalingRescuesGradientsThatUnderflowInFloat16() throws {
        let x = Tensor([[1.0, 2.0], [3.0, 4.0]])
        func gradient(scaler: GradScaler) throws -> [Double] {
            let w = Tensor([[0.5], [0.25]], requiresGrad: true)
            let out = autocast { x.matmul(w) }
            XCTAssertEqual(out.dtype, .float16)
            let loss = out.float().sum() * 1e-8
            try scaler.scale(loss).backward()
            try scaler.unscale(CountingOptimizer([w]))
            return w.grad!.scalars
        }
        XCTAssertEqual(try gradient(scaler: GradScaler(enabled: false)), [0, 0])
        let rescued = try gradient(scaler: GradScaler())
        XCTAssertEqual(rescued[0], 4e-8, accuracy: 4e-11)
        XCTAssertEqual(rescued[1], 6e-8, accuracy: 6e-11)
    }
}
