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
        return Tensor.result(storage, [], dtype, inputs: [self], name: "SumBackward0") { g in [g.expand(original)] }
    }

    /// The sum along `dim` (`SumBackward1`).
    func sumAlong(dim: Int, keepdim: Bool = false) -> Tensor {
        if rank == 0 { return sum() }
        let d = normalize(dim), original = shape
        let keep = reducedShape(d, keepdim: true)
        let storage = self.storage.map(dtype, { ReductionKernels.sum($0, original, to: keep) },
                                       { ReductionKernels.sum($0, original, to: keep) })
        return Tensor.result(storage, reducedShape(d, keepdim: keepdim), dtype, inputs: [self], name: "SumBackward1") { g in
            [(keepdim ? g : g.unsqueezing(d)).expand(original)]
        }
    }

    /// The mean of all elements (`MeanBackward0`).
    public func mean() -> Tensor {
        let n = Double(count), original = shape
        let total = noGrad { detach().sum() }
        let storage = total.storage.map(dtype, { $0.map { $0 / Float(n) } }, { $0.map { $0 / n } })
        return Tensor.result(storage, [], dtype, inputs: [self], name: "MeanBackward0") { g in [g.expand(original) / n] }
    }

    /// The mean along `dim` (`MeanBackward1`).
    func meanAlong(dim: Int, keepdim: Bool = false) -> Tensor {
        if rank == 0 { return mean() }
        let d = normalize(dim), original = shape, n = Double(shape[d])
        let total = noGrad { detach().sumAlong(dim: d, keepdim: keepdim) }
        let storage = total.storage.map(dtype, { $0.map { $0 / Float(n) } }, { $0.map { $0 / n } })
        return Tensor.result(storage, total.shape, dtype, inputs: [self], name: "MeanBackward1") { g in
            [(keepdim ? g : g.unsqueezing(d)).expand(original) / n]
        }
    }

    /// The largest element. Ties share the gradient evenly, as PyTorch does (`MaxBackward1`).
    /// An empty tensor has none: that throws PyTorch's message.
    public func max() throws -> Tensor { try extremum(largest: true) }

    /// The smallest element (`MinBackward1`).
    public func min() throws -> Tensor { try extremum(largest: false) }

    private func extremum(largest: Bool) throws -> Tensor {
        guard count > 0 else {
            throw AutogradError("\(largest ? "max" : "min")(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with the 'dim' argument.")
        }
        let flat = detach().reshape([count])
        let (values, _) = flat.extremumValues(dim: 0, largest: largest)
        let best = values[0]
        let name = largest ? "MaxBackward1" : "MinBackward1"
        let storage = TensorStorage([best], dtype: dtype)
        guard Tensor.needsDerivative(self) else { return Tensor.result(storage, [], dtype, inputs: [], name: name) { _ in [] } }
        // PyTorch saves the input and the result.
        let saved = SavedTensor(self)
        let savedOut = SavedTensor(output: storage, shape: [], dtype: dtype, name: name)
        return Tensor.result(storage, [], dtype, inputs: [self], name: name, saving: [saved, savedOut]) { g in
            let x = try saved.unpack()
            _ = try savedOut.unpack()
            let mask = best.isNaN ? x.isNaN() : x.constant(.equal(best))
            let share = mask / mask.sum().scalarValue
            // masked_fill in PyTorch: the other elements get 0 even when g is NaN or infinite.
            return [Tensor.masked(g.expand(x.shape), share)]
        }
    }

    /// The largest values along `d`, kept as size 1, as a constant (no graph): the shift that
    /// makes softmax stable, and the infinity norm. An empty dimension gives zeros.
    func maxValues(along d: Int) -> Tensor {
        if rank == 0 { return detach() }
        return Tensor(extremumValues(dim: d, largest: true).0, shape: reducedShape(d, keepdim: true), dtype: dtype)
    }

    private func extremumValues(dim d: Int, largest: Bool) -> ([Double], [Int]) {
        if dtype == .float64 {
            return ReductionKernels.extremum(storage.doubles, shape, dim: d, largest: largest)
        }
        let (v, i) = ReductionKernels.extremum(storage.floats, shape, dim: d, largest: largest)
        return (v.map { Double($0) }, i)
    }

    /// The largest values along `dim` and where they are (`MaxBackward0`): the gradient goes to
    /// the first position of each maximum. Throws for a dimension out of range or of size 0.
    public func max(dim: Int, keepdim: Bool = false) throws -> (values: Tensor, indices: [Int]) {
        try extremum(dim: dim, keepdim: keepdim, largest: true)
    }

    /// The smallest values along `dim` and where they are (`MinBackward0`).
    public func min(dim: Int, keepdim: Bool = false) throws -> (values: Tensor, indices: [Int]) {
        try extremum(dim: dim, keepdim: keepdim, largest: false)
    }

    private func extremum(dim: Int, keepdim: Bool, largest: Bool) throws -> (values: Tensor, indices: [Int]) {
        let name = largest ? "MaxBackward0" : "MinBackward0"
        let d = try checkedDim(dim)
        if rank > 0 && shape[d] == 0 {
            throw AutogradError("\(largest ? "max" : "min")(): Expected reduction dim \(d) to have non-zero size.")
        }
        if rank == 0 {
            // A 0-d tensor is its own extremum along dim 0 (or -1), at index 0.
            let out = Tensor.result(storage.copy(), [], dtype, inputs: [self], name: name,
                                    saving: [SavedTensor(Tensor(0.0), counted: true)]) { g in [g] }
            return (out, [0])
        }
        let original = shape
        let (values, indices) = extremumValues(dim: d, largest: largest)
        // A one-hot mask of the chosen positions carries the gradient back (PyTorch saves the indices).
        var onehot = [Double](repeating: 0, count: count)
        let size = shape[d], inner = Shape.count(Array(shape[(d + 1)...]))
        for (k, at) in indices.enumerated() {
            let o = k / inner, i = k % inner
            onehot[(o * size + at) * inner + i] = 1
        }
        let saved = Tensor.needsDerivative(self) ? SavedTensor(Tensor(onehot, shape: original, dtype: dtype)) : nil
        let out = Tensor.result(TensorStorage(values, dtype: dtype), reducedShape(d, keepdim: keepdim), dtype,
                                inputs: [self], name: name, saving: [saved]) { g in
            // A scatter in PyTorch: the other elements get 0 even when g is NaN or infinite.
            [Tensor.masked((keepdim ? g : g.unsqueezing(d)).expand(original), try saved!.unpack())]
        }
        return (out, indices)
    }

    /// The vector p-norm of all elements, or along `dim` (`torch.linalg.vector_norm`).
    /// `p` may be 1, 2, any positive number, or `.infinity`. The backward pass is PyTorch's
    /// `norm_backward`, step for step, so kinks (zero entries, a zero norm) give PyTorch's values
    /// in first and second order.
    func vectorNorm(_ p: Double = 2, dim: Int? = nil, keepdim: Bool = false) -> Tensor {
        let reduce: (Tensor) -> Tensor = { t in dim.map { t.sumAlong(dim: $0, keepdim: keepdim) } ?? t.sum() }
        let value: Tensor = noGrad {
            if p == 2 && dim == nil { return sumOfSquares().sqrt() }
            let a = detach().abs()
            if p == .infinity {
                if let dim {
                    let d = normalize(dim)
                    let m = a.maxValues(along: d)
                    return keepdim || self.rank == 0 ? m : m.squeezing(d)
                }
                return a.reshape([-1]).maxValues(along: 0).reshape([])
            }
            if p == 1 { return reduce(a) }
            if p == 2 { return reduce(a * a).sqrt() }
            return reduce(a.pow(p)).pow(1 / p)
        }
        guard Tensor.needsDerivative(self) else { return value }
        let saved = SavedTensor(self)
        let savedNorm = SavedTensor(output: value.storage, shape: value.shape, dtype: dtype, name: "LinalgVectorNormBackward0")
        let rank = self.rank
        return Tensor.result(value.storage, value.shape, dtype, inputs: [self], name: "LinalgVectorNormBackward0",
                             saving: [saved, savedNorm]) { g in
            let x = try saved.unpack()
            var n = try savedNorm.unpack(), g = g
            if let dim, !keepdim, rank != 0 { g = g.unsqueezing(dim); n = n.unsqueezing(dim) }
            return [Tensor.normBackward(g, x, p, n, dim: dim)]
        }
    }

    /// PyTorch's `norm_backward` for a norm `n` (reduced dimension kept) of `x`.
    private static func normBackward(_ g: Tensor, _ x: Tensor, _ p: Double, _ n: Tensor, dim: Int?) -> Tensor {
        let zero = Tensor.zeros([], dtype: x.dtype)
        func maskedFill(_ t: Tensor, _ mask: Tensor) -> Tensor { Tensor.where(mask, zero, t) }
        if p == 1 { return x.sign() * g }
        if p == 2 { return g * maskedFill(x / n, n.eq(0)) }
        if p == .infinity {
            let a = x.abs()
            let mask = (a.eq(n) + a.isNaN()).gt(0)
            return x.sign() * ((g / reduceKeep(mask, dim)) * mask)
        }
        if p < 1 {
            let scaled = x.sign() * maskedFill(x.abs().pow(p - 1), x.eq(0))
            return scaled * g * n.pow(1 - p)
        }
        let scaled = p < 2 ? x.sign() * x.abs().pow(p - 1) : x * x.abs().pow(p - 2)
        let scale = maskedFill(g / n.pow(p - 1), n.eq(0))
        return scaled * scale
    }

    /// Σx² in one pass (accumulated in Double): the 2-norm that clipping computes every step.
    private func sumOfSquares() -> Tensor {
        let acc = dtype == .float64
            ? storage.doubles.withUnsafeBufferPointer { ReductionKernels.sumOfSquares($0) }
            : storage.floats.withUnsafeBufferPointer { ReductionKernels.sumOfSquares($0) }
        return Tensor(acc, dtype: dtype)
    }

    /// `softmax` along `dim`: exponentials normalised to sum to 1, computed stably
    /// (`SoftmaxBackward0`: dx = y ⊙ (g − Σ g⊙y)). Saves its output only, as PyTorch does.
    func softmaxAlong(dim: Int) -> Tensor {
        let d = normalize(dim)
        let y = noGrad { () -> Tensor in
            let e = (detach() - maxValues(along: d)).exp()
            return e / e.sumAlong(dim: d, keepdim: true)
        }
        return savingOutput(y.storage, name: "SoftmaxBackward0") { g, y in Tensor.softmaxBackward(g, y, dim: d) }
    }

    /// `log_softmax` along `dim`: `x - logsumexp(x)`, computed stably
    /// (`LogSoftmaxBackward0`: dx = g − softmax(x) Σ g). Saves its output only.
    func logSoftmaxAlong(dim: Int) -> Tensor {
        let d = normalize(dim)
        let y = noGrad { () -> Tensor in
            let shifted = detach() - maxValues(along: d)
            return shifted - shifted.exp().sumAlong(dim: d, keepdim: true).log()
        }
        return savingOutput(y.storage, name: "LogSoftmaxBackward0") { g, y in Tensor.logSoftmaxBackward(g, y, dim: d) }
    }

    /// `y ⊙ (g − Σ g⊙y)`, PyTorch's `_softmax_backward_data`, recorded as one node
    /// (`SoftmaxBackwardDataBackward0`) when the backward pass is.
    static func softmaxBackward(_ g: Tensor, _ y: Tensor, dim d: Int) -> Tensor {
        let value = noGrad { () -> Tensor in
            let (g, y) = (g.detach(), y.detach())
            return y * (g - (g * y).sumAlong(dim: d, keepdim: true))
        }
        guard Tensor.needsDerivative(g, y) else { return value }
        let savedG = SavedTensor(g), savedY = SavedTensor(y)
        return result(value.storage, value.shape, value.dtype, inputs: [g, y], name: "SoftmaxBackwardDataBackward0",
                      saving: [savedG, savedY]) { gg in
            let g = try savedG.unpack(), y = try savedY.unpack()
            // PyTorch's softmax_double_backward for the output.
            let dy = g * gg - (y * g).sumAlong(dim: d, keepdim: true) * gg - g * (y * gg).sumAlong(dim: d, keepdim: true)
            return [softmaxBackward(gg, y, dim: d), dy]
        }
    }

    /// `g − exp(y) Σ g`, PyTorch's `_log_softmax_backward_data`, recorded as one node
    /// (`LogSoftmaxBackwardDataBackward0`) when the backward pass is.
    static func logSoftmaxBackward(_ g: Tensor, _ y: Tensor, dim d: Int) -> Tensor {
        let value = noGrad { () -> Tensor in
            let (g, y) = (g.detach(), y.detach())
            return g - y.exp() * g.sumAlong(dim: d, keepdim: true)
        }
        guard Tensor.needsDerivative(g, y) else { return value }
        let savedG = SavedTensor(g), savedY = SavedTensor(y)
        return result(value.storage, value.shape, value.dtype, inputs: [g, y], name: "LogSoftmaxBackwardDataBackward0",
                      saving: [savedG, savedY]) { gg in
            let g = try savedG.unpack(), y = try savedY.unpack()
            // PyTorch's log_softmax_double_backward for the output.
            let z = y.exp()
            let dy = z * g.sumAlong(dim: d, keepdim: true) * ((gg * z).sumAlong(dim: d, keepdim: true) - gg)
            // The map g ↦ g − z Σ g is not symmetric: its transpose is gg ↦ gg − Σ (gg z).
            return [gg - (gg * z).sumAlong(dim: d, keepdim: true), dy]
        }
    }
}

private func reduceKeep(_ t: Tensor, _ dim: Int?) -> Tensor {
    dim.map { t.sumAlong(dim: $0, keepdim: true) } ?? t.sum()
}
