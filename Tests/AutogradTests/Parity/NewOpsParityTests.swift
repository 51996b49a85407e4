import XCTest
@testable import Autograd

/// The Swift twin of `Scripts/parity/new_ops.py`: values, `grad_fn` names, first and second
/// derivatives and error messages of the operations added for issue 12, against PyTorch's output.
final class NewOpsParityTests: XCTestCase {
    private func orders(_ out: TwinOutput, _ label: String, _ x: Tensor, _ f: (Tensor) throws -> Tensor) throws {
        let y = try f(x)
        out.print(label, y, y.gradFn!.name)
        let g = try grad(y.sum(), x, createGraph: true)
        out.print(" d1", g.detach(), g.gradFn?.name ?? "nil")
        guard g.requiresGrad else { out.print(" d2", nil as Tensor? as Any); return }
        let h = try grad(outputs: [g.sum()], inputs: [x], allowUnused: true)[0]!
        // Rounded as the Python program rounds them: exact zeros come out as float noise.
        let rounded = Tensor(h.scalars.map { ($0 * 1e4).rounded(.toNearestOrEven) / 1e4 + 0 }, shape: h.shape, dtype: h.dtype)
        out.print(" d2", rounded)
    }

    func testNewOperationsMatchPyTorch() throws {
        try assertTwin("new_ops") { out in
            let x = Tensor([-1.5, -0.5, 0.0, 0.5, 2.0], requiresGrad: true)
            let p = Tensor([0.25, 1.0, 4.0], requiresGrad: true)
            try orders(out, "log1p", p) { $0.log1p() }
            try orders(out, "expm1", x) { $0.expm1() }
            try orders(out, "rsqrt", p) { $0.rsqrt() }
            try orders(out, "erf", x) { $0.erf() }
            try orders(out, "leaky_relu", x) { $0.leakyRelu(negativeSlope: 0.1) }
            try orders(out, "gelu", x) { $0.gelu() }
            try orders(out, "gelu_tanh", x) { $0.gelu(approximate: .tanh) }
            try orders(out, "softplus", x) { $0.softplus(beta: 2, threshold: 1) }
            try orders(out, "silu", x) { $0.silu() }
            try orders(out, "logsigmoid", x) { $0.logSigmoid() }

            let a = Tensor([1.0, 2.0, -1.0, 0.0], requiresGrad: true)
            let b = Tensor([1.0, -3.0, -1.0, 0.0], requiresGrad: true)
            let binary: [(String, (Tensor, Tensor) throws -> Tensor)] = [
                ("atan2", { try $0.atan2($1) }), ("maximum", { try $0.maximum($1) }), ("minimum", { try $0.minimum($1) }),
            ]
            for (label, f) in binary {
                let y = try f(a, b)
                out.print(label, y, y.gradFn!.name)
                let g = try grad(outputs: [y.sum()], inputs: [a, b])
                out.print(" grads", g[0] as Any, g[1] as Any)
            }

            let lo = Tensor([0.0, 2.0, 0.0, -1.0], requiresGrad: true)
            let hi = Tensor([1.0, 2.0, -1.0, 0.0], requiresGrad: true)
            let clamped = try a.clamp(min: lo, max: hi)
            out.print("clamp", clamped, clamped.gradFn!.name)
            let cg = try grad(outputs: [clamped.sum()], inputs: [a, lo, hi])
            out.print(" grads", cg[0] as Any, cg[1] as Any, cg[2] as Any)

            let m = Tensor([[1.0, 3.0, 3.0], [0.0, -2.0, 5.0]], requiresGrad: true)
            let reductions: [(String, (Tensor) throws -> Tensor)] = [
                ("amax", { try $0.amax(dim: 1) }),
                ("amin_all", { try $0.amin() }),
                ("logsumexp", { try $0.logsumexp(dim: 1) }),
                ("prod", { $0.prod() }),
                ("prod_dim", { try $0.prod(dim: 0, keepdim: true) }),
                ("var", { try $0.var(dim: 1) }),
                ("std", { try $0.std() }),
                ("var_c0", { try $0.var(dim: 0, correction: 0) }),
                ("cumsum", { try $0.cumsum(dim: 1) }),
            ]
            for (label, f) in reductions { try orders(out, label, m, f) }

            let w = Tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requiresGrad: true)
            let picks: [(String, (Tensor) throws -> Tensor)] = [
                ("permute", { try $0.permute(1, 0) }),
                ("mT", { try $0.mT }),
                ("flip", { try $0.flip(1) }),
                ("repeat", { try $0.repeat(2, 1) }),
                ("outer", { try $0[0].outer($0[1]) }),
                ("gather", { try $0.gather(dim: 1, index: Tensor([[2, 0], [1, 1]])) }),
                ("index_select", { try $0.indexSelect(dim: 1, index: [2, 2, 0]) }),
                ("slice", { try $0[..., 1..<3] }),
                ("slice_step", { try $0[.all, .every(2)] }),
                ("slice_negative", { try $0.slice(dim: 1, start: -2) }),
                ("select", { try $0[..., -1] }),
            ]
            for (label, f) in picks {
                let y = try f(w)
                out.print(label, y, y.gradFn!.name)
                out.print(" grad", try grad((y * y).sum(), w))
            }

            let r = Tensor.arange(5)
            out.print("negative bounds", try r[-2..<5], try r[-4..<(-1)], try r.slice(start: 1, end: -1), try r[-10..<2])
            out.print("size", w.size(), Tensor(1.0).size())
            out.print("allclose", try r.allclose(r + 1e-9), try r.allclose(r + 1e-3),
                      try Tensor([.nan]).allclose(Tensor([.nan]), equalNaN: true))
            let v = Tensor.zeros([3], requiresGrad: true) * 1
            try v.setItem(1, to: 1.0)
            out.print("setitem", v)
            let q = Tensor([1.0, 2.0, 3.0], requiresGrad: true)
            let u = q * 2
            try u.setItem(0, to: 5.0)
            try u.sum().backward()
            out.print(" grad", q.grad as Any)

            let failing: [() throws -> Any] = [
                { try w.permute(0) },
                { try w.permute(0, 0) },
                { try w.flip(0, 0) },
                { try w.repeat(2) },
                { try w.gather(dim: 1, index: Tensor([[3.0]])) },
                { try w.gather(dim: 1, index: Tensor([0.0])) },
                { try w.indexSelect(dim: 1, index: [3]) },
                { try Tensor.ones([3]).mT },
                { try w.outer(w[0]) },
                { try w.amax(dim: 2) },
                { try Tensor.ones([0, 3]).amax(dim: 0) },
                { try w.maximum(Tensor.ones([2])) },
                { try w.clamp(min: nil as Tensor?, max: nil) },
                { try w[0, 5] },
                { try w[0, 0, 0] },
                { try Tensor(2.0).slice(start: 1, end: 2) },
            ]
            for thunk in failing { out.printingErrors { _ = try thunk() } }
        }
    }

    /// Python's `x[-2:3]`: a negative bound counts from the end instead of being clamped to 0.
    func testNegativeSliceBoundsCountFromTheEnd() {
        let x = Tensor.arange(5)
        XCTAssertEqual(try x[-2..<5].scalars, [3, 4])
        XCTAssertEqual(try x[-2..<3].scalars, [])
        XCTAssertEqual(try x[(-2)...].scalars, [3, 4])
        XCTAssertEqual(try x[-3...(-1)].scalars, [2, 3, 4])
        XCTAssertEqual(try x[..<(-1)].scalars, [0, 1, 2, 3])
    }

    /// 0-d and empty inputs work as in PyTorch instead of trapping.
    func testNewOperationsAcceptZeroDimensionalAndEmptyInputs() throws {
        let s = Tensor(2.0, requiresGrad: true)
        XCTAssertEqual(try s.cumsum(dim: 0).item(), 2)
        XCTAssertEqual(try s.amax(dim: 0).item(), 2)
        XCTAssertEqual(try s.logsumexp(dim: -1).item(), 2)
        XCTAssertEqual(try s.prod(dim: 0).item(), 2)
        XCTAssert(try s.var(dim: 0).item().isNaN)
        XCTAssertEqual(try s.flip(0).item(), 2)
        XCTAssertEqual(try s.repeat(2).scalars, [2, 2])
        XCTAssertEqual(try s.indexSelect(dim: 0, index: [0]).shape, [])
        XCTAssertEqual(try s.mT.item(), 2)
        let empty = Tensor.ones([0, 3])
        XCTAssertEqual(try empty.amax(dim: 1).shape, [0])
        XCTAssertEqual(try empty.prod(dim: 0).scalars, [1, 1, 1])
        XCTAssertEqual(try empty.logsumexp(dim: 0).scalars, [-.infinity, -.infinity, -.infinity])
        XCTAssertEqual(try empty.slice(dim: 1, start: 1).shape, [0, 2])
        XCTAssertThrowsError(try empty.amax())
    }

    /// The gradient of `prod` is the product of the other elements, exact where some are zero.
    func testProdGradientWithZeros() throws {
        let x = Tensor([[0.0, 2.0, 3.0], [0.0, 0.0, 1.0]], dtype: .float64, requiresGrad: true)
        try x.prod(dim: 1).sum().backward()
        XCTAssertEqual(x.grad!.scalars, [6, 0, 0, 0, 0, 0])
        x.grad = nil
        let g = try grad(x.prod(dim: 1).sum(), x, createGraph: true)
        let h = try grad(outputs: [g.sum()], inputs: [x])[0]!
        // d²/dx0dx1 (x0 x1 x2) summed over the row: x2 + x1 + ... as PyTorch gives.
        XCTAssertEqual(h.scalars, [5, 3, 2, 1, 1, 0])
    }
}

