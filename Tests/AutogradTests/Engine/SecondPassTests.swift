import XCTest
@testable import Autograd

/// Behaviours of issue 12 that a parity case can't show: warnings on standard error, refusals of
/// writes that would be lost, and what a node holds.
final class SecondPassTests: XCTestCase {
    private var warnings: [String] = []
    private var previousSink: ((String) -> Void)!

    override func setUp() {
        super.setUp()
        previousSink = Warnings.sink
        Warnings.reset()
        Warnings.sink = { [unowned self] in self.warnings.append($0) }
    }

    override func tearDown() {
        Warnings.sink = previousSink
        super.tearDown()
    }

    func testReadingTheGradOfANonLeafWarnsOnceAndGivesNil() throws {
        let x = Tensor([1.0, 2.0], requiresGrad: true)
        let h = x * 3
        try h.sum().backward()
        XCTAssertNil(h.grad)
        XCTAssertNil(h.grad)
        XCTAssertEqual(warnings.count, 1)
        XCTAssertTrue(warnings[0].hasPrefix("UserWarning: The .grad attribute of a Tensor that is not a leaf Tensor is being accessed."))
        _ = x.grad
        let kept = x * 2
        kept.retainGrad()
        try kept.sum().backward()
        XCTAssertEqual(kept.grad?.scalars, [1, 1])
        XCTAssertEqual(warnings.count, 1, "a leaf, or a non-leaf that retains its gradient, doesn't warn")
    }

    func testTransposeOfANonMatrixWarnsOnceAndReversesEveryDimension() {
        let y = Tensor.arange(24).reshape([2, 3, 4])
        XCTAssertEqual(y.T.shape, [4, 3, 2])
        XCTAssertEqual(y.T.T.scalars, y.scalars)
        XCTAssertEqual(Tensor([[1.0, 2.0]]).T.shape, [2, 1])
        XCTAssertEqual(warnings.count, 1)
        XCTAssertTrue(warnings[0].contains("The use of `x.T` on tensors of dimension other than 2"))
    }

    func testAssigningAGradientOfAnotherShapeOrTypeThrowsWithSetGrad() throws {
        let x = Tensor([1.0, 2.0], requiresGrad: true)
        XCTAssertThrowsError(try x.setGrad(Tensor([1.0], dtype: .float32)))
        XCTAssertThrowsError(try x.setGrad(Tensor([1.0, 2.0], dtype: .float16)))
        try x.setGrad(Tensor([3.0, 4.0]))
        XCTAssertEqual(x.grad?.scalars, [3, 4])
        try x.setGrad(nil)
        XCTAssertNil(x.grad)
    }

    /// Transposes, expansions and slices are views in PyTorch but copies here: a write into one
    /// would be lost, so it is refused (also under noGrad, where it would be lost just the same).
    func testInPlaceWritesIntoCopiedViewsAreRefused() throws {
        let m = Tensor([[1.0, 2.0], [3.0, 4.0]])
        let copies: [(String, Tensor)] = [
            ("transpose", try m.transpose(0, 1)), ("transpose", m.t()), ("transpose", m.T),
            ("expand", Tensor([1.0, 2.0]).expand([2, 2])), ("slicing", try m[0..<1]), ("slicing", try m[1]),
            ("permute", Tensor.arange(8).reshape([2, 2, 2]).T)]
        for (op, t) in copies {
            XCTAssertThrowsError(try t.mul_(2), op) { error in
                let expected = op == "expand" ? "unsupported operation: more than one element" : "in-place operation on the result of \(op):"
                XCTAssertTrue("\(error)".hasPrefix(expected), "\(error)")
            }
            XCTAssertThrowsError(try noGrad { try t.add_(1) }, op)
        }
        XCTAssertEqual(m.scalars, [1, 2, 3, 4])
        let c = m.t().clone()
        try c.mul_(2)
        XCTAssertEqual(c.scalars, [2, 6, 4, 8])
    }

    func testAWriteThroughAViewChangesTheBaseAndEveryOtherView() throws {
        let base = Tensor([1.0, 2.0, 3.0, 4.0])
        let a = base.reshape([2, 2]), b = try base.unsqueeze(0)
        try a.mul_(10)
        XCTAssertEqual(base.scalars, [10, 20, 30, 40])
        XCTAssertEqual(b.scalars, [10, 20, 30, 40])
        try b.squeeze(0).view([4, 1]).add_(1)
        XCTAssertEqual(a.scalars, [11, 21, 31, 41])
    }

