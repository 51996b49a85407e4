import XCTest
@testable import Autograd

final class LinearTests: XCTestCase {
    /// `torch.manual_seed(0); nn.Linear(2, 3)`: the weight, then the bias, from the same stream.
    func testDefaultInitialisationMatchesPyTorch() {
        manualSeed(0)
        let layer = Linear(2, 3)
        let expectedWeight: [Double] = [-0.0053, 0.3793, -0.5820, -0.5204, -0.2723, 0.1896]
        for (a, b) in zip(layer.weight.scalars, expectedWeight) { XCTAssertEqual(a, b, accuracy: 5e-5) }
        // torch.manual_seed(0); nn.Linear(2, 3).bias
        for (a, b) in zip(layer.bias!.scalars, [-0.0140, 0.5607, -0.0628]) { XCTAssertEqual(a, b, accuracy: 5e-5) }
        XCTAssertEqual(layer.weight.shape, [3, 2])
        XCTAssertEqual(layer.bias?.shape, [3])
        XCTAssertTrue(layer.weight.requiresGrad && layer.weight.isLeaf)
    }
}

extension LinearTests {
    /// A float64 copy of a layer's parameters, for finite differences.
    private func float64Layer(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true) -> Linear {
        let layer = Linear(inFeatures, outFeatures, bias: bias)
        layer.weight = Tensor(layer.weight.scalars, shape: layer.weight.shape, dtype: .float64, requiresGrad: true)
        layer.bias = layer.bias.map { Tensor($0.scalars, shape: $0.shape, dtype: .float64, requiresGrad: true) }
        return layer
    }

    func testMatrixInputRecordsOneAddmmNode() {
        let layer = Linear(2, 3)
        let y = layer(Tensor([[1.0, 2.0], [3.0, 4.0]]))
        XCTAssertEqual(y.shape, [2, 3])
        XCTAssertEqual(y.gradFn?.name, "AddmmBackward0")
        // PyTorch's graph: bias's accumulator, no node for the input, the weight through TBackward0.
        XCTAssertEqual(y.gradFn?.nextFunctions.map { $0?.name }, ["AccumulateGrad", nil, "TBackward0"])
        let expected = Tensor([[1.0, 2.0], [3.0, 4.0]]).matmul(layer.weight.T) + layer.bias!
        for (a, b) in zip(y.scalars, expected.scalars) { XCTAssertEqual(a, b, accuracy: 1e-6) }
    }

    func testOtherRanksAndNoBias() {
        let layer = Linear(3, 2)
        XCTAssertEqual(layer(Tensor([1.0, 2.0, 3.0])).shape, [2])
        let batch = layer(Tensor.ones([4, 5, 3]))
        XCTAssertEqual(batch.shape, [4, 5, 2])
        XCTAssertEqual(batch.gradFn?.name, "ViewBackward0")
        XCTAssertEqual(layer(Tensor.ones([2, 1, 2, 3])).shape, [2, 1, 2, 2])
        let plain = Linear(3, 2, bias: false)
        XCTAssertNil(plain.bias)
        XCTAssertEqual(plain(Tensor.ones([4, 3])).gradFn?.name, "MmBackward0")
        XCTAssertEqual(plain.parameters().count, 1)
    }

    func testGradientsAgreeWithFiniteDifferences() throws {
        manualSeed(3)
        let layer = float64Layer(3, 2)
        let x = Tensor.rand([4, 3], dtype: .float64, requiresGrad: true)
        XCTAssertTrue(try gradcheck({ inputs in
            layer.weight = inputs[1]; layer.bias = inputs[2]
            return layer(inputs[0]).tanh()
        }, inputs: [x, layer.weight, layer.bias!]))
        // A 3-D input and a bias-free layer.
        let x3 = Tensor.rand([2, 2, 3], dtype: .float64, requiresGrad: true)
        XCTAssertTrue(try gradcheck({ layer($0[0]) }, inputs: [x3]))
        let noBias = float64Layer(3, 2, bias: false)
        XCTAssertTrue(try gradcheck({ noBias($0[0]) }, inputs: [x]))
    }

