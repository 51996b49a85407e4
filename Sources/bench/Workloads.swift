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

    /// Linear layers with ReLU between them: zero grads, MSE loss, backward, clip to norm 1, SGD.
    static func mlp(_ sizes: [Int], batch: Int) -> (Int) throws -> Void {
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
        let optimizer = SGD(parameters, lr: 0.01)
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
}
