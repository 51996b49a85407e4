import Foundation

/// Reductions over one or several dimensions: `amax`/`amin`, `logsumexp`, `var`/`std`,
/// and the running sum `cumsum`. Dimensions may be negative; an empty or nil list means every
/// dimension, as in PyTorch. Out-of-range or repeated dimensions throw PyTorch's message.
extension Tensor {
    /// The dimensions `dims` normalised and checked (nil or empty: all of them).
    func reductionDims(_ dims: [Int]?) throws -> [Int] {
        guard let dims, !dims.isEmpty else { return Array(0..<rank) }
        var seen = Set<Int>()
        return try dims.map { dim in
            let d = try checkedDim(dim)
            guard seen.insert(d).inserted else { throw AutogradError("dim \(d) appears multiple times in the list of dims") }
            return d
        }.filter { $0 < rank }
    }

    /// `dim` counted from the end when negative, or PyTorch's `IndexError` text.
    func checkedDim(_ dim: Int, rank: Int? = nil) throws -> Int {
        let r = Swift.max(rank ?? self.rank, 1)
        let d = dim < 0 ? dim + r : dim
        guard d >= 0 && d < r else {
            throw AutogradError("Dimension out of range (expected to be in range of [\(-r), \(r - 1)], but got \(dim))")
        }
        return d
    }

    /// The shape with `dims` reduced to 1.
    func keptShape(_ dims: [Int]) -> [Int] {
        var s = shape
        for d in dims { s[d] = 1 }
        return s
    }

    /// The shape with `dims` removed (or kept as 1).
    func outputShape(_ dims: [Int], keepdim: Bool) -> [Int] {
        keepdim ? keptShape(dims) : shape.enumerated().filter { !dims.contains($0.offset) }.map(\.element)
    }

    /// The values of each reduced group, in row-major order of the kept shape.
    private func groups(_ dims: [Int]) -> [[Double]] {
        let keep = keptShape(dims)
        var out = [[Double]](repeating: [], count: Shape.count(keep))
        let values = scalars
        let to = Shape.broadcastStrides(keep, to: shape)
        Shape.forEachBroadcast(shape, to, [Int](repeating: 0, count: rank)) { i, o, _ in out[o].append(values[i]) }
        return out
    }

    /// A gradient of the output shape, viewed with the reduced dimensions as size 1.
    func restoreDims(_ g: Tensor, _ dims: [Int], keepdim: Bool) -> Tensor {
        keepdim || rank == 0 ? g : g.reshape(keptShape(dims))
    }

    /// A reduction computed per group, in `dtype`, in row-major order of the kept groups (the same
    /// values whether or not the reduced dimensions are kept).
    func reduced(_ dims: [Int], _ f: ([Double]) -> Double) -> TensorStorage {
        TensorStorage(groups(dims).map(f), dtype: dtype)
    }

    /// Throws PyTorch's message for reducing an empty dimension that has no identity.
    private func requireNonEmpty(_ dims: [Int], name: String) throws {
        if let d = dims.first(where: { shape[$0] == 0 }) {
            throw AutogradError("\(name)(): Expected reduction dim \(d) to have non-zero size.")
        }
    }

    // MARK: amax / amin

    /// The largest value over `dims` (all when nil) (`AmaxBackward0`). Unlike `max`, ties share
    /// the gradient evenly, and NaN wins.
    public func amax(dims: [Int]? = nil, keepdim: Bool = false) throws -> Tensor { try extreme(dims, keepdim, largest: true) }

    /// `amax` over one dimension.
    public func amax(dim: Int, keepdim: Bool = false) throws -> Tensor { try amax(dims: [dim], keepdim: keepdim) }

    /// The smallest value over `dims` (all when nil) (`AminBackward0`).
    public func amin(dims: [Int]? = nil, keepdim: Bool = false) throws -> Tensor { try extreme(dims, keepdim, largest: false) }

    /// `amin` over one dimension.
    public func amin(dim: Int, keepdim: Bool = false) throws -> Tensor { try amin(dims: [dim], keepdim: keepdim) }

