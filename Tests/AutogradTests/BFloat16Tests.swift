import XCTest
@testable import Autograd

/// Rounding to bfloat16 as PyTorch converts float32 (the values PyTorch prints are in parity case 55).
final class BFloat16Tests: XCTestCase {
    func testTiesRoundToTheEvenNeighbour() {
        // 1 + 2⁻⁸ lies halfway between 1 (even) and 1 + 2⁻⁷ (odd); 1 + 3·2⁻⁸ between odd and even.
        XCTAssertEqual(BFloat16.rounded(1 + 0x1p-8), 1)
        XCTAssertEqual(BFloat16.rounded(1 + 3 * 0x1p-8), 1 + 0x1p-6)
        XCTAssertEqual(BFloat16.rounded(-(1 + 3 * 0x1p-8)), -(1 + 0x1p-6))
    }

    func testKeepsFloat32RangeAndOverflowsOnlyPastItsMax() {
        XCTAssertEqual(Double(BFloat16.rounded(Float(BFloat16.max))), BFloat16.max)
        XCTAssertEqual(BFloat16.rounded(Float.greatestFiniteMagnitude), .infinity)
        XCTAssertEqual(Double(BFloat16.rounded(1e-30)), 9.98402083170343e-31)      // PyTorch's value
        XCTAssertEqual(BFloat16.rounded(.infinity), .infinity)
    }

    func testNaNStaysNaN() {
        XCTAssertTrue(BFloat16.rounded(.nan).isNaN)
        XCTAssertTrue(Tensor([Double.nan, 1]).roundedToBFloat16().scalars[0].isNaN)
    }

    func testTensorRoundingKeepsShapeAndIsNotRecorded() {
        let x = Tensor([[1.0, 257.0], [3.14159, 1e5]], requiresGrad: true)
        let r = x.roundedToBFloat16()
        XCTAssertEqual(r.shape, [2, 2])
        XCTAssertEqual(r.dtype, .float32)
        XCTAssertFalse(r.requiresGrad)
        XCTAssertEqual(r.scalars, [1, 256, 3.140625, 99840])
    }
}