    func testACustomFunctionsNodeNameIsUsed() throws {
        struct Twice: Function {
            var nodeName: String { "DoubleItBackward" }
            func forward(_ ctx: FunctionContext, _ inputs: [Tensor]) throws -> Tensor { inputs[0] * 2 }
            func backward(_ ctx: FunctionContext, _ g: Tensor) throws -> [Tensor?] { [g * 2] }
        }
        struct Plain: Function {
            func forward(_ ctx: FunctionContext, _ inputs: [Tensor]) throws -> Tensor { inputs[0] * 1 }
            func backward(_ ctx: FunctionContext, _ g: Tensor) throws -> [Tensor?] { [g] }
        }
        let x = Tensor([1.0], requiresGrad: true)
        XCTAssertEqual(try Twice().apply(x).gradFn?.name, "DoubleItBackward")
        XCTAssertEqual(try Plain().apply(x).gradFn?.name, "PlainBackward")
        // A function that saved nothing can run backward twice; one that saved something can't.
        let y = try Twice().apply(x).sum()
        try y.backward()
        try y.backward()
        XCTAssertEqual(x.grad?.scalars, [4])
    }

    func testNodesSaveExactlyWhatTheirRuleReads() {
        let x = Tensor([0.5, 1.5], requiresGrad: true), y = Tensor([2.0, 3.0], requiresGrad: true)
        XCTAssertEqual(x.exp().gradFn?.saved.count, 1)
        XCTAssertEqual((x * y).gradFn?.saved.count, 2)
        XCTAssertEqual((x ** y).gradFn?.saved.count, 3)
        XCTAssertEqual((x * 2.0).gradFn?.saved.count, 1, "the number, saved as PyTorch saves it")
        XCTAssertEqual((x + 1).gradFn?.saved.count, 0)
        XCTAssertEqual(x.reshape([2, 1]).gradFn?.saved.count, 0)
    }

    func testASavedOutputDoesNotKeepItsNodeAlive() {
        weak var node: Node?
        do {
            let x = Tensor([0.5], requiresGrad: true)
            let y = x.tanh()
            node = y.gradFn
            XCTAssertNotNil(node)
        }
        XCTAssertNil(node, "the node refers to its own output weakly, as SavedVariable does")
    }

    func testRemovedNodeHooksStopRunning() throws {
        let x = Tensor([1.0, 2.0], requiresGrad: true)
        var calls = 0
        let y = x * 3
        let accumulator = y.gradFn!.nextFunctions[0]!
        XCTAssertTrue(accumulator.variable === x)
        let handle = accumulator.registerHook { inputs, output in
            XCTAssertTrue(inputs.isEmpty)
            XCTAssertEqual(output.scalars, [3, 3])
            calls += 1
        }
        try y.sum().backward(retainGraph: true)
        handle.remove()
        handle.remove()
        try y.sum().backward()
        XCTAssertEqual(calls, 1)
        XCTAssertEqual(x.grad?.scalars, [6, 6])
    }
}

extension SecondPassTests {
    /// A reshaped tensor made a leaf (a common way to build a parameter) keeps its own views
    /// connected after its values change in place (an optimizer step).
    func testViewsOfALeafMadeFromAReshapeStayConnectedAcrossAnUpdate() throws {
        let p = try Tensor.arange(4).reshape([2, 2]).requiresGrad_()
        let v = p.view([4])
        try noGrad { try p.sub_(Tensor.ones([2, 2])) }
        try (v * v).sum().backward()
        XCTAssertEqual(p.grad?.scalars, [-2, 0, 2, 4])
        XCTAssertThrowsError(try p.view([4]).mul_(2)) { error in
            XCTAssertEqual("\(error)", "a view of a leaf Variable that requires grad is being used in an in-place operation.")
        }
    }
}

extension SecondPassTests {
    /// A saved output changed in place is named by the operation that made it, as in PyTorch.
    func testASavedOutputChangedInPlaceIsNamedByItsOperation() throws {
        let x = Tensor([1.0, 2.0], requiresGrad: true)
        let y = x.exp()
        try y.mul_(2)
        XCTAssertThrowsError(try y.sum().backward()) { error in
            XCTAssertTrue("\(error)".contains("[torch.FloatTensor [2]], which is output 0 of Exp, is at version 1; expected version 0 instead."), "\(error)")
        }
    }
}
