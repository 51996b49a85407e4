import XCTest
@testable import Autograd

/// The optimizers against PyTorch's update formulas (torch/optim/sgd.py and adam.py), written out
/// here in plain Double arithmetic and run on float64 parameters over several steps.
final class OptimizerTests: XCTestCase {
    let gradients: [[Double]] = [[1.0, -2.0, 0.5], [0.25, 1.5, -1.0], [-0.75, 0.0, 2.0], [0.5, 0.5, 0.5]]
    let start: [Double] = [1.0, -0.5, 2.0]

    /// Runs `optimizer` over the fixed gradient sequence, giving each step's gradient directly.
    private func run(_ make: (Tensor) -> Optimizer) throws -> [[Double]] {
        let p = Tensor(start, dtype: .float64, requiresGrad: true)
        let opt = make(p)
        var trace: [[Double]] = []
        for g in gradients {
            p.grad = Tensor(g, dtype: .float64)
            try opt.step()
            trace.append(p.scalars)
        }
        return trace
    }

    private func assertClose(_ a: [[Double]], _ b: [[Double]], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.count, b.count, file: file, line: line)
        for (x, y) in zip(a.joined(), b.joined()) { XCTAssertEqual(x, y, accuracy: 1e-12, file: file, line: line) }
    }

    /// sgd.py's `_single_tensor_sgd`, element by element.
    private func referenceSGD(lr: Double, momentum: Double = 0, dampening: Double = 0, weightDecay: Double = 0,
                              nesterov: Bool = false, maximize: Bool = false) -> [[Double]] {
        var p = start
        var buf: [Double]? = nil
        var trace: [[Double]] = []
        for grad in gradients {
            var d = grad.map { maximize ? -$0 : $0 }
            if weightDecay != 0 { d = zip(d, p).map { $0 + weightDecay * $1 } }
            if momentum != 0 {
                if let b = buf { buf = zip(b, d).map { momentum * $0 + (1 - dampening) * $1 } } else { buf = d }
                d = nesterov ? zip(d, buf!).map { $0 + momentum * $1 } : buf!
            }
            p = zip(p, d).map { $0 - lr * $1 }
            trace.append(p)
        }
        return trace
    }

    /// adam.py's `_single_tensor_adam` (decoupled: AdamW), element by element.
    private func referenceAdam(lr: Double, betas: (Double, Double) = (0.9, 0.999), eps: Double = 1e-8,
                               weightDecay: Double = 0, amsgrad: Bool = false, decoupled: Bool = false) -> [[Double]] {
        var p = start
        var m = [Double](repeating: 0, count: 3), v = m, vmax = m
        var trace: [[Double]] = []
        for (k, grad) in gradients.enumerated() {
            let t = Double(k + 1)
            var g = grad
            if weightDecay != 0 {
                if decoupled { p = p.map { $0 * (1 - lr * weightDecay) } } else { g = zip(g, p).map { $0 + weightDecay * $1 } }
            }
            for i in 0..<3 {
                m[i] += (1 - betas.0) * (g[i] - m[i])
                v[i] = betas.1 * v[i] + (1 - betas.1) * g[i] * g[i]
                vmax[i] = max(vmax[i], v[i])
                let stepSize = lr / (1 - pow(betas.0, t))
                let denom = (amsgrad ? vmax[i] : v[i]).squareRoot() / (1 - pow(betas.1, t)).squareRoot() + eps
                p[i] -= stepSize * m[i] / denom
            }
            trace.append(p)
        }
        return trace
    }

    func testPlainSGD() throws {
        assertClose(try run { SGD([$0], lr: 0.1) }, referenceSGD(lr: 0.1))
    }

    func testSGDMomentumStartsFromTheFirstGradient() throws {
        assertClose(try run { SGD([$0], lr: 0.1, momentum: 0.9) }, referenceSGD(lr: 0.1, momentum: 0.9))
        assertClose(try run { SGD([$0], lr: 0.05, momentum: 0.8, dampening: 0.3) },
                    referenceSGD(lr: 0.05, momentum: 0.8, dampening: 0.3))
    }

    func testSGDNesterovAndWeightDecay() throws {
        assertClose(try run { SGD([$0], lr: 0.1, momentum: 0.9, weightDecay: 0.01, nesterov: true) },
                    referenceSGD(lr: 0.1, momentum: 0.9, weightDecay: 0.01, nesterov: true))
        assertClose(try run { SGD([$0], lr: 0.1, weightDecay: 0.1, maximize: true) },
                    referenceSGD(lr: 0.1, weightDecay: 0.1, maximize: true))
    }

    func testSGDMomentumBufferIsExposed() throws {
        let p = Tensor([1.0, 2.0], dtype: .float64, requiresGrad: true)
        let opt = SGD([p], lr: 0.1, momentum: 0.9)
        XCTAssertNil(opt.momentumBuffer(for: p))
        p.grad = Tensor([0.5, -1.0], dtype: .float64)
        try opt.step()
        XCTAssertEqual(opt.momentumBuffer(for: p)?.scalars, [0.5, -1.0])
    }

    func testAdam() throws {
        assertClose(try run { Adam([$0], lr: 0.1) }, referenceAdam(lr: 0.1))
        assertClose(try run { Adam([$0], lr: 0.01, betas: (0.8, 0.99), eps: 1e-6, weightDecay: 0.1) },
                    referenceAdam(lr: 0.01, betas: (0.8, 0.99), eps: 1e-6, weightDecay: 0.1))
    }

    func testAdamAMSGrad() throws {
        assertClose(try run { Adam([$0], lr: 0.1, amsgrad: true) }, referenceAdam(lr: 0.1, amsgrad: true))
    }

    /// With β1 ≥ 0.5 the running mean uses lerp's other formula; the value is the same.
    func testAdamWithSmallBeta1() throws {
        assertClose(try run { Adam([$0], lr: 0.1, betas: (0.3, 0.999)) }, referenceAdam(lr: 0.1, betas: (0.3, 0.999)))
    }

    func testAdamWDecouplesWeightDecay() throws {
        assertClose(try run { AdamW([$0], lr: 0.1) }, referenceAdam(lr: 0.1, weightDecay: 0.01, decoupled: true))
        assertClose(try run { AdamW([$0], lr: 0.1, weightDecay: 0.5, amsgrad: true) },
                    referenceAdam(lr: 0.1, weightDecay: 0.5, amsgrad: true, decoupled: true))
        // Decoupled decay is not the L2 penalty: the two differ.
        XCTAssertNotEqual(try run { AdamW([$0], lr: 0.1, weightDecay: 0.5) }.last!,
                          try run { Adam([$0], lr: 0.1, weightDecay: 0.5) }.last!)
    }

    /// The first Adam step moves every coordinate by lr (times the sign), whatever its scale.
    func testAdamFirstStepHasSizeLR() throws {
        let p = Tensor([0.0, 0.0, 0.0], requiresGrad: true)
        let opt = Adam([p], lr: 0.1)
        p.grad = Tensor([1000.0, -0.001, 3.0])
        try opt.step()
        for (x, e) in zip(p.scalars, [-0.1, 0.1, -0.1]) { XCTAssertEqual(x, e, accuracy: 1e-5) }
        XCTAssertEqual(opt.state(for: p)?.step, 1)
    }

    func testParametersWithoutGradientAreSkipped() throws {
        let a = Tensor([1.0, 2.0], requiresGrad: true), b = Tensor([3.0], requiresGrad: true)
        for opt in [SGD([a, b], lr: 0.1, momentum: 0.9) as Optimizer, Adam([a, b], lr: 0.1), AdamW([a, b], lr: 0.1)] {
            a.grad = Tensor([1.0, 1.0])
            b.grad = nil
            let before = b.scalars
            try opt.step()
            XCTAssertEqual(b.scalars, before, "\(type(of: opt)) changed a parameter without a gradient")
        }
        XCTAssertNil(Adam([a, b]).state(for: b))
    }

    /// An update is an in-place change: it bumps the version counter, so a graph that saved the
    /// old value refuses to backward through it, as in PyTorch.
    func testStepIsInPlaceAndBumpsTheVersion() throws {
        let w = Tensor([2.0], requiresGrad: true)
        let y = w * w
        let opt = SGD([w], lr: 0.1)
        w.grad = Tensor([1.0])
        let storage = w.storage
        try opt.step()
        XCTAssertTrue(w.storage === storage)
        XCTAssertEqual(w.scalars, [1.9], accuracy: 1e-6)
        XCTAssertThrowsError(try y.backward())
    }

    func testZeroGrad() throws {
        let w = Tensor([1.0, 2.0], requiresGrad: true)
        let opt = SGD([w], lr: 0.1)
        w.grad = Tensor([3.0, 4.0])
        let g = w.grad!
        try opt.zeroGrad(setToNone: false)
        XCTAssertTrue(w.grad === g)
        XCTAssertEqual(w.grad?.scalars, [0, 0])
        try opt.zeroGrad()
        XCTAssertNil(w.grad)
    }

    func testLearningRateCanChangeBetweenSteps() throws {
        let w = Tensor([1.0], dtype: .float64, requiresGrad: true)
        let opt = SGD([w], lr: 0.1)
        w.grad = Tensor([1.0], dtype: .float64)
        try opt.step()
        opt.learningRate = 0.01
        try opt.step()
        XCTAssertEqual(try w.item(), 1 - 0.1 - 0.01, accuracy: 1e-15)
    }

    func testFloat16ParametersStayOnTheHalfGrid() throws {
        let w = Tensor([1.0], dtype: .float16, requiresGrad: true)
        let opt = SGD([w], lr: 0.1)
        w.grad = Tensor([1.0], dtype: .float16)
        try opt.step()
        XCTAssertEqual(try w.item(), Double(Float16(0.9)))
    }
}

private func XCTAssertEqual(_ a: [Double], _ b: [Double], accuracy: Double, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.count, b.count, file: file, line: line)
    for (x, y) in zip(a, b) { XCTAssertEqual(x, y, accuracy: accuracy, file: file, line: line) }
}
