import XCTest
@testable import Autograd

/// Swift twins of the parity cases 50–58 (issue 12): in-place writes through views, gradients that
/// could silently differ from PyTorch's, what operations save for backward, the `.grad` attribute,
/// hooks on graph nodes, training on two threads and object identity. Each program is
/// `Fixtures/parity/NN_name.py`; its recorded output (PyTorch 2.15) is the `.out` beside it, made
/// with `python3 NN_name.py > NN_name.out 2>&1`.
final class SecondPassParityTests: XCTestCase {
    /// Python's repr of a tuple of tensors: `(tensor([1.]),)`.
    private func tuple(_ items: [Tensor?]) -> String {
        let parts = items.map { $0.map { TwinOutput.render($0) } ?? "nil" }
        return "(" + parts.joined(separator: ", ") + (parts.count == 1 ? ",)" : ")")
    }

    fileprivate func list(_ items: [Tensor]) -> String {
        "[" + items.map(\.description).joined(separator: ", ") + "]"
    }

    func testCase50InPlaceThroughViews() throws {
        try assertTwin("50_inplace_through_views") { out in
            var a = Tensor([1.0, 2.0], requiresGrad: true)
            var b = a * 1
            try b.reshape([2, 1]).mul_(3)
            out.show(b, b.gradFn)
            try b.sum().backward()
            out.show(a.grad)
            let views: [(String, (Tensor) throws -> Tensor)] = [
                ("reshape", { $0.reshape([4]) }), ("view", { $0.view([4, 1]) }),
                ("flatten", { $0.flatten() }), ("unsqueeze", { try $0.unsqueeze(0) }),
                ("squeeze", { try $0.unsqueeze(1).squeeze(1) }), ("view of view", { $0.view([4]).view([2, 2]) })]
            let ops: [(String, (Tensor) throws -> Void)] = [
                ("add_", { try $0.add_(Tensor.full($0.shape, 2)) }), ("add_ scalar", { try $0.add_(1.5) }),
                ("sub_", { try $0.sub_(Tensor.full($0.shape, 1), alpha: 2) }), ("sub_ scalar", { try $0.sub_(0.5) }),
                ("mul_", { try $0.mul_(Tensor.full($0.shape, 3)) }), ("mul_ scalar", { try $0.mul_(-2.0) }),
                ("div_ scalar", { try $0.div_(4.0) }), ("zero_", { try $0.zero_() }), ("fill_", { try $0.fill_(7) }),
                ("copy_", { try $0.copy_(Tensor.full($0.shape, 5)) }), ("clamp_", { try $0.clamp_(min: 2.5, max: 5.0) })]
            let w = Tensor([[1.0, -1.0], [2.0, 0.5]])
            for (vname, view) in views {
                for (oname, op) in ops {
                    let a = Tensor([[1.0, 2.0], [3.0, 4.0]], requiresGrad: true)
                    let b = a * 2
                    let v = try view(b)
                    try op(v)
                    try (b * b * w).sum().backward()
                    out.show(vname, oname, b.detach().flatten(), b.gradFn, v.gradFn, a.grad!.flatten())
                }
            }
            a = Tensor([1.0, 2.0, 3.0, 4.0], requiresGrad: true)
            b = a * 1
            let v1 = b.view([2, 2])
            let v2 = b.view([4, 1])
            try v1.mul_(10)
            out.show(v2.detach().flatten(), v2.gradFn)
            try (v2 * v2).sum().backward()
            out.show(a.grad)
            let z = Tensor.zeros([2])
            let q = Tensor([2.0, 3.0], requiresGrad: true)
            try z.view([2, 1]).add_(q.view([2, 1]) * 2)
            out.show(z, z.gradFn)
            try (z * z).sum().backward()
            out.show(q.grad)
            for (vname, view) in views {
                let a = Tensor([[1.0, 2.0], [3.0, 4.0]], requiresGrad: true)
                do { try view(a).mul_(2) } catch { out.show(vname, "\(type(of: error)): \(error)") }
            }
            a = Tensor([1.0, 2.0], requiresGrad: true)
            try noGrad { try a.view([2, 1]).mul_(2) }
            out.show(a)
            let v = noGrad { a.view([2]) }
            out.printingErrors { try v.mul_(2) }
            a = Tensor([1.0, 2.0], requiresGrad: true)
            b = a * 2
            let c = b * b
            try b.detach().mul_(3)
            out.show(b)
            out.printingErrors { try c.sum().backward() }
            try a.detach().zero_()
            out.show(a)
        }
    }

