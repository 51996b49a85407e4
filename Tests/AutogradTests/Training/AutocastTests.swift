import XCTest
@testable import Autograd

final class AutocastTests: XCTestCase {
    func testProductsComputeInTheRegionsTypeAndTheSettingIsRestored() throws {
        let a = Tensor([[1.0, 2.0], [3.0, 4.0]], requiresGrad: true)
        let b = Tensor([[0.1], [0.2]])
        XCTAssertFalse(isAutocastEnabled)
        let inside = autocast { () -> Tensor in
            XCTAssertTrue(isAutocastEnabled)
            XCTAssertEqual(autocastDType, .float16)
            return a.matmul(b)
        }
        XCTAssertEqual(inside.dtype, .float16)
        XCTAssertEqual(inside.scalars, [0.5, 1.1].map { Double(Float(Float16($0))) })
        XCTAssertNil(autocastDType)
        XCTAssertEqual(a.matmul(b).dtype, .float32)

        // Gradients reach the float32 leaf in float32.
        try inside.float().sum().backward()
        XCTAssertEqual(a.grad?.dtype, .float32)
    }

    func testElementwiseOperationsFollowOrdinaryPromotion() {
        let x = Tensor([[1.0, 2.0]]), w = Tensor([[1.0], [1.0]]), bias = Tensor([0.5])
        let y = autocast { x.matmul(w) + bias }
        XCTAssertEqual(y.dtype, .float32)          // float16 product + float32 bias
        let z = autocast { x * 2 }
        XCTAssertEqual(z.dtype, .float32)          // not a product: untouched
    }

    func testDisabledInnerRegionAndRestoreOnThrow() {
        struct Stop: Error {}
        let x = Tensor([[1.0]])
        autocast {
            let full = autocast(enabled: false) { x.matmul(x) }
            XCTAssertEqual(full.dtype, .float32)
            XCTAssertEqual(x.matmul(x).dtype, .float16)
        }
        XCTAssertThrowsError(try autocast(.float64) { () throws -> Void in
            XCTAssertEqual(x.matmul(x).dtype, .float64)
            throw Stop()
        })
        XCTAssertFalse(isAutocastEnabled)
    }

    func testAutocastIsPerThread() {
        final class Seen: @unchecked Sendable { var type: DType? = .float64 }
        let other = DispatchSemaphore(value: 0)
        let seen = Seen()
        autocast {
            Thread.detachNewThread {
                seen.type = autocastDType
                other.signal()
            }
            other.wait()
        }
        XCTAssertNil(seen.type)
    }
}
