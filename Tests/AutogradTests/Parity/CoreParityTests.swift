import XCTest
@testable import Autograd

/// Swift twins of the PyTorch parity cases for the core library: each does the same steps as
/// `../shared/parity/cases/NN_name.py` and must print exactly the same text.
final class CoreParityTests: XCTestCase {
    func testCase01BasicGradient() throws {
        try assertTwin("01_basic_gradient") { out in
            let x = Tensor([2.0], requiresGrad: true)
            let y = Tensor([3.0], requiresGrad: true)
            let z = x ** 2 + y ** 3
            out.print(z)
            try z.backward()
            out.print(x.grad)
            out.print(y.grad)
            out.print(x.isLeaf, z.isLeaf, z.requiresGrad)
        }
    }

    func testCase02GradBeforeBackward() throws {
        try assertTwin("02_grad_before_backward") { out in
            let w = Tensor([1.0, -1.0], requiresGrad: true)
            out.print(w.grad)
            let loss = (w * 3).sum()
            out.print(w.grad)
            try loss.backward()
            out.print(w.grad)
        }
    }

    func testCase03Accumulation() throws {
        try assertTwin("03_accumulation") { out in
            let x = Tensor([1.0], requiresGrad: true)
            let y = x ** 2
            try y.backward()
            out.print(x.grad)
            let z = 2 * x
            try z.backward()
            out.print(x.grad)
            try x.grad!.zero_()
            out.print(x.grad)
            for _ in 0..<3 { try (x * 5).backward() }
            out.print(x.grad)
            x.grad = nil
            out.print(x.grad)
        }
    }

    func testCase05Detach() throws {
        try assertTwin("05_detach") { out in
            let x = Tensor([2.0], requiresGrad: true)
            let y = x * 3
            var z = y.detach() * 2
            out.print(z.requiresGrad, z.gradFn)
            out.printingErrors { try z.backward() }
            out.print(x.grad)
            z = y * 2
            try z.backward()
            out.print(x.grad)
            let d = y.detach()
            out.print(d.requiresGrad, d.isLeaf)
        }
    }

    func testCase06NoGrad() throws {
        try assertTwin("06_no_grad") { out in
            let x = Tensor([2.0], requiresGrad: true)
            noGrad {
                let y = x * 3
                out.print(y.requiresGrad, y.gradFn)
                enableGrad {
                    let w = x * 3
                    out.print(w.requiresGrad)
                }
            }
            let y = x * 3
            out.print(y.requiresGrad)
            out.print(isGradEnabled)
            setGradEnabled(false) {
                out.print(isGradEnabled, (x * 2).requiresGrad)
            }
            out.print(isGradEnabled)
        }
    }

    func testCase07NonScalarBackward() throws {
        try assertTwin("07_nonscalar_backward") { out in
            let x = Tensor([[1.0, 2.0], [3.0, 4.0]], requiresGrad: true)
            let y = x ** 2
            out.printingErrors { try y.backward() }
            try y.sum().backward(retainGraph: true)
            out.print(x.grad)
            try x.grad!.zero_()
            try y.backward(gradient: Tensor.onesLike(y))
            out.print(x.grad)
            x.grad = nil
            let v = Tensor([[1.0, 0.0], [0.5, -1.0]])
            try (x * x * x).backward(gradient: v)
            out.print(x.grad)
        }
    }

    func testCase08BackwardTwice() throws {
        try assertTwin("08_backward_twice") { out in
            let x = Tensor([3.0], requiresGrad: true)
            let y = x * x
            try y.backward(retainGraph: true)
            out.print(x.grad)
            try y.backward()
            out.print(x.grad)
            out.printingErrors { try y.backward() }
        }
    }

    func testCase09NonLeafGrad() throws {
        try assertTwin("09_nonleaf_grad") { out in
            let a = Tensor([1.0, 2.0], requiresGrad: true)
            let b = a * 2
            let c = b * b
            b.retainGrad()
            try c.sum().backward()
            out.print(a.grad)
            out.print(b.grad)
            out.print(b.isLeaf, b.retainsGrad, c.isLeaf)
            out.print(c.grad)
        }
    }

