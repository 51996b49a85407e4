import XCTest
@testable import Autograd

final class DropoutTests: XCTestCase {
    func testTrainingZeroesSomeElementsAndScalesTheRestByOneOverKeep() {
        manualSeed(15)
        let layer = Dropout(p: 0.25)
        let out = layer(Tensor.ones([1000], dtype: .float64))
        let values = Set(out.scalars)
        XCTAssertEqual(values, [0, 1 / 0.75])
        let zeros = out.scalars.filter { $0 == 0 }.count
        XCTAssertTrue((200...300).contains(zeros), "\(zeros) of 1000 zeroed with p = 0.25")
    }

    func testEvalModePassesTheInputThroughUnchanged() {
        let layer = Dropout(p: 0.5).eval()
        let x = Tensor([1.0, 2.0, 3.0], requiresGrad: true)
        let out = layer(x)
        XCTAssertTrue(out === x)
        XCTAssertEqual(layer.train()(x).scalars.count, 3)
        XCTAssertTrue(layer.isTraining)
    }

    func testGradientFlowsThroughTheKeptElementsOnlyWithTheSameScale() throws {
        manualSeed(3)
        let x = Tensor.ones([8], dtype: .float64, requiresGrad: true)
        let out = dropout(x, p: 0.5)
        XCTAssertEqual(out.gradFn?.name, "MulBackward0")
        try out.sum().backward()
        XCTAssertEqual(x.grad!.scalars, out.scalars)
    }

    func testProbabilityOneZeroesEverythingAndZeroKeepsTheInput() {
        let x = Tensor([1.0, -2.0])
        XCTAssertEqual(dropout(x, p: 1).scalars, [0, 0])
        XCTAssertTrue(dropout(x, p: 0) === x)
    }

    func testDescriptionMatchesPyTorch() {
        XCTAssertEqual(Dropout(p: 0.5).description, "Dropout(p=0.5, inplace=False)")
    }
}
