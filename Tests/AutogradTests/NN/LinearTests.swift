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
