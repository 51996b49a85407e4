import XCTest
@testable import Autograd

/// The operations added with the indexing, reduction and special-function work refuse a second
/// backward pass exactly where PyTorch 2.15 does: where their node saves a tensor (an input, the
/// output or an index). Recorded with PyTorch: `y = f(x).sum(); y.backward(); y.backward()`.
final class NewOpsSecondPassTests: XCTestCase {
    func testSecondBackwardIsRefusedExactlyWherePyTorchSavesSomething() throws {
        let other = Tensor([[0.5, 2, 3.5], [4, 1, 7]])
        let index = Tensor([[1.0, 0, 1], [0, 1, 0]])
        let cases: [(String, Bool, (Tensor) throws -> Tensor)] = [
            ("gather", true, { try $0.gather(dim: 0, index: index) }),
            ("indexSelect", true, { try $0.indexSelect(dim: 1, index: [2, 0]) }),
            ("maximum", true, { try $0.maximum(other) }),
            ("clamp with a tensor bound", true, { try $0.clamp(min: other) }),
            ("amax", true, { try $0.amax(dim: 1) }),
            ("logsumexp", true, { try $0.logsumexp(dim: 1) }),
            ("prod", true, { try $0.prod(dim: 1) }),
            ("var", true, { try $0.var(dim: 1) }),
            ("std", true, { try $0.std(dim: 1) }),
            ("atan2", true, { try $0.atan2(other) }),
            ("log1p", true, { $0.log1p() }),
            ("expm1", true, { $0.expm1() }),
            ("gelu", true, { $0.gelu() }),
            ("leakyRelu", true, { $0.leakyRelu() }),
            ("permute", false, { try $0.permute(1, 0) }),
            ("flip", false, { try $0.flip(0) }),
            ("repeat", false, { try $0.repeat(2, 1) }),
            ("select", false, { try $0.select(dim: 1, index: 1) }),
            ("slice", false, { try $0.slice(dim: 1, start: nil, end: nil, step: 2) }),
            ("cumsum", false, { try $0.cumsum(dim: 1) }),
            ("mT", false, { try $0.mT }),
        ]
        for (name, refused, f) in cases {
            let x = Tensor([[1.0, 2, 3], [4, 5, 6]], requiresGrad: true)
            let y = try f(x).sum()
            try y.backward()
            if refused {
                XCTAssertThrowsError(try y.backward(), name) { error in
                    XCTAssertEqual("\(error)", Engine.freedGraphMessage, name)
                }
            } else {
                XCTAssertNoThrow(try y.backward(), name)
                XCTAssertEqual(x.grad?.scalars.count, 6, name)
            }
        }
    }

    /// Slices, selections and permutations on any dimension are views in PyTorch but copies here,
    /// so writing into one is refused; flip and repeat copy in PyTorch too, so their results are
    /// ordinary tensors.
    func testInPlaceWritesIntoSlicesOnAnyDimensionAreRefused() throws {
        let m = Tensor([[1.0, 2, 3], [4, 5, 6]])
        let views: [(String, Tensor)] = [
            ("slicing", try m.slice(dim: 1, start: 1, end: nil, step: 1)), ("slicing", try m.select(dim: 1, index: 0)),
            ("slicing", try m[.all, 1]), ("slicing", try m[0].unsqueeze(0)), ("permute", try m.permute(1, 0)),
        ]
        for (op, t) in views {
            XCTAssertThrowsError(try t.mul_(2), op) { error in
                XCTAssertTrue("\(error)".hasPrefix("in-place operation on the result of \(op):"), "\(error)")
            }
        }
        XCTAssertEqual(m.scalars, [1, 2, 3, 4, 5, 6])
        let flipped = try m.flip(0), tiled = try m.repeat(1, 2)
        try flipped.mul_(2)
        try tiled.add_(1)
        XCTAssertEqual(flipped.scalars, [8, 10, 12, 2, 4, 6])
        XCTAssertEqual(tiled.scalars.prefix(3), [2, 3, 4])
    }
}