    func testCase12TensorHooks() throws {
        try assertTwin("12_tensor_hooks") { out in
            let x = Tensor([1.0, -2.0, 3.0], requiresGrad: true)
            var seen: [Tensor] = []
            let h = try x.registerHook { grad in
                seen.append(grad.clone())
                return grad.clamp(min: -1.0, max: 1.0)
            }
            try (x * Tensor([5.0, -0.5, 2.0])).sum().backward()
            out.print(seen[0])
            out.print(x.grad)
            h.remove()
            x.grad = nil
            try (x * Tensor([5.0, -0.5, 2.0])).sum().backward()
            out.print(x.grad)
            out.print(seen.count)
            let y = Tensor([2.0], requiresGrad: true)
            try y.registerHook { g in g * 10 }
            try y.registerHook { g in g + 1 }
            try (y * 3).backward()
            out.print(y.grad)
        }
    }

    func testCase13BroadcastGrad() throws {
        try assertTwin("13_broadcast_grad") { out in
            let a = Tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requiresGrad: true)
            let b = Tensor([10.0, 20.0, 30.0], requiresGrad: true)
            let c = Tensor([[2.0], [3.0]], requiresGrad: true)
            let s = Tensor(0.5, requiresGrad: true)
            let result = ((a + b) * c * s).sum()
            try result.backward()
            out.print(result)
            out.print(a.grad)
            out.print(b.grad)
            out.print(c.grad)
            out.print(s.grad)
        }
    }

    func testCase14MatmulGrad() throws {
        try assertTwin("14_matmul_grad") { out in
            let A = Tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], requiresGrad: true)
            let B = Tensor([[1.0, -1.0, 0.5], [2.0, 0.0, -2.0]], requiresGrad: true)
            let C = A.matmul(B)
            out.print(C)
            let G = Tensor([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
            try C.backward(gradient: G)
            out.print(A.grad)
            out.print(B.grad)
        }
    }

    func testCase15Subgradients() throws {
        try assertTwin("15_subgradients") { out in
            let x = Tensor([-1.0, 0.0, 2.0], requiresGrad: true)
            try x.relu().sum().backward()
            out.print(x.grad)
            x.grad = nil
            try x.abs().sum().backward()
            out.print(x.grad)
            x.grad = nil
            try x.clamp(min: 0.0, max: 2.0).sum().backward()
            out.print(x.grad)
            let m = Tensor([3.0, 1.0, 3.0], requiresGrad: true)
            try m.max().backward()
            out.print(m.grad)
        }
    }

    func testCase16ElementwiseGrads() throws {
        try assertTwin("16_elementwise_grads") { out in
            let x = Tensor([0.5, 1.0, 2.0], requiresGrad: true)
            let functions: [(String, (Tensor) -> Tensor)] = [
                ("exp", { $0.exp() }), ("log", { $0.log() }), ("tanh", { $0.tanh() }),
                ("sigmoid", { $0.sigmoid() }), ("sqrt", { $0.sqrt() }), ("sin", { $0.sin() }),
                ("cos", { $0.cos() }), ("reciprocal", { $0.reciprocal() }),
            ]
            for (name, f) in functions {
                x.grad = nil
                try f(x).sum().backward()
                out.print(name, x.grad)
            }
        }
    }

    func testCase17Reductions() throws {
        try assertTwin("17_reductions") { out in
            let x = Tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requiresGrad: true)
            let m = try x.mean(dim: 0)
            out.print(m)
            let s = try x.sum(dim: 1, keepdim: true)
            out.print(s)
            try (m.sum() + (s * Tensor([[1.0], [2.0]])).sum()).backward()
            out.print(x.grad)
            x.grad = nil
            try x.mean().backward()
            out.print(x.grad)
        }
    }

    /// Huber loss with its own backward, as in the case's Python.
    struct Huber: Function {
        var delta: Double
        func forward(_ ctx: FunctionContext, _ inputs: [Tensor]) throws -> Tensor {
            let r = inputs[0]
            ctx.saveForBackward(r)
            let small = r.abs() <= delta
            return Tensor.where(small, 0.5 * r * r, delta * (r.abs() - 0.5 * delta)).sum()
        }
        func backward(_ ctx: FunctionContext, _ g: Tensor) throws -> [Tensor?] {
            let r = try ctx.savedTensors[0]
            return [g * Tensor.where(r.abs() <= delta, r, delta * r.sign())]
        }
    }

    func testCase18CustomFunctionHuber() throws {
        try assertTwin("18_custom_function_huber") { out in
            let r = Tensor([-3.0, -0.5, 0.25, 2.0], dtype: .float64, requiresGrad: true)
            let loss = try Huber(delta: 1.0).apply(r)
            out.print(loss)
            try loss.backward()
            out.print(r.grad)
            out.print(try gradcheck({ try Huber(delta: 1.0).apply($0[0]) }, inputs: [r]))
        }
    }

    func testCase19HigherOrder() throws {
        try assertTwin("19_higher_order") { out in
            let x = Tensor(3.0, requiresGrad: true)
            let y = x ** 3 - 4 * x + 2
            let dy = try grad(y, x, createGraph: true)
            out.print(dy)
            let d2y = try grad(dy, x)
            out.print(d2y)
            let a = Tensor([1.0, 2.0], requiresGrad: true)
            let g = try grad(outputs: [(a ** 2).sum()], inputs: [a])
            out.print("(\(g[0]!),)")
        }
    }

    func testCase20GradientPenalty() throws {
        try assertTwin("20_gradient_penalty") { out in
            let W = Tensor([[0.5, -1.0], [2.0, 0.25]], requiresGrad: true)
            func critic(_ x: Tensor) throws -> Tensor { try x.matmul(W).tanh().sum(dim: 1) }
            let x = Tensor([[1.0, 0.5], [-0.5, 2.0]], requiresGrad: true)
            let score = try critic(x)
            let grads = try grad(outputs: [score], inputs: [x], gradOutputs: [Tensor.onesLike(score)], createGraph: true)[0]!
            out.print(grads)
            let penalty = try ((grads.norm(2, dim: 1) - 1) ** 2).mean()
            out.print(penalty)
            try penalty.backward()
            out.print(W.grad)
        }
    }

    func testCase21Printing() throws {
        try assertTwin("21_printing") { out in
            out.print(Tensor([[0.01, -0.02], [0.0, 0.03]]))
            out.print(Tensor(10.25, requiresGrad: true))
            out.print(Tensor([1e-8, 2.0]))
            out.print(Tensor([1.0, 2.0, 3.0]))
            out.print(Tensor([1000000.0, 2.0]))
            out.print(Tensor([.nan, .infinity, -.infinity, 1.5]))
            out.print(Tensor([[1.123456, -2.5], [3.0, 4.0]], requiresGrad: true))
            out.print(Tensor.zeros([2, 2, 2]))
            out.print(Tensor(3.0))
            out.print(Tensor([-0.0, 0.0]))
            out.print(Tensor([2.0], dtype: .float64))
            out.print(Tensor([1.0, 2.0], dtype: .float16))
            out.print(Tensor.arange(2000.0))
            out.print(Tensor([[-1.0688e-04, -2.0416e-04], [-2.1948e-05, -3.6009e-05]]))
            out.print(Tensor([Double]()))
            out.print(Tensor([0.1, 0.2]) * 3)
        }
    }

    func testCase25InplaceSavedTensor() throws {
        try assertTwin("25_inplace_saved_tensor") { out in
            let a = Tensor([1.0, 2.0], requiresGrad: true)
            let b = a * 2
            let c = b * b
            try b.add_(1)
            do { try c.sum().backward() } catch {
                out.print("\(type(of: error)): \(String(describing: error).split(separator: ";")[0])")
            }
            out.printingErrors { try a.add_(1) }
            try noGrad { try a.add_(1) }
            out.print(a)
        }
    }

    func testCase26RequiresGradErrors() throws {
        try assertTwin("26_requires_grad_errors") { out in
            let t = Tensor([1.0, 2.0])
            out.printingErrors { try t.sum().backward() }
            let a = Tensor([1.0], requiresGrad: true)
            let b = a * 2
            out.printingErrors { try b.requiresGrad_(false) }
            try t.requiresGrad_()
            out.print(t.requiresGrad, t.isLeaf)
        }
    }

    func testCase29GradientHealthReadings() throws {
        try assertTwin("29_gradient_monitor") { out in
            let wDead = Tensor([1.0, 2.0], requiresGrad: true)
            let wBig = Tensor([1.0], requiresGrad: true)
            let wNaN = Tensor([0.0], requiresGrad: true)
            let loss = (wDead * 0).sum() + (wBig * 1e6).sum() + (wNaN.sqrt() * 0).sum()
            try loss.backward()
            for (name, p) in [("w_dead", wDead), ("w_big", wBig), ("w_nan", wNaN)] {
                let g = p.grad!
                out.print(name, g, try g.norm().item(), g.isFinite().all())
            }
        }
    }
}