    func testCase51SilentWrongResults() throws {
        try assertTwin("51_silent_wrong_results") { out in
            var x = Tensor([1.0, 2.0], requiresGrad: true)
            let h = try x.registerHook { $0 * 10 }
            out.show(tuple(try grad(outputs: [(x * x).sum()], inputs: [x])))
            try x.registerHook { $0 + 1 }
            out.show(tuple(try grad(outputs: [(x * x).sum()], inputs: [x])))
            h.remove()
            out.show(tuple(try grad(outputs: [(x * x).sum()], inputs: [x])))
            try (x * x).sum().backward()
            out.show(x.grad)

            x = Tensor([0.0, 2.0, -1.0], requiresGrad: true)
            let y = Tensor([0.0, 0.0, 2.0], requiresGrad: true)
            try (x ** y).sum().backward()
            out.show(x.grad, y.grad)
            let first = try grad(outputs: [(x ** y).sum()], inputs: [x, y], createGraph: true)
            out.show(first[0], first[1])
            out.show(tuple(try grad(outputs: [first[0]!.sum()], inputs: [x, y])))
            x = Tensor([0.0, 2.0], requiresGrad: true)
            let gx = try grad(x.pow(0.0).sum(), x, createGraph: true)
            out.show(gx, gx.requiresGrad)

            for p in [0.5, 1.0, 1.5, 2.0, 3.0, Double.infinity] {
                let x = Tensor([0.0, 1.0, -2.0], requiresGrad: true)
                try x.norm(p).backward()
                out.show(p, x.grad)
            }
            x = Tensor([[0.0, 1.0, -2.0], [0.0, 0.0, 0.0]], requiresGrad: true)
            try x.norm(1.5, dim: 1).sum().backward()
            out.show(x.grad)
            var z = Tensor.zeros([3], requiresGrad: true)
            var g = try grad(z.norm(), z, createGraph: true)
            out.show(g)
            out.show(tuple(try grad(outputs: [g.sum()], inputs: [z])))
            z = Tensor.zeros([3], requiresGrad: true)
            g = try grad(z.norm(3.0), z, createGraph: true)
            out.show(g, tuple(try grad(outputs: [g.sum()], inputs: [z])))

            x = Tensor([1.0, -1.0, 0.5, 2.0, -0.5], requiresGrad: true)
            let t = Tensor.zeros([5])
            for reduction in [Reduction.sum, .mean] {
                let g = try grad(huberLoss(x, t, reduction: reduction, delta: 1.0), x, createGraph: true)
                out.show(g.detach(), tuple(try grad(outputs: [g.sum()], inputs: [x])))
            }

            let logits = Tensor([[1.0, 2.0, 0.5], [0.1, -1.0, 2.0]], requiresGrad: true)
            var loss = try crossEntropy(logits, [-100, -100])
            try loss.backward()
            out.show(loss, logits.grad)
            let lp = Tensor([[-1.0, -2.0], [-0.5, -3.0]], requiresGrad: true)
            loss = try nllLoss(lp, [1, 1], ignoreIndex: 1)
            try loss.backward()
            out.show(loss, lp.grad)
            loss = try crossEntropy(logits, [-100, 2])
            logits.grad = nil
            try loss.backward()
            out.show(loss, logits.grad)

            x = Tensor([1.0, 2.0], requiresGrad: true)
            let e = x.expand([2])
            out.show(e === x, e.gradFn)
            try e.registerHook { $0 * 10 }
            try (e + x).sum().backward()
            out.show(x.grad)
            let tt = x.T
            out.show(tt === x, tt.gradFn)
            out.show(x.flatten() === x, x.t() === x, x.t().gradFn)
            let m = Tensor([[1.0, 2.0]], requiresGrad: true)
            out.show(m.expand([1, 2]) === m, m.expand([1, 2]).gradFn)
            let y3 = try Tensor.arange(24).reshape([2, 3, 4]).requiresGrad_()
            let yt = y3.T
            out.show(Tensor.sizeText(yt.shape), yt.gradFn)
            out.show(try yt[3])
            try (yt * Tensor.arange(24).reshape([4, 3, 2])).sum().backward()
            out.show(try y3.grad![1])
        }
    }

