import Foundation

/// Sums, means, extrema, norms and softmax, over everything or along one dimension.
extension Tensor {
    /// The shape after reducing `dim`, with or without keeping it as size 1.
    private func reducedShape(_ d: Int, keepdim: Bool) -> [Int] {
        var s = shape
        if keepdim { s[d] = 1 } else { s.remove(at: d) }
        return s
    }

    /// The sum of all elements (`SumBackward0`).
    public func sum() -> Tensor {
        let original = shape
        let storage = self.storage.map(dtype, { ReductionKernels.sum($0, original, to: []) },
                                       { ReductionKernels.sum($0, original, to: []) })
        return Tensor.result(storage, [], dtype, inputs: [self], name: "SumBackward0", savesTensors: false) { g in [g.expand(original)] }
    }

    /// The sum along `dim` (`SumBackward1`).
    public func sum(dim: Int, keepdim: Bool = false) -> Tensor {
        if rank == 0 { return sum() }
        let d = normalize(dim), original = shape
        let keep = reducedShape(d, keepdim: true)
        let storage = self.storage.map(dtype, { ReductionKernels.sum($0, original, to: keep) },
                                       { ReductionKernels.sum($0, original, to: keep) })
        return Tensor.result(storage, reducedShape(d, keepdim: keepdim), dtype, inputs: [self], name: "SumBackward1", savesTensors: false) { g in
            [(keepdim ? g : g.unsqueeze(d)).expand(original)]
        }
    }

    /// The mean of all elements (`MeanBackward0`).
    public func mean() -> Tensor {
        let n = Double(count), original = shape
        let total = noGrad { detach().sum() }
        let storage = total.storage.map(dtype, { $0.map { $0 / Float(n) } }, { $0.map { $0 / n } })
        return Tensor.result(storage, [], dtype, inputs: [self], name: "MeanBackward0", savesTensors: false) { g in [g.expand(original) / n] }
    }

    /// The mean along `dim` (`MeanBackward1`).
    public func mean(dim: Int, keepdim: Bool = false) -> Tensor {
        if rank == 0 { return mean() }
        let d = normalize(dim), original = shape, n = Double(shape[d])
        let total = noGrad { detach().sum(dim: d, keepdim: keepdim) }
        let storage = total.storage.map(dtype, { $0.map { $0 / Float(n) } }, { $0.map { $0 / n } })
        return Tensor.result(storage, total.shape, dtype, inputs: [self], name: "MeanBackward1", savesTensors: false) { g in
            [(keepdim ? g : g.unsqueeze(d)).expand(original) / n]
        }
    }

    /// The largest element. Ties share the gradient evenly, as PyTorch does (`MaxBackward1`).
    public func max() -> Tensor { extremum(largest: true) }

    /// The smallest element (`MinBackward1`).
    public func min() -> Tensor { extremum(largest: false) }

    private func extremum(largest: Bool) -> Tensor {
        precondition(count > 0, "max(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with the 'dim' argument.")
        let flat = detach().reshape([count])
        let (values, _) = flat.extremumValues(dim: 0, largest: largest)
        let best = values[0]
        let saved = SavedTensor(self)
        return Tensor.result(TensorStorage([best], dtype: dtype), [], dtype, inputs: [self],
                             name: largest ? "MaxBackward1" : "MinBackward1") { g in
            let x = try saved.unpack()
            let mask = best.isNaN ? x.isNaN() : x.constant(.equal(best))
            let share = mask / mask.sum().item()
            // masked_fill in PyTorch: the other elements get 0 even when g is NaN or infinite.
            return [Tensor.masked(g.expand(x.shape), share)]
        }
    }

    private func extremumValues(dim d: Int, largest: Bool) -> ([Double], [Int]) {
        if dtype == .float64 {
            return ReductionKernels.extremum(storage.doubles, shape, dim: d, largest: largest)
        }
        let (v, i) = ReductionKernels.extremum(storage.floats, shape, dim: d, largest: largest)
        return (v.map { Double($0) }, i)
    }

    /// The largest values along `dim` and where they are (`MaxBackward0`): the gradient goes to
    /// the first position of each maximum.
    public func max(dim: Int, keepdim: Bool = false) -> (values: Tensor, indices: [Int]) {
        extremum(dim: dim, keepdim: keepdim, largest: true)
    }

    /// The smallest values along `dim` and where they are (`MinBackward0`).
    public func min(dim: Int, keepdim: Bool = false) -> (values: Tensor, indices: [Int]) {
        extremum(dim: dim, keepdim: keepdim, largest: false)
    }

    private func extremum(dim: Int, keepdim: Bool, largest: Bool) -> (values: Tensor, indices: [Int]) {
        let d = normalize(dim), original = shape
        let (values, indices) = extremumValues(dim: d, largest: largest)
        // A one-hot mask of the chosen positions carries the gradient back.
        var onehot = [Double](repeating: 0, count: count)
        let size = shape[d], inner = Shape.count(Array(shape[(d + 1)...]))
        for (k, at) in indices.enumerated() {
            let o = k / inner, i = k % inner
            onehot[(o * size + at) * inner + i] = 1
        }
        let mask = Tensor(onehot, shape: original, dtype: dtype)
        let out = Tensor.result(TensorStorage(values, dtype: dtype), reducedShape(d, keepdim: keepdim), dtype,
                                inputs: [self], name: largest ? "MaxBackward0" : "MinBackward0") { g in
            // A scatter in PyTorch: the other elements get 0 even when g is NaN or infinite.
            [Tensor.masked((keepdim ? g : g.unsqueeze(d)).expand(original), mask)]
        }
        return (out, indices)
    }

