import XCTest
@testable import Autograd

/// Loss values against their formulas, node names as PyTorch records them, and gradients (first
/// and second order) against finite differences in float64.
final class LossTests: XCTestCase {
    let input = Tensor([[0.5, -1.0, 2.0], [1.5, 0.0, -0.25]], dtype: .float64, requiresGrad: true)
    let target = Tensor([[1.0, -1.0, 0.0], [0.0, 0.5, 3.0]], dtype: .float64, requiresGrad: true)

    private var residuals: [Double] { zip(input.scalars, target.scalars).map { $0 - $1 } }

    /// gradcheck of a loss in both arguments, and of its gradient (createGraph) in both.
    private func assertGradients(_ loss: @escaping (Tensor, Tensor) throws -> Tensor, secondOrder: Bool = true,
                                 file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertTrue(try gradcheck({ try loss($0[0], $0[1]) }, inputs: [input, target]), file: file, line: line)
        guard secondOrder else { return }
        XCTAssertTrue(try gradcheck({ inputs in
            try enableGrad {
                let x = try inputs[0].requiresGrad ? inputs[0] : inputs[0].detach().requiresGrad_()
                let gx = try grad(loss(x, inputs[1]), x, createGraph: true)
                return (gx * gx).sum()
            }
        }, inputs: [input, target]), file: file, line: line)
    }

    func testMSE() throws {
        let r = residuals
        let loss = MSELoss()(input, target)
        XCTAssertEqual(loss.gradFn?.name, "MseLossBackward0")
        XCTAssertEqual(try loss.item(), r.map { $0 * $0 }.reduce(0, +) / 6, accuracy: 1e-12)
        XCTAssertEqual(try MSELoss(reduction: .sum)(input, target).item(), r.map { $0 * $0 }.reduce(0, +), accuracy: 1e-12)
        XCTAssertEqual(MSELoss(reduction: .none)(input, target).scalars, r.map { $0 * $0 })
        XCTAssertEqual(MSELoss(reduction: .none)(input, target).shape, [2, 3])
        for reduction in [Reduction.mean, .sum, .none] {
            try assertGradients { mseLoss($0, $1, reduction: reduction).sum() }
        }
    }

    func testMSEBroadcastsTheTarget() throws {
        let loss = mseLoss(input, Tensor([1.0, 0.0, -1.0], dtype: .float64))
        let expected = zip(input.scalars, [1.0, 0, -1, 1, 0, -1]).map { ($0 - $1) * ($0 - $1) }.reduce(0, +) / 6
        XCTAssertEqual(try loss.item(), expected, accuracy: 1e-12)
        try assertGradients { mseLoss($0, try $1[0]) }
    }

    func testL1() throws {
        let r = residuals
        XCTAssertEqual(L1Loss()(input, target).gradFn?.name, "MeanBackward0")
        XCTAssertEqual(L1Loss(reduction: .sum)(input, target).gradFn?.name, "SumBackward0")
        XCTAssertEqual(L1Loss(reduction: .none)(input, target).gradFn?.name, "AbsBackward0")
        XCTAssertEqual(try L1Loss()(input, target).item(), r.map(abs).reduce(0, +) / 6, accuracy: 1e-12)
        XCTAssertEqual(try L1Loss(reduction: .sum)(input, target).item(), r.map(abs).reduce(0, +), accuracy: 1e-12)
        // No residual is 0 except one (−1 − −1): nudge it away from the kink for finite differences.
        let x = Tensor([[0.5, -0.9, 2.0], [1.5, 0.0, -0.25]], dtype: .float64, requiresGrad: true)
        XCTAssertTrue(try gradcheck({ l1Loss($0[0], $0[1]) }, inputs: [x, target]))
        // At the kink the gradient is 0, the subgradient PyTorch picks.
        let same = Tensor([1.0], requiresGrad: true)
        try l1Loss(same, Tensor([1.0])).backward()
        XCTAssertEqual(same.grad?.scalars, [0])
    }

    func testHuber() throws {
        let delta = 1.0
        let r = residuals
        let perElement = r.map { abs($0) < delta ? 0.5 * $0 * $0 : delta * (abs($0) - 0.5 * delta) }
        let loss = HuberLoss()(input, target)
        XCTAssertEqual(loss.gradFn?.name, "HuberLossBackward0")
        XCTAssertEqual(try loss.item(), perElement.reduce(0, +) / 6, accuracy: 1e-12)
        XCTAssertEqual(HuberLoss(reduction: .none, delta: 0.5)(input, target).scalars,
                       r.map { abs($0) < 0.5 ? 0.5 * $0 * $0 : 0.5 * (abs($0) - 0.25) })
        try assertGradients { huberLoss($0, $1, delta: 1.0) }
        try assertGradients { huberLoss($0, $1, reduction: .sum, delta: 0.3) }
        // The pull of an outlier is bounded by delta.
        let x = Tensor([100.0], requiresGrad: true)
        try huberLoss(x, Tensor([0.0]), delta: 2).backward()
        XCTAssertEqual(x.grad?.scalars, [2])
    }

