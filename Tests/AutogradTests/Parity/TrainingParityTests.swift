import XCTest
@testable import Autograd

/// Swift twins of the PyTorch parity cases for modules, losses, optimizers and clipping: each does
/// the same steps as `../shared/parity/cases/NN_name.py` and must print exactly the same text.
final class TrainingParityTests: XCTestCase {
    func testCase04LinearRegressionTrace() throws {
        try assertTwin("04_linear_regression_trace") { out in
            let X = Tensor([[1.0, 2.0], [2.0, 3.0], [3.0, 4.0], [4.0, 5.0]])
            let Y = Tensor([[3.0], [5.0], [7.0], [9.0]])
            let w = Tensor([[0.5], [-0.5]], requiresGrad: true)
            let b = Tensor([0.0], requiresGrad: true)
            let pred = X.matmul(w) + b
            out.print(pred)
            var loss = ((pred - Y) ** 2).mean()
            out.print(loss)
            try loss.backward()
            out.print(w.grad)
            out.print(b.grad)
            let opt = SGD([w, b], lr: 0.01)
            for epoch in 1...5 {
                try opt.zeroGrad()
                loss = ((X.matmul(w) + b - Y) ** 2).mean()
                try loss.backward()
                try opt.step()
                out.print(epoch, pythonRounded(try loss.item(), 4))
            }
            out.print(w)
            out.print(b)
        }
    }

    func testCase10ClipGradNorm() throws {
        try assertTwin("10_clip_grad_norm") { out in
            let p1 = Tensor([1.0, 2.0], requiresGrad: true)
            let p2 = Tensor([[0.5, -0.5]], requiresGrad: true)
            p1.grad = Tensor([3.0, 4.0])
            p2.grad = Tensor([[12.0, 0.0]])
            var total = try clipGradNorm([p1, p2], maxNorm: 1.0)
            out.print(total)
            out.print(p1.grad)
            out.print(p2.grad)
            p1.grad = Tensor([0.3, 0.4])
            p2.grad = Tensor([[0.0, 0.0]])
            total = try clipGradNorm([p1, p2], maxNorm: 1.0)
            out.print(total)
            out.print(p1.grad)
            p1.grad = Tensor([3.0, -4.0])
            p2.grad = Tensor([[1.0, 2.0]])
            total = try clipGradNorm([p1, p2], maxNorm: 2.0, normType: .infinity)
            out.print(total)
            out.print(p1.grad)
            out.print(p2.grad)
        }
    }

    func testCase11ClipGradValue() throws {
        try assertTwin("11_clip_grad_value") { out in
            let p = Tensor([1.0, 2.0, 3.0, 4.0], requiresGrad: true)
            p.grad = Tensor([-3.0, 0.25, 0.5, 9.0])
            clipGradValue([p], clipValue: 0.5)
            out.print(p.grad)
        }
    }

    func testCase27ModuleGradients() throws {
        try assertTwin("27_module_gradients") { out in
            let model = Sequential(Linear(2, 3), ReLU(), Linear(3, 1))
            let first = model[0] as! Linear, last = model[2] as! Linear
            try noGrad {
                try first.weight.copy_(Tensor([[0.1, -0.2], [0.3, 0.4], [-0.5, 0.6]]))
                try first.bias!.copy_(Tensor([0.0, 0.1, -0.1]))
                try last.weight.copy_(Tensor([[0.7, -0.8, 0.9]]))
                try last.bias!.copy_(Tensor([0.05]))
            }
            let inputs = Tensor([[0.5, 0.3]])
            let targets = Tensor([[0.7]])
            let loss = MSELoss()(model(inputs), targets)
            out.print(loss)
            try loss.backward()
            for (name, p) in model.namedParameters() {
                out.print(name, pythonTuple(p.shape), p.grad)
            }
            let opt = SGD(model.parameters(), lr: 0.01)
            try opt.zeroGrad()
            out.print(first.weight.grad)
        }
    }

    func testCase28ModuleHooks() throws {
        try assertTwin("28_module_hooks") { out in
            let lin = Linear(2, 2)
            try noGrad {
                try lin.weight.copy_(Tensor([[1.0, 2.0], [-1.0, 0.5]]))
                try lin.bias!.copy_(Tensor([0.0, 1.0]))
            }
            let h1 = lin.registerForwardHook { _, _, output in out.print("forward out", output) }
            let h2 = lin.registerFullBackwardHook { _, gradInput, gradOutput in
                out.print("grad_output", gradOutput[0])
                out.print("grad_input", gradInput[0])
            }
            let x = Tensor([[1.0, 1.0]], requiresGrad: true)
            try (lin(x) * Tensor([[2.0, 3.0]])).sum().backward()
            h1.remove(); h2.remove()
            _ = lin(x).sum()
            out.print("removed")
        }
    }

    func testCase30Optimizers() throws {
        try assertTwin("30_optimizers") { out in
            let p = Tensor([1.0, -1.0], requiresGrad: true)
            let q = Tensor([1.0, -1.0], requiresGrad: true)
            let sgd = SGD([p], lr: 0.1, momentum: 0.9)
            let adam = Adam([q], lr: 0.1)
            for g in [[1.0, 2.0], [0.5, -1.0], [-1.0, 0.0]] {
                for (opt, t) in [(sgd as Optimizer, p), (adam as Optimizer, q)] {
                    try opt.zeroGrad()
                    try (t * Tensor(g)).sum().backward()
                    try opt.step()
                }
                out.print(p.data, q.data)
            }
        }
    }

    /// `round(x, 4)` in Python, the float that `print` then shows: 15.0002, 1.512, 47.25.
    func testPythonRounding() {
        XCTAssertEqual(pythonRounded(15.000234, 4), 15.0002)
        XCTAssertEqual(pythonRounded(1.51200011, 4), 1.512)
        XCTAssertEqual("\(pythonRounded(1.51200011, 4))", "1.512")
        XCTAssertEqual(pythonRounded(0.48015, 4), 0.4802)  // stored just above the tie, as Python finds
        XCTAssertEqual(pythonRounded(0.125, 2), 0.12)      // an exact tie goes to even
        XCTAssertEqual(pythonRounded(2.5, 0), 2)            // ties to even, as Python
        XCTAssertEqual(pythonTuple([3, 2]), "(3, 2)")
        XCTAssertEqual(pythonTuple([3]), "(3,)")
    }
}

/// Python's `round(x, digits)`: the double nearest to `x` rounded to `digits` decimals, deciding
/// ties by the exact binary value (and exact ties to even), as CPython does. Printing the result
/// with Swift's shortest representation then matches Python's `repr`.
func pythonRounded(_ x: Double, _ digits: Int) -> Double {
    // printf rounds the exact binary value correctly, ties to even: the same rule CPython uses.
    Double(String(format: "%.\(digits)f", x))!
}

/// A shape as Python prints `tuple(t.shape)`: `(3, 2)`, `(3,)`, `()`.
func pythonTuple(_ shape: [Int]) -> String {
    shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
}