    /// The vector p-norm of all elements, or along `dim` (`torch.linalg.vector_norm`).
    /// `p` may be 1, 2, any positive number, or `.infinity`.
    public func norm(_ p: Double = 2, dim: Int? = nil, keepdim: Bool = false) -> Tensor {
        let saved = SavedTensor(self)
        let reduce: (Tensor) -> Tensor = { t in dim.map { t.sum(dim: $0, keepdim: keepdim) } ?? t.sum() }
        let value: Tensor = noGrad {
            if p == 2 && dim == nil { return sumOfSquares().sqrt() }
            let a = detach().abs()
            if p == .infinity {
                if let dim { return a.max(dim: dim, keepdim: keepdim).values }
                return a.max()
            }
            if p == 1 { return reduce(a) }
            if p == 2 { return reduce(a * a).sqrt() }
            return reduce(a.pow(p)).pow(1 / p)
        }
        let outShape = value.shape
        return Tensor.result(value.storage, outShape, dtype, inputs: [self], name: "LinalgVectorNormBackward0") { g in
            let x = try saved.unpack()
            let n = isGradEnabled ? x.norm(p, dim: dim, keepdim: keepdim) : value
            // Broadcast the norm and the incoming gradient back over the reduced dimension.
            let nb = (dim != nil && !keepdim) ? n.unsqueeze(dim!) : n
            let gb = (dim != nil && !keepdim) ? g.unsqueeze(dim!) : g
            if p == .infinity {
                // The largest |x|, or NaN: PyTorch counts NaN entries as maxima.
                let mask = (x.abs().eq(nb.detach().expand(x.shape)) + x.isNaN()).gt(0)
                let share = mask / reduceKeep(mask, dim).expand(x.shape)
                return [x.sign() * share * gb]
            }
            if p == 1 { return [x.sign() * gb] }
            // x |x|^(p-2) / norm^(p-1); where the norm is 0 the gradient is 0, as in PyTorch.
            let scale = Tensor.where(nb.detach().eq(0), Tensor.zerosLike(nb), gb / (p == 2 ? nb : nb.pow(p - 1)))
            let direction = p == 2 ? x : x * x.abs().pow(p - 2)
            return [direction * scale]
        }
    }

    /// Σx² in one pass (accumulated in Double): the 2-norm that clipping computes every step.
    private func sumOfSquares() -> Tensor {
        let acc = dtype == .float64
            ? storage.doubles.withUnsafeBufferPointer { ReductionKernels.total($0) { $0 * $0 } }
            : storage.floats.withUnsafeBufferPointer { ReductionKernels.total($0) { let d = Double($0); return d * d } }
        return Tensor(acc, dtype: dtype)
    }

    /// `softmax` along `dim`: exponentials normalised to sum to 1, computed stably
    /// (`SoftmaxBackward0`: dx = y ⊙ (g − Σ g⊙y)).
    public func softmax(dim: Int) -> Tensor {
        let d = normalize(dim)
        let y = noGrad { () -> Tensor in
            let e = (detach() - detach().max(dim: d, keepdim: true).values).exp()
            return e / e.sum(dim: d, keepdim: true)
        }
        let savedX = SavedTensor(self), savedY = SavedTensor(y)
        return Tensor.result(y.storage, shape, dtype, inputs: [self], name: "SoftmaxBackward0") { g in
            let y = isGradEnabled ? (try savedX.unpack()).softmax(dim: d) : try savedY.unpack()
            return [y * (g - (g * y).sum(dim: d, keepdim: true))]
        }
    }

    /// `log_softmax` along `dim`: `x - logsumexp(x)`, computed stably
    /// (`LogSoftmaxBackward0`: dx = g − softmax(x) Σ g).
    public func logSoftmax(dim: Int) -> Tensor {
        let d = normalize(dim)
        let y = noGrad { () -> Tensor in
            let shifted = detach() - detach().max(dim: d, keepdim: true).values
            return shifted - shifted.exp().sum(dim: d, keepdim: true).log()
        }
        let savedX = SavedTensor(self), savedY = SavedTensor(y)
        return Tensor.result(y.storage, shape, dtype, inputs: [self], name: "LogSoftmaxBackward0") { g in
            let y = isGradEnabled ? (try savedX.unpack()).logSoftmax(dim: d) : try savedY.unpack()
            return [g - y.exp() * g.sum(dim: d, keepdim: true)]
        }
    }
}

private func reduceKeep(_ t: Tensor, _ dim: Int?) -> Tensor {
    dim.map { t.sum(dim: $0, keepdim: true) } ?? t.sum()
}
