import Autograd

/// The workloads of `shared/bench/WORKLOADS.md`, each doing the same work per step as
/// `torch_reference.py`: same shapes, element type, operations, loss, optimizer and clipping.
enum Workloads {
    /// The four-row linear regression: zero grads, MSE by hand, backward, SGD step.
    static func linearRegression() -> (Int) throws -> Void {
        let X = Tensor([[1.0, 2.0], [2.0, 3.0], [3.0, 4.0], [4.0, 5.0]])
        let Y = Tensor([[3.0], [5.0], [7.0], [9.0]])
        let w = Tensor([[0.5], [-0.5]], requiresGrad: true)
        let b = Tensor([0.0], requiresGrad: true)
        let optimizer = SGD([w, b], lr: 0.01)
        return { steps in
            for _ in 0..<steps {
                try optimizer.zeroGrad()
                let loss = ((X.matmul(w) + b - Y) ** 2).mean()
                try loss.backward()
                try optimizer.step()
            }
        }
    }

    /// Linear layers with ReLU between them: zero grads, MSE loss, backward, clip to norm 1, then an
    /// SGD step (lr 0.01) or an Adam step (lr 1e-3).
    static func mlp(_ sizes: [Int], batch: Int, adam: Bool = false) -> (Int) throws -> Void {
        manualSeed(0)
        var layers: [Module] = []
        for i in 0..<(sizes.count - 1) {
            layers.append(Linear(sizes[i], sizes[i + 1]))
            if i < sizes.count - 2 { layers.append(ReLU()) }
        }
        let model = Sequential(layers)
        let x = Tensor.randn([batch, sizes[0]])
        let y = Tensor.randn([batch, sizes[sizes.count - 1]])
        let parameters = model.parameters()
        let optimizer: Optimizer = adam ? Adam(parameters, lr: 1e-3) : SGD(parameters, lr: 0.01)
        let lossFunction = MSELoss()
        return { steps in
            for _ in 0..<steps {
                try optimizer.zeroGrad()
                let loss = lossFunction(model(x), y)
                try loss.backward()
                try clipGradNorm(parameters, maxNorm: 1.0)
                try optimizer.step()
            }
        }
    }

    /// A full finite-difference gradient check of the Huber loss at 200 points, in float64.
    static func gradcheckHuber() -> (Int) throws -> Void {
        let r = try! (Tensor.linspace(-3, 3, steps: 200, dtype: .float64) + 0.013).detach().requiresGrad_()
        func huber(_ t: Tensor) -> Tensor {
            let a = t.abs()
            return Tensor.where(a <= 1.0, 0.5 * t * t, a - 0.5).sum()
        }
        return { steps in
            for _ in 0..<steps {
                guard try gradcheck({ huber($0[0]) }, inputs: [r]) else { fatalError("gradcheck failed") }
            }
        }
    }

    /// A WGAN-GP critic step: Linear, Tanh, Linear; the gradient of the critic's output with respect to
    /// its input as a differentiable graph (createGraph), a penalty on its row norms, backward through
    /// both, SGD lr 0.01.
    static func gradientPenalty(_ sizes: [Int], batch: Int) -> (Int) throws -> Void {
        manualSeed(0)
        var layers: [Module] = []
        for i in 0..<(sizes.count - 1) {
            layers.append(Linear(sizes[i], sizes[i + 1]))
            if i < sizes.count - 2 { layers.append(Tanh()) }
        }
        let critic = Sequential(layers)
        let x = Tensor.randn([batch, sizes[0]])
        let optimizer = SGD(critic.parameters(), lr: 0.01)
        return { steps in
            for _ in 0..<steps {
                try optimizer.zeroGrad()
                let xi = try x.detach().requiresGrad_()
                let out = critic(xi)
                let gx = try grad(out.sum(), xi, createGraph: true)
                let penalty = try ((gx.norm(2, dim: 1) - 1) ** 2).mean()
                let loss = out.mean() + 10 * penalty
                try loss.backward()
                try optimizer.step()
            }
        }
    }

    /// The matrix products of one step of `mlp(sizes, batch:)` (same shapes, operands made contiguous
    /// beforehand so that only products are timed), and their floating-point operation count (2 per
    /// multiply-add).
    static func mlpStepProducts(_ sizes: [Int], batch: Int) -> (run: (Int) -> Void, count: Double) {
        manualSeed(0)
        let layers = (0..<(sizes.count - 1)).map { i in
            (x: Tensor.randn([batch, sizes[i]]), w: Tensor.randn([sizes[i + 1], sizes[i]]), g: Tensor.randn([batch, sizes[i + 1]]),
             xT: Tensor.randn([sizes[i], batch]), wT: Tensor.randn([sizes[i], sizes[i + 1]]))
        }
        var count = 0.0
        for (i, l) in layers.enumerated() {
            let (k, n) = (l.w.shape[1], l.w.shape[0])
            count += 2 * Double(batch * k * n) * (i == 0 ? 2 : 3)
        }
        return ({ steps in
            for _ in 0..<steps {
                for (i, l) in layers.enumerated() {
                    _ = l.x.matmul(l.wT)                     // forward
                    _ = l.xT.matmul(l.g)                     // the weight's gradient (transposed)
                    if i > 0 { _ = l.g.matmul(l.w) }         // the input's gradient
                }
            }
        }, count)
    }
}