    private func extreme(_ dims: [Int]?, _ keepdim: Bool, largest: Bool) throws -> Tensor {
        let ds = try reductionDims(dims)
        let name = largest ? "amax" : "amin"
        if count == 0 {
            if dims == nil || dims!.isEmpty {
                throw AutogradError("\(name)(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with the 'dim' argument.")
            }
            try requireNonEmpty(ds, name: name)
        }
        let storage = reduced(ds) { g in
            if g.contains(where: \.isNaN) { return .nan }
            return largest ? g.max()! : g.min()!
        }
        let keep = keptShape(ds), original = shape
        let best = Tensor(storage: storage, shape: keep, dtype: dtype)
        let mask = noGrad { self.detach().eq(best) }
        let counts = noGrad { mask.sumOver(ds) }
        // PyTorch saves the input and the result (the mask here is computed from them once).
        let nodeName = largest ? "AmaxBackward0" : "AminBackward0", outShape = outputShape(ds, keepdim: keepdim)
        let keeps = Tensor.needsDerivative(self)
        let saved = keeps ? [SavedTensor(self), SavedTensor(output: storage, shape: outShape, dtype: dtype, name: nodeName)] : []
        return Tensor.result(storage, outShape, dtype, inputs: [self], name: nodeName, saving: saved) { g in
            for s in saved { _ = try s.unpack() }
            return [(self.restoreDims(g, ds, keepdim: keepdim) / counts).expand(original) * mask]
        }
    }

    /// Sums over several dimensions, keeping them as size 1.
    func sumOver(_ dims: [Int]) -> Tensor {
        if rank == 0 { return self }
        return dims.reduce(self) { $0.sumAlong(dim: $1, keepdim: true) }
    }

    // MARK: logsumexp

    /// `log(Σ exp(x))` over `dims`, computed without overflow (`LogsumexpBackward0`).
    public func logsumexp(dims: [Int], keepdim: Bool = false) throws -> Tensor {
        let ds = try reductionDims(dims)
        let storage = reduced(ds) { g in
            guard let m = g.max() else { return -.infinity }
            if g.contains(where: \.isNaN) { return .nan }
            let shift = m.isInfinite ? 0 : m
            if self.dtype == .float32 {
                // Step by step in float32, as PyTorch computes it: near 0 (the logsumexp of a
                // log-softmax) the rounding of each step is the whole answer.
                let s = Float(shift)
                return Double(Foundation.log(g.reduce(Float(0)) { $0 + Foundation.exp(Float($1) - s) }) + s)
            }
            return Foundation.log(g.reduce(0) { $0 + Foundation.exp($1 - shift) }) + shift
        }
        let keep = keptShape(ds), outShape = outputShape(ds, keepdim: keepdim)
        let keeps = Tensor.needsDerivative(self)
        let saved = keeps ? SavedTensor(self) : nil
        let savedResult = keeps ? SavedTensor(output: storage, shape: outShape, dtype: dtype, name: "LogsumexpBackward0") : nil
        return Tensor.result(storage, outShape, dtype, inputs: [self], name: "LogsumexpBackward0",
                             saving: [saved, savedResult]) { g in
            let x = try saved!.unpack()
            let r = try savedResult!.unpack()
            return [self.restoreDims(g, ds, keepdim: keepdim) * (x - r.shaped(keep)).exp()]
        }
    }

    /// `logsumexp` over one dimension.
    public func logsumexp(dim: Int, keepdim: Bool = false) throws -> Tensor { try logsumexp(dims: [dim], keepdim: keepdim) }

    // MARK: var / std

    /// The variance over `dims` (all when nil), dividing by `N - correction` (`VarBackward0`).
    /// With no degrees of freedom left the result is NaN or inf, as in PyTorch.
    public func `var`(dims: [Int]? = nil, correction: Double = 1, keepdim: Bool = false) throws -> Tensor {
        let ds = try reductionDims(dims)
        let (value, n) = varianceValues(ds, correction)
        let saved = Tensor.needsDerivative(self) ? SavedTensor(self) : nil
        let everything = dims?.isEmpty ?? true
        return Tensor.result(value, outputShape(ds, keepdim: keepdim), dtype, inputs: [self], name: "VarBackward0",
                             saving: [saved]) { g in
            let x = try saved!.unpack()
            return [Tensor.varianceBackward(self.restoreDims(g, ds, keepdim: keepdim), x, ds, n: n,
                                            correction: correction, everything: everything)]
        }
    }