    func testBCEWithLogits() throws {
        let probabilities = Tensor([[1.0, 0.0, 0.25], [0.5, 1.0, 0.0]], dtype: .float64, requiresGrad: true)
        let perElement = zip(input.scalars, probabilities.scalars).map { x, y -> Double in
            let s = 1 / (1 + exp(-x))
            return -(y * log(s) + (1 - y) * log(1 - s))
        }
        let loss = BCEWithLogitsLoss()(input, probabilities)
        XCTAssertEqual(loss.gradFn?.name, "BinaryCrossEntropyWithLogitsBackward0")
        XCTAssertEqual(try loss.item(), perElement.reduce(0, +) / 6, accuracy: 1e-12)
        XCTAssertTrue(try gradcheck({ binaryCrossEntropyWithLogits($0[0], $0[1]) }, inputs: [input, probabilities]))
        XCTAssertTrue(try gradcheck({ binaryCrossEntropyWithLogits($0[0], $0[1], reduction: .none) },
                                    inputs: [input, probabilities]))
        // Huge logits stay finite, where sigmoid then log would give inf.
        let big = Tensor([200.0, -200.0], requiresGrad: true)
        let l = binaryCrossEntropyWithLogits(big, Tensor([0.0, 1.0]), reduction: .sum)
        XCTAssertEqual(try l.item(), 400, accuracy: 1e-3)
        try l.backward()
        XCTAssertEqual(big.grad?.scalars, [1, -1])
    }

    func testCrossEntropy() throws {
        let logits = Tensor([[1.0, 2.0, 3.0], [1.0, 1.0, 1.0]], dtype: .float64, requiresGrad: true)
        let loss = try CrossEntropyLoss()(logits, [2, 0])
        XCTAssertEqual(loss.gradFn?.name, "NllLossBackward0")
        XCTAssertEqual(loss.gradFn?.nextFunctions.first??.name, "LogSoftmaxBackward0")
        let first = log(exp(1.0) + exp(2.0) + exp(3.0)) - 3, second = log(3.0)
        XCTAssertEqual(try loss.item(), (first + second) / 2, accuracy: 1e-12)
        XCTAssertEqual(try CrossEntropyLoss(reduction: .sum)(logits, [2, 0]).item(), first + second, accuracy: 1e-12)
        XCTAssertEqual(try CrossEntropyLoss(reduction: .none)(logits, [2, 0]).scalars[1], second, accuracy: 1e-12)
        // Class indices as a tensor of integer-valued floats give the same loss.
        XCTAssertEqual(try CrossEntropyLoss()(logits, Tensor([2.0, 0.0])).item(), try loss.item())
        // d loss / d logits = (softmax − onehot) / N.
        try loss.backward()
        let softmax = [1.0, 2.0, 3.0].map { exp($0) / (exp(1.0) + exp(2.0) + exp(3.0)) }
        let expected = [softmax[0] / 2, softmax[1] / 2, (softmax[2] - 1) / 2, (1.0 / 3 - 1) / 2, 1.0 / 6, 1.0 / 6]
        for (a, b) in zip(logits.grad!.scalars, expected) { XCTAssertEqual(a, b, accuracy: 1e-12) }
        for reduction in [Reduction.mean, .sum, .none] {
            XCTAssertTrue(try gradcheck({ try crossEntropy($0[0], [1, 2], reduction: reduction) }, inputs: [input]))
        }
        // Second order, for gradient penalties.
        XCTAssertTrue(try gradcheck({ inputs in
            try enableGrad {
                let x = try inputs[0].requiresGrad ? inputs[0] : inputs[0].detach().requiresGrad_()
                let gx = try grad(crossEntropy(x, [1, 2]), x, createGraph: true)
                return (gx * gx).sum()
            }
        }, inputs: [input]))
    }

    func testCrossEntropyIgnoreIndexOneSampleAndExtraDimensions() throws {
        let logits = Tensor([[1.0, 2.0, 3.0], [1.0, 1.0, 1.0]], dtype: .float64, requiresGrad: true)
        // The ignored sample counts neither in the sum nor in the mean.
        let loss = try crossEntropy(logits, [-100, 0])
        XCTAssertEqual(try loss.item(), log(3.0), accuracy: 1e-12)
        try loss.backward()
        XCTAssertEqual(Array(logits.grad!.scalars[0..<3]), [0, 0, 0])
        // One sample: [C] scores with one class index.
        XCTAssertEqual(try crossEntropy(Tensor([1.0, 2.0, 3.0], dtype: .float64), [2]).item(),
                       log(exp(1.0) + exp(2.0) + exp(3.0)) - 3, accuracy: 1e-12)
        // [N, C, d]: the class dimension is 1.
        manualSeed(5)
        let scores = Tensor.rand([2, 3, 2], dtype: .float64, requiresGrad: true)
        XCTAssertTrue(try gradcheck({ try crossEntropy($0[0], [0, 2, 1, 1], reduction: .none) }, inputs: [scores]))
        XCTAssertEqual(try crossEntropy(scores, [0, 2, 1, 1], reduction: .none).shape, [2, 2])
    }

    func testNllLoss() throws {
        let logProbabilities = Tensor([[-0.5, -1.0], [-2.0, -0.1]], requiresGrad: true)
        let loss = try nllLoss(logProbabilities, [1, 0])
        XCTAssertEqual(try loss.item(), 1.5, accuracy: 1e-6)
        XCTAssertEqual(loss.gradFn?.name, "NllLossBackward0")
        try loss.backward()
        XCTAssertEqual(logProbabilities.grad?.scalars, [0, -0.5, -0.5, 0])
    }

    /// A target that doesn't require grad gets none, and a float32 loss stays float32.
    func testTargetWithoutGradientAndFloat32() throws {
        let x = Tensor([1.0, 2.0], requiresGrad: true), y = Tensor([0.0, 0.0])
        let loss = MSELoss()(x, y)
        XCTAssertEqual(loss.dtype, .float32)
        XCTAssertEqual(loss.gradFn?.nextFunctions.count, 2)
        XCTAssertNil(loss.gradFn?.nextFunctions[1] ?? nil)
        try loss.backward()
        XCTAssertEqual(x.grad?.scalars, [1, 2])
        XCTAssertNil(y.grad)
        XCTAssertNil(noGrad { MSELoss()(x, y) }.gradFn)
    }
}