    func testCase52SavedTensorsAndTheSecondPass() throws {
        try assertTwin("52_saved_tensors_second_pass") { out in
            var x = Tensor([0.5, 1.5], requiresGrad: true)
            let y = Tensor([2.0, 3.0], requiresGrad: true)
            let ops: [(String, () throws -> Tensor)] = [
                ("exp", { x.exp() }), ("tanh", { x.tanh() }), ("sigmoid", { x.sigmoid() }),
                ("sqrt", { x.sqrt() }), ("2 ** x", { 2 ** x }), ("x ** y", { x ** y }),
                ("x ** 3", { x ** 3 }), ("relu", { x.relu() }), ("log", { x.log() }),
                ("x * 2.0", { x * 2.0 }), ("2 * x", { 2 * x }), ("x / 2", { x / 2 }),
                ("x * y", { x * y }), ("x + 1", { x + 1 }), ("x - y", { x - y }), ("-x", { -x }),
                ("sum", { x.sum() }), ("mean", { x.mean() }), ("reshape", { x.reshape([2, 1]) })]
            for (name, op) in ops {
                let before = SavedTensorStatistics.count
                let result = try op()
                out.show(name, SavedTensorStatistics.count - before)
                withExtendedLifetime(result) {}
            }
            for (name, op) in ops {
                let result = try op().sum()
                try result.backward()
                do {
                    try result.backward()
                    out.show(name, "ran twice")
                } catch {
                    out.show(name, "AutogradError:", String("\(error)".prefix(50)))
                }
            }
            x = Tensor(0.5, requiresGrad: true)
            let t = x.exp()
            try t.registerHook { $0 * 2 }
            var g = try grad(t, x, createGraph: true)
            out.show(g, g.gradFn)
            try (g * g).sum().backward()
            out.show(x.grad)
            let functions: [(String, (Tensor) -> Tensor)] = [
                ("tanh", { $0.tanh() }), ("sigmoid", { $0.sigmoid() }), ("relu", { $0.relu() }), ("exp", { $0.exp() }),
                ("x ** 3", { $0 ** 3 }), ("log", { $0.log() }), ("sqrt", { $0.sqrt() })]
            for (name, f) in functions {
                let x = Tensor([0.5, 1.5], requiresGrad: true)
                let g = try grad(f(x).sum(), x, createGraph: true)
                let g2 = try grad(g.sum(), x)
                out.show(name, g, g2)
            }
            x = Tensor([0.5, -1.5], requiresGrad: true)
            g = try grad(x.tanh().sum(), x, createGraph: true)
            var g2 = try grad(g.sum(), x, createGraph: true)
            let g3 = try grad(g2.sum(), x)
            out.show(g2, g3)
            g = try grad(x.sigmoid().sum(), x, createGraph: true)
            g2 = try grad(g.sum(), x, createGraph: true)
            out.show(g2, tuple(try grad(outputs: [g2.sum()], inputs: [x])))
            x = Tensor([0.5, -1.5], requiresGrad: true)
            g = try grad(x.relu().sum(), x, createGraph: true)
            out.show(g, g.requiresGrad, tuple(try grad(outputs: [g.sum()], inputs: [x])))
            let lp = Tensor([[-1.0, -2.0], [-0.5, -3.0]], requiresGrad: true)
            g = try grad(nllLoss(lp, [1, 0]), lp, createGraph: true)
            out.show(g, tuple(try grad(outputs: [g.sum()], inputs: [lp])))
        }
    }

