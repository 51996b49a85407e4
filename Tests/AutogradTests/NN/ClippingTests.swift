import XCTest
@testable import Autograd

/// `clipGradNorm` and `clipGradValue` against torch/nn/utils/clip_grad.py.
final class ClippingTests: XCTestCase {
    func testTwoNormScalesAllGradientsTogether() throws {
        let a = Tensor([0.0, 0.0], requiresGrad: true), b = Tensor([0.0], requiresGrad: true)
        a.grad = Tensor([3.0, 0.0]); b.grad = Tensor([4.0])
        let total = try clipGradNorm([a, b], maxNorm: 1)
        XCTAssertEqual(try total.item(), 5, accuracy: 1e-6)
        XCTAssertEqual(total.shape, [])
        let coef = Float(1) / (Float(5) + Float(1e-6))
        XCTAssertEqual(a.grad!.scalars, [Double(3 * coef), 0])
        XCTAssertEqual(b.grad!.scalars, [Double(4 * coef)])
    }

    func testSmallGradientsAreMultipliedByOne() throws {
        let a = Tensor([0.0, 0.0], requiresGrad: true)
        a.grad = Tensor([0.3, 0.4])
        let before = a.grad!.storage.version
        let total = try clipGradNorm([a], maxNorm: 10)
        XCTAssertEqual(try total.item(), 0.5, accuracy: 1e-7)
        XCTAssertEqual(a.grad!.scalars, [Double(Float(0.3)), Double(Float(0.4))])
        // PyTorch multiplies anyway (by the clamped coefficient 1): still an in-place change.
        XCTAssertEqual(a.grad!.storage.version, before + 1)
    }

    func testOtherNormTypes() throws {
        let a = Tensor([0.0, 0.0, 0.0], dtype: .float64, requiresGrad: true)
        a.grad = Tensor([1.0, -2.0, 2.0], dtype: .float64)
        XCTAssertEqual(try clipGradNorm([a], maxNorm: 100, normType: 1).item(), 5, accuracy: 1e-12)
        XCTAssertEqual(try clipGradNorm([a], maxNorm: 100, normType: 3).item(), pow(17, 1.0 / 3), accuracy: 1e-12)
        XCTAssertEqual(try clipGradNorm([a], maxNorm: 100, normType: .infinity).item(), 2, accuracy: 1e-12)
        let total = try clipGradNorm([a], maxNorm: 1, normType: .infinity)
        XCTAssertEqual(try total.item(), 2)
        XCTAssertEqual(a.grad!.scalars, [1.0, -2.0, 2.0].map { $0 * (1 / (2 + 1e-6)) })
    }

    func testNilGradientsAreIgnoredAndNoGradientsGiveZero() throws {
        let a = Tensor([1.0], requiresGrad: true), b = Tensor([1.0], requiresGrad: true)
        b.grad = Tensor([2.0])
        XCTAssertEqual(try clipGradNorm([a, b], maxNorm: 1).item(), 2)
        XCTAssertNil(a.grad)
        XCTAssertEqual(try clipGradNorm([a], maxNorm: 1).item(), 0)
        XCTAssertEqual(try clipGradNorm([], maxNorm: 1).item(), 0)
    }

    func testInfiniteNormScalesToNaNOrThrows() throws {
        let a = Tensor([0.0, 0.0], requiresGrad: true)
        a.grad = Tensor([Double.infinity, 1.0])
        XCTAssertThrowsError(try clipGradNorm([a], maxNorm: 1, errorIfNonfinite: true)) { error in
            XCTAssertEqual((error as? AutogradError)?.message, "The total norm of order 2.0 for gradients from `parameters` is non-finite, so it cannot be clipped. To disable this error and scale the gradients by the non-finite norm anyway, set `error_if_nonfinite=False`")
        }
        XCTAssertEqual(a.grad!.scalars, [Double.infinity, 1.0], "a refused clip leaves the gradients alone")
        let total = try clipGradNorm([a], maxNorm: 1)
        XCTAssertEqual(try total.item(), .infinity)
        // The coefficient is max_norm / inf = 0: inf · 0 is NaN, the finite element becomes 0.
        XCTAssertTrue(a.grad!.scalars[0].isNaN)
        XCTAssertEqual(a.grad!.scalars[1], 0)
    }

    func testNaNNormThrowsWithTheNormTypeInTheMessage() throws {
        let a = Tensor([0.0, 0.0], requiresGrad: true)
        a.grad = Tensor([Double.nan, 1.0])
        XCTAssertThrowsError(try clipGradNorm([a], maxNorm: 1, normType: .infinity, errorIfNonfinite: true)) { error in
            XCTAssertTrue("\(error)".hasPrefix("The total norm of order inf for gradients"), "\(error)")
        }
        let total = try clipGradNorm([a], maxNorm: 1)
        XCTAssertTrue(try total.item().isNaN)
        XCTAssertTrue(a.grad!.scalars.allSatisfy(\.isNaN))
    }

    func testClipGradValue() {
        let a = Tensor([0.0, 0.0, 0.0], requiresGrad: true), b = Tensor([0.0], requiresGrad: true)
        a.grad = Tensor([-3.0, 0.1, .infinity])
        clipGradValue([a, b], clipValue: 1)
        XCTAssertEqual(a.grad!.scalars, [-1, Double(Float(0.1)), 1])
        XCTAssertNil(b.grad)
    }

    func testPythonFloatText() {
        XCTAssertEqual(pythonFloatText(2), "2.0")
        XCTAssertEqual(pythonFloatText(.infinity), "inf")
        XCTAssertEqual(pythonFloatText(1.5), "1.5")
    }
}
