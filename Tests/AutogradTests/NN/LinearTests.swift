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