    func testCase53GradAttributeAndZeroDim() throws {
        try assertTwin("53_grad_attribute_and_zero_dim") { out in
            let x = Tensor([1.0, 2.0], requiresGrad: true)
            let y = Tensor([3.0], requiresGrad: true)
            out.printingErrors { _ = try grad(outputs: [(x * 2).sum()], inputs: [x, y]) }
            out.show(tuple(try grad(outputs: [(x * 2).sum()], inputs: [x, y], allowUnused: true)))
            out.printingErrors { _ = try grad(outputs: [(y * 2).sum()], inputs: [y, x, x]) }
            out.printingErrors { try x.setGrad(Tensor([1.0, 2.0], dtype: .float64)) }
            out.printingErrors { try x.setGrad(Tensor([1.0, 2.0, 3.0])) }
            let d = Tensor([1.0], dtype: .float64, requiresGrad: true)
            out.printingErrors { try d.setGrad(Tensor([1.0])) }
            x.grad = Tensor([0.5, 0.25])
            out.show(x.grad)
            x.grad = nil
            out.show(x.grad)
            let h = x * 3
            try h.sum().backward()
            out.show(h.grad, x.grad)
            let s = Tensor(2.5, requiresGrad: true)
            for dim in [0, -1] {
                var (v, i) = try s.max(dim: dim)
                out.show(v, i[0])
                (v, i) = try s.min(dim: dim)
                out.show(v, i[0])
                out.show(try s.softmax(dim: dim))
            }
            let v = try s.max(dim: 0).values
            try (v * 3).backward()
            out.show(s.grad)
            try (s.softmax(dim: 0) * 2).backward()
            out.show(s.grad)
        }
    }

    func testCase54NodeHooksAndCustomNames() throws {
        struct Cube: Function {
            func forward(_ ctx: FunctionContext, _ inputs: [Tensor]) throws -> Tensor {
                ctx.saveForBackward(inputs[0])
                return inputs[0] ** 3
            }
            func backward(_ ctx: FunctionContext, _ g: Tensor) throws -> [Tensor?] {
                let v = try ctx.savedTensors[0]
                return [g * 3 * v ** 2]
            }
        }
        try assertTwin("54_node_hooks_and_custom_names") { out in
            let x = Tensor([1.0, 2.0], requiresGrad: true)
            let y = x * 3
            var seen: [Tensor] = []
            let h = y.gradFn!.registerHook { inputs, _ in seen.append(inputs[0]!.clone()) }
            try y.sum().backward()
            out.show(list(seen))
            h.remove()
            try (x * 3).sum().backward()
            out.show(seen.count)
            let acc = y.gradFn!.nextFunctions[0]!
            out.show(acc.name, acc.variable === x)
            var hits: [Tensor] = []
            let h2 = acc.registerHook { _, output in hits.append(output.clone()) }
            try (x * 5).sum().backward()
            out.show(list(hits), x.grad)
            h2.remove()
            try (x * 5).sum().backward()
            out.show(hits.count)
            let c = try Cube().apply(x)
            out.show(c.gradFn!.name)
        }
    }
}

extension SecondPassParityTests {
    /// PyTorch trains the two models one after the other; the twin trains them on two threads at once.
    func testCase55TwoThreadsTraining() throws {
        try assertTwin("55_two_threads_training") { out in
            var results: [Double: (loss: Tensor, w2: Tensor)] = [:]
            let lock = NSLock()
            try ThreadSafetyTests.concurrently([1.0, -2.0].map { scale in {
                let r = try ThreadSafetyTests.train(scale: scale)
                lock.lock(); results[scale] = r; lock.unlock()
            } })
            for scale in [1.0, -2.0] {
                out.show(scale, results[scale]!.loss)
                out.show(results[scale]!.w2.detach().flatten())
            }
        }
    }
}