/// Writing elements and indexing several dimensions, beyond what the PyTorch twin prints.
final class IndexingBehaviourTests: XCTestCase {
    func testSetItemOnALeafThatRequiresGradThrowsPyTorchsMessage() {
        let leaf = Tensor([1.0, 2.0], requiresGrad: true)
        XCTAssertThrowsError(try leaf.setItem(0, to: 5.0)) { error in
            XCTAssertEqual((error as? AutogradError)?.message, "a leaf Variable that requires grad is being used in an in-place operation.")
        }
        XCTAssertThrowsError(try leaf.detach().setItem(2, to: 5.0)) { error in
            XCTAssertEqual((error as? AutogradError)?.message, "index 2 is out of bounds for dimension 0 with size 2")
        }
    }

    func testWritingANumberOrARowInPlace() throws {
        let v = Tensor.zeros([3])
        try v.setItem(-1, to: 2.5)
        XCTAssertEqual(v.scalars, [0, 0, 2.5])
        let m = Tensor.zeros([2, 2])
        try m.setItem(1, to: Tensor([1.0, 2.0]))
        try m.setItem(0, to: 7.0)
        XCTAssertEqual(m.scalars, [7, 7, 1, 2])
        let read = try v[2].item()
        XCTAssertEqual(read, 2.5)
        XCTAssertEqual(try v[2].shape, [], "reading gives a 0-d tensor, as in Python")
    }

    func testPythonStyleIndexOnSeveralDimensions() throws {
        let x = Tensor((0..<24).map(Double.init), shape: [2, 3, 4])
        XCTAssertEqual(try x[1, .slice(nil, nil, step: 2), -1].scalars, [15, 23])
        XCTAssertEqual(try x[.all, .newAxis, 0, .range(1..<3)].shape, [2, 1, 2])
        XCTAssertEqual(try x[.every(2)].shape, [1, 3, 4])
        XCTAssertThrowsError(try x[0, 0, 0, 0]) { error in
            XCTAssertEqual((error as? AutogradError)?.message, "too many indices for tensor of dimension 3")
        }
        XCTAssertThrowsError(try x.slice(dim: 1, step: 0)) { error in
            XCTAssertEqual((error as? AutogradError)?.message, "slice step cannot be zero")
        }
    }

    func testSizeValue() {
        let x = Tensor.zeros([2, 3])
        XCTAssertEqual(x.size(), [2, 3])
        XCTAssertEqual(x.size().description, "torch.Size([2, 3])")
        XCTAssertEqual(x.size().numel, 6)
        XCTAssertEqual(Array(x.size()), [2, 3])
    }
}
