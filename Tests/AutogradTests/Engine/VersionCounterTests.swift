import XCTest
@testable import Autograd

final class VersionCounterTests: XCTestCase {
    func testEveryInPlaceChangeBumpsTheVersionSharedByDetachedViews() throws {
        let x = Tensor([1.0, 2.0], requiresGrad: true)
        let y = x.exp()
        XCTAssertEqual(y.version, 0)
        try y.add_(1)
        XCTAssertEqual(y.version, 1)
        try y.detach().mul_(2)
        XCTAssertEqual(y.version, 2)
        XCTAssertEqual(y.data.version, 2)
        XCTAssertEqual(x.version, 0)
    }

    func testAnOptimizerStepBumpsTheVersionOfEachUpdatedParameter() throws {
        let w = Tensor([1.0, 2.0], requiresGrad: true)
        try (w * w).sum().backward()
        let optimizer = SGD([w], lr: 0.1)
        try optimizer.step()
        XCTAssertEqual(w.version, 1)
    }
}