extension SecondPassParityTests {
    /// Every differentiable operation: its saved-tensor count, whether it runs backward twice,
    /// and the node of a recorded backward pass.
    func testCase56SavedTensorsEveryOp() throws {
        try assertTwin("56_saved_tensors_every_op") { out in
            let x = Tensor([[0.5, -1.5], [2.0, 0.25]], requiresGrad: true)
            let w = Tensor([[1.0, -2.0], [0.5, 3.0]], requiresGrad: true)
            let c = Tensor([[1.0, 2.0], [3.0, 4.0]])
            let ops: [(String, () throws -> Tensor)] = [
                ("sin", { x.sin() }), ("cos", { x.cos() }), ("abs", { x.abs() }), ("sign", { x.sign() }),
                ("reciprocal", { x.reciprocal() }), ("clamp", { x.clamp(min: 0.0, max: 1.0) }),
                ("clamp min", { x.clamp(min: 0.0) }), ("square", { x.square() }), ("x ** 0.5 of abs", { x.abs() ** 0.5 }),
                ("3 / x", { 3 / x }), ("x / w", { x / w }), ("x / c", { x / c }), ("x * c", { x * c }),
                ("1 - x", { 1 - x }), ("where", { Tensor.where(c > 2, x, w) }), ("max", { try x.max() }),
                ("min", { try x.min() }), ("max dim", { try x.max(dim: 1).values }), ("min dim", { try x.min(dim: 0).values }),
                ("norm", { x.norm() }), ("norm 1 dim", { try x.norm(1, dim: 1) }),
                ("softmax", { try x.softmax(dim: 1) }), ("log_softmax", { try x.logSoftmax(dim: 1) }),
                ("matmul", { x.matmul(w) }), ("matmul const", { x.matmul(c) }), ("mv", { x.matmul(try c[0]) }),
                ("mse", { mseLoss(x, c) }), ("huber", { huberLoss(x, c) }),
                ("nll_loss", { try nllLoss(x, [1, 0]) }),
                ("cross_entropy", { try crossEntropy(x, [1, 0]) }),
                ("cat", { try Tensor.cat([x, w]) }), ("stack", { try Tensor.stack([x, w]) }), ("expand", { try x[0..<1].expand([3, 2]) }),
                ("transpose", { try x.transpose(0, 1) }), ("t", { x.t() }), ("select", { try x[1] }), ("slice", { try x[0..<1] }),
                ("to float64", { x.to(.float64) }), ("clone", { x.clone() }), ("sum dim", { try x.sum(dim: 0) }),
                ("mean dim", { try x.mean(dim: 1) }), ("squeeze", { try x.unsqueeze(0).squeeze(0) }),
                ("linear", { Tensor.linear(x, w, Tensor([0.5, -0.5], requiresGrad: true)) })]
            for (name, op) in ops {
                let before = SavedTensorStatistics.count
                var result = try op()
                let saved = SavedTensorStatistics.count - before
                result = result.sum()
                try result.backward()
                let again: String
                do { try result.backward(); again = "ran twice" } catch { again = "refused" }
                out.show(name, saved, again)
            }
            let functions: [(String, (Tensor) throws -> Tensor)] = [
                ("sin", { $0.sin() }), ("cos", { $0.cos() }), ("abs", { $0.abs() }), ("reciprocal", { $0.reciprocal() }),
                ("square", { $0.square() }), ("x * x", { $0 * $0 }), ("3 / x", { 3 / $0 }), ("x * 2.0", { $0 * 2.0 }),
                ("clamp", { $0.clamp(min: 0.0, max: 1.0) }), ("softmax", { try $0.softmax(dim: 1) }),
                ("log_softmax", { try $0.logSoftmax(dim: 1) })]
            for (name, f) in functions {
                let g = try grad((try f(x) * c).sum(), x, createGraph: true)
                out.show(name, g.gradFn, g.requiresGrad)
                if g.requiresGrad { out.show(try grad((g * w).sum(), x)) }
            }
        }
    }
}

extension SecondPassParityTests {
    func testCase57InPlaceHooksAndRetainGrad() throws {
        try assertTwin("57_inplace_hooks_and_retain_grad") { out in
            var a = Tensor([1.0, 2.0], requiresGrad: true)
            var b = a * 2
            b.retainGrad()
            var seen: [Tensor] = []
            try b.registerHook { g in seen.append(g.clone()); return nil }
            try b.mul_(3)
            try (b * Tensor([1.0, 10.0])).sum().backward()
            out.show(b.grad, list(seen), a.grad)
            a = Tensor([1.0, 2.0], requiresGrad: true)
            b = a * 2
            b.retainGrad()
            try b.view([2, 1]).add_(1)
            try (b * Tensor([1.0, 10.0])).sum().backward()
            out.show(b.grad, a.grad)
        }
    }
}

