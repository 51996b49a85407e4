import XCTest
@testable import Autograd

/// ReLU's backward is a branch-free loop when the gradient and the input share shape and dtype; it
/// must give, bit for bit, what the general masked `where` gives.
final class ThresholdBackwardTests: XCTestCase {
    private func generic(_ g: Tensor, _ x: Tensor, threshold: Double) -> Tensor {
        let keep = x.detach().mapElements({ $0 <= Float(threshold) ? 0 : 1 }, { $0 <= threshold ? 0 : 1 })
        return noGrad { Tensor.where(keep, g.detach(), Tensor.zeros([], dtype: g.dtype)) }
    }

    func testReluBackwardMatchesMaskedWhereBitForBitInEveryDType() {
        manualSeed(11)
        let special: [Double] = [-1, 0, -0.0, .nan, .infinity, -.infinity, 1e-30, -1e-30, 0.5]
        for dtype in [DType.float16, .float32, .float64] {
            let x = Tensor(special + Tensor.randn([300]).scalars, shape: [3, 103], dtype: dtype)
            let g = Tensor([-0.0, .nan, 2, -3, 0, .infinity, -0.0, 1, -1] + Tensor.randn([300]).scalars,
                           shape: [3, 103], dtype: dtype)
            for threshold in [0.0, 0.25, -1.0] {
                let fast = Tensor.thresholdBackward(g, x, threshold: threshold)
                let reference = generic(g, x, threshold: threshold)
                XCTAssertEqual(fast.dtype, reference.dtype)
                XCTAssertEqual(fast.shape, reference.shape)
                XCTAssertEqual(fast.scalars.map(\.bitPattern), reference.scalars.map(\.bitPattern),
                               "dtype \(dtype), threshold \(threshold)")
            }
        }
    }
}