    func testSecondDerivativesThroughAddmm() throws {
        manualSeed(4)
        let layer = float64Layer(2, 2)
        let x = Tensor.rand([3, 2], dtype: .float64, requiresGrad: true)
        // d/dx of sum(tanh(layer(x))), differentiated again (createGraph).
        XCTAssertTrue(try gradcheck({ inputs in
            try enableGrad {
                // Finite differences call this without grad mode, on plain perturbed copies.
                let x = inputs[0].requiresGrad ? inputs[0] : try inputs[0].detach().requiresGrad_()
                return try grad(layer(x).tanh().sum(), x, createGraph: true)
            }
        }, inputs: [x]))
    }

    func testBoundScalesWithFanIn() {
        manualSeed(1)
        let layer = Linear(100, 50)
        let bound = 0.1
        XCTAssertTrue(layer.weight.scalars.allSatisfy { abs($0) <= bound })
        XCTAssertTrue(layer.bias!.scalars.allSatisfy { abs($0) <= bound })
        XCTAssertGreaterThan(layer.weight.scalars.map(abs).max()!, 0.09)
    }
}

extension LinearTests {
    /// The weight's gradient is the product `Gᵀ x` computed straight in the weight's layout; with a
    /// hook on `TBackward0` or `AddmmBackward0` it goes through the transposed layout instead. Both
    /// give the same bits, and the hooks see the true gradients.
    func testWeightGradientIsTheSameWithAndWithoutHooksBetweenTheNodes() throws {
        manualSeed(31)
        let x = Tensor.randn([37, 70]), target = Tensor.randn([37, 50])
        func weightGradient(hookOn which: String?) throws -> (grad: [Double], seen: [Double]?) {
            manualSeed(32)
            let layer = Linear(70, 50)
            let y = layer(x)
            var seen: [Double]?
            if which == "TBackward0" {
                y.gradFn!.nextFunctions[2]!.registerHook { _, gradOutput in seen = gradOutput.scalars }
            } else if which == "AddmmBackward0" {
                y.gradFn!.registerHook { gradInputs, _ in seen = gradInputs[2]!.scalars }
            }
            try ((y - target) * (y - target)).sum().backward()
            return (layer.weight.grad!.scalars, seen)
        }
        let plain = try weightGradient(hookOn: nil)
        // Gᵀ x with G = 2 (y - target), in float64 from the same floats: close to the float32 sums.
        manualSeed(32)
        let layer = Linear(70, 50)
        let g = noGrad { 2 * (layer(x) - target) }
        let expected = noGrad { g.to(.float64).T.matmul(x.to(.float64)) }
        for (a, b) in zip(plain.grad, expected.scalars) { XCTAssertEqual(a, b, accuracy: 1e-3 * max(1, abs(b))) }
        for node in ["TBackward0", "AddmmBackward0"] {
            let hooked = try weightGradient(hookOn: node)
            XCTAssertEqual(hooked.grad.map(\.bitPattern), plain.grad.map(\.bitPattern), node)
            // Both hooks see the gradient of the transposed weight, [70, 50].
            let transposedGrad = Tensor(plain.grad, shape: [50, 70]).T.scalars
            XCTAssertEqual(hooked.seen, transposedGrad, node)
        }
    }
}

extension LinearTests {
    /// The bias is added inside the product, after each element's sum: the bits of `x Wᵀ + b`
    /// computed in two steps, for small (plain loop) and large (packed, split) products.
    func testBiasAddedInsideTheProductGivesTheBitsOfAProductThenAnAdd() {
        manualSeed(33)
        for (batch, inFeatures, outFeatures) in [(3, 4, 5), (67, 301, 203)] {
            for dtype in [DType.float32, .float64] {
                let layer = Linear(inFeatures, outFeatures)
                layer.weight = Tensor(layer.weight.scalars, shape: layer.weight.shape, dtype: dtype, requiresGrad: true)
                layer.bias = Tensor(layer.bias!.scalars, shape: [outFeatures], dtype: dtype, requiresGrad: true)
                let x = Tensor.randn([batch, inFeatures], dtype: dtype)
                let twoSteps = noGrad { x.matmul(layer.weight.T) + layer.bias! }
                XCTAssertEqual(layer(x).scalars.map(\.bitPattern), twoSteps.scalars.map(\.bitPattern), "\(batch)x\(inFeatures) \(dtype)")
            }
        }
    }
}