extension SecondPassParityTests {
    func testCase58ObjectIdentity() throws {
        try assertTwin("58_object_identity") { out in
            let x = Tensor([1.0, 2.0], requiresGrad: true)
            let m = Tensor([[1.0, 2.0], [3.0, 4.0]], requiresGrad: true)
            let s = Tensor(2.0, requiresGrad: true)
            out.show("to same dtype", x.to(.float32) === x, "float", x.float() === x, "double", x.double() === x)
            out.show("squeeze", x.squeeze() === x, "reshape same", x.reshape([2]) === x, "view same", x.view([2]) === x)
            out.show("narrow all", try x.narrow(0, start: 0, length: 2) === x, "T.T", x.T.T === x, "flatten 1-D", x.flatten() === x)
            out.show("expand same", x.expand([2]) === x, "t 1-D", x.t() === x, "transpose same dim", try m.transpose(1, 1) === m)
            out.show("flatten 2-D", m.flatten() === m, "T 2-D", m.T === m, "detach", x.detach() === x, "clone", x.clone() === x)
            out.show("0-d flatten", s.flatten() === s, Tensor.sizeText(s.flatten().shape), "T", s.T === s, "squeeze", s.squeeze() === s)
            out.show("0-d sum(0)", try s.sum(dim: 0) === s, "mean(0)", try s.mean(dim: 0) === s, "unsqueeze", Tensor.sizeText(try s.unsqueeze(0).shape))
        }
    }
}

fileprivate extension TwinOutput {
    /// `print` for values that may be nil (a missing `.grad` prints as Python's `None`).
    func show(_ items: Any?..., separator: String = " ") {
        let line = items.map { $0.map { TwinOutput.render($0) } ?? "nil" }.joined(separator: separator)
        self.print(line)
    }
}

extension SecondPassParityTests {
    func testCase59LossDoubleBackward() throws {
        try assertTwin("59_loss_double_backward") { out in
            let losses: [(String, (Tensor, Tensor, Reduction) -> Tensor)] = [
                ("mse", { mseLoss($0, $1, reduction: $2) }), ("huber", { huberLoss($0, $1, reduction: $2, delta: 1.0) })]
            for (name, loss) in losses {
                for (label, reduction) in [("mean", Reduction.mean), ("sum", .sum), ("none", .none)] {
                    let x = Tensor([[0.5, -1.5, 2.0], [1.0, 0.0, -0.25]], requiresGrad: true)
                    let t = Tensor([[1.0, 0.0, 3.0], [0.0, 0.5, 0.75]], requiresGrad: true)
                    let seed = Tensor([[1.0, 2.0, -1.0], [0.5, 1.0, 3.0]], requiresGrad: true)
                    let value = loss(x, t, reduction)
                    let gout = reduction == .none ? seed : Tensor(1.5, requiresGrad: true)
                    let gx = try grad(value, x, gradOutput: gout, createGraph: true)
                    out.show(name, label, gx.gradFn, gx.detach())
                    let w = Tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
                    out.show(tuple(try grad(outputs: [(gx * w).sum()], inputs: [x, t, gout])))
                }
            }
        }
    }
}

extension SecondPassParityTests {
    func testCase60L1AndBCEGraphs() throws {
        try assertTwin("60_l1_and_bce_graphs") { out in
            for (label, reduction) in [("mean", Reduction.mean), ("sum", .sum), ("none", .none)] {
                let x = Tensor([0.5, -1.5, 2.0, 1.0], requiresGrad: true)
                let t = Tensor([1.0, 0.0, 1.0, 1.0], requiresGrad: true)
                let l1 = l1Loss(x, t, reduction: reduction)
                let bce = binaryCrossEntropyWithLogits(x, t, reduction: reduction)
                out.show(label, l1, bce)
                let g1 = try grad(outputs: [l1], inputs: [x, t], gradOutputs: [Tensor.onesLike(l1)], createGraph: true)
                let g2 = try grad(outputs: [bce], inputs: [x, t], gradOutputs: [Tensor.onesLike(bce)], createGraph: true)
                out.show(g1[0]!.gradFn, g2[0]!.gradFn, g1[0]!.detach(), g2[0]!.detach(), g2[1]!.detach())
                out.show(tuple(try grad(outputs: [(g2[0]! * Tensor([1.0, 2.0, 3.0, 4.0])).sum()], inputs: [x, t])))
            }
        }
    }
}