    /// `var` over one dimension.
    public func `var`(dim: Int, correction: Double = 1, keepdim: Bool = false) throws -> Tensor {
        try self.var(dims: [dim], correction: correction, keepdim: keepdim)
    }

    /// The standard deviation over `dims` (`StdBackward0`). Where it is 0 the gradient is 0.
    public func std(dims: [Int]? = nil, correction: Double = 1, keepdim: Bool = false) throws -> Tensor {
        let ds = try reductionDims(dims)
        let (variance, n) = varianceValues(ds, correction)
        let value = variance.map(dtype, { $0.map { $0.squareRoot() } }, { $0.map { $0.squareRoot() } })
        let keep = keptShape(ds)
        let keeps = Tensor.needsDerivative(self), outShape = outputShape(ds, keepdim: keepdim)
        let saved = keeps ? SavedTensor(self) : nil
        let savedResult = keeps ? SavedTensor(output: value, shape: outShape, dtype: dtype, name: "StdBackward0") : nil
        let everything = dims?.isEmpty ?? true
        return Tensor.result(value, outShape, dtype, inputs: [self], name: "StdBackward0", saving: [saved, savedResult]) { g in
            let x = try saved!.unpack()
            let r = try savedResult!.unpack().shaped(keep)
            let gk = self.restoreDims(g, ds, keepdim: keepdim)
            let gradVar = Tensor.where(r.detach().eq(0), Tensor.zerosLike(r), gk / (r * 2))
            return [Tensor.varianceBackward(gradVar, x, ds, n: n, correction: correction, everything: everything)]
        }
    }

    /// PyTorch's `var_backward`: `2 / (N - correction) · g · (x - mean)`. Over every element with no
    /// degree of freedom left, the factor is infinite, so the gradient is `g` times NaN where x
    /// equals its mean and inf elsewhere, constants that carry no second derivative. Over given
    /// dimensions the factor divides by `N - correction` as it is, even when that is negative.
    static func varianceBackward(_ g: Tensor, _ x: Tensor, _ ds: [Int], n: Double, correction: Double, everything: Bool) -> Tensor {
        if everything || x.rank == 0 {
            let dof = Double(x.count) - correction
            if dof <= 0 {
                let factor = noGrad { () -> Tensor in
                    let at = x.detach()
                    return Tensor.where(at.eq(at.mean()), Tensor.fullLike(at, .nan), Tensor.fullLike(at, .infinity))
                }
                return g * factor
            }
            return (2 / dof) * g * (x - x.mean())
        }
        return (2 / (n - correction)) * g * (x - x.sumOver(ds) / n)
    }

    /// `std` over one dimension.
    public func std(dim: Int, correction: Double = 1, keepdim: Bool = false) throws -> Tensor {
        try std(dims: [dim], correction: correction, keepdim: keepdim)
    }

    private func varianceValues(_ dims: [Int], _ correction: Double) -> (TensorStorage, Double) {
        let n = Double(dims.reduce(1) { $0 * shape[$1] })
        let storage = reduced(dims) { g in
            let mean = g.reduce(0, +) / Double(g.count)
            let ss = g.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
            return ss / Swift.max(0, Double(g.count) - correction)
        }
        return (storage, n)
    }

    // MARK: cumsum

    /// Running sums along `dim` (`CumsumBackward0`); the gradient is the running sum of the
    /// incoming gradient taken from the other end.
    public func cumsum(dim: Int) throws -> Tensor {
        let d = try checkedDim(dim)
        if rank == 0 { return Tensor.result(storage.copy(), shape, dtype, inputs: [self], name: "CumsumBackward0") { g in [g] } }
        var values = scalars
        Tensor.forEachLine(shape, dim: d) { line in
            var acc = 0.0
            for at in line {
                acc += values[at]
                values[at] = acc
            }
        }
        // Accumulated in Double, as PyTorch accumulates float sums on the CPU.
        return Tensor.result(TensorStorage(values, dtype: dtype), shape, dtype, inputs: [self], name: "CumsumBackward0") { g in
            [try g.flip(dims: [d]).cumsum(dim: d).flip(dims: [d])]
        }
    }
}
