import Foundation

/// Reductions over one or several dimensions: `amax`/`amin`, `logsumexp`, `prod`, `var`/`std`,
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
    private func keptShape(_ dims: [Int]) -> [Int] {
        var s = shape
        for d in dims { s[d] = 1 }
        return s
    }

    /// The shape with `dims` removed (or kept as 1).
    private func outputShape(_ dims: [Int], keepdim: Bool) -> [Int] {
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
    private func restoreDims(_ g: Tensor, _ dims: [Int], keepdim: Bool) -> Tensor {
        keepdim || rank == 0 ? g : g.reshape(keptShape(dims))
    }

    /// A reduction computed per group, in `dtype`, in row-major order of the kept groups (the same
    /// values whether or not the reduced dimensions are kept).
    private func reduced(_ dims: [Int], _ f: ([Double]) -> Double) -> TensorStorage {
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
        let keeps = Tensor.recording(self) || DualLevel.isActive
        let saved = keeps ? [SavedTensor(self), SavedTensor(output: storage, shape: outShape, dtype: dtype, name: nodeName)] : []
        return Tensor.result(storage, outShape, dtype, inputs: [self], name: nodeName, saving: saved) { g in
            for s in saved { _ = try s.unpack() }
            return [(self.restoreDims(g, ds, keepdim: keepdim) / counts).expand(original) * mask]
        }
    }

    /// Sums over several dimensions, keeping them as size 1.
    func sumOver(_ dims: [Int]) -> Tensor {
        if rank == 0 { return self }
        return dims.reduce(self) { $0.sum(dim: $1, keepdim: true) }
    }

    // MARK: logsumexp

    /// `log(Σ exp(x))` over `dims`, computed without overflow (`LogsumexpBackward0`).
    public func logsumexp(dims: [Int], keepdim: Bool = false) throws -> Tensor {
        let ds = try reductionDims(dims)
        let storage = reduced(ds) { g in
            guard let m = g.max() else { return -.infinity }
            if g.contains(where: \.isNaN) { return .nan }
            let shift = m.isInfinite ? 0 : m
            return Foundation.log(g.reduce(0) { $0 + Foundation.exp($1 - shift) }) + shift
        }
        let keep = keptShape(ds), outShape = outputShape(ds, keepdim: keepdim)
        let keeps = Tensor.recording(self) || DualLevel.isActive
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

    // MARK: prod

    /// The product of all elements (`ProdBackward0`). The gradient of each element is the
    /// product of all the others, exact where some are zero.
    public func prod() -> Tensor {
        let all = Array(0..<rank)
        let storage = reduced(all) { $0.reduce(1, *) }
        return prodResult(storage, dims: all, keepdim: false, name: "ProdBackward0")
    }

    /// The product along `dim` (`ProdBackward1`).
    public func prod(dim: Int, keepdim: Bool = false) throws -> Tensor {
        let d = try checkedDim(dim)
        let ds = rank == 0 ? [] : [d]
        let storage = reduced(ds) { $0.reduce(1, *) }
        return prodResult(storage, dims: ds, keepdim: keepdim, name: "ProdBackward1")
    }

    private func prodResult(_ storage: TensorStorage, dims: [Int], keepdim: Bool, name: String) -> Tensor {
        let keep = Tensor.recording(self) || DualLevel.isActive
        let saved = keep ? SavedTensor(self) : nil
        let outShape = outputShape(dims, keepdim: keepdim)
        let savedResult = keep ? SavedTensor(output: storage, shape: outShape, dtype: dtype, name: name) : nil
        return Tensor.result(storage, outShape, dtype, inputs: [self], name: name, saving: [saved, savedResult]) { g in
            let x = try saved!.unpack()
            if x.rank == 0 { return [g] }
            let gk = self.restoreDims(g, dims, keepdim: keepdim)
            // PyTorch's three cases: no zero, result / x; two or more zeros in the whole product
            // and no recorded backward, 0; otherwise the product of the others.
            let zeros = x.scalars.filter { $0 == 0 }.count
            if zeros == 0 {
                let r = self.restoreDims(try savedResult!.unpack(), dims, keepdim: keepdim)
                return [gk * (r / x)]
            }
            if name == "ProdBackward0" && !isGradEnabled && zeros > 1 {
                return [Tensor.zerosLike(x)]
            }
            let grad = gk.expand(x.shape) * x.productOfOthers(dims)
            // PyTorch computes the whole product's case on a flattened view (ViewBackward0 on top).
            return [name == "ProdBackward0" && isGradEnabled ? grad.reshape(x.shape) : grad]
        }
    }

    /// For each element, the product of the other elements of its group (`dims` reduced).
    /// Recorded with differentiable operations when the backward pass is (`createGraph`).
    private func productOfOthers(_ dims: [Int]) -> Tensor {
        if rank == 0 { return Tensor.onesLike(self) }
        if !isGradEnabled {
            // Prefix and suffix products per group: no division, so zeros are handled exactly.
            var out = [Double](repeating: 0, count: count)
            let keep = keptShape(dims)
            var members = [[Int]](repeating: [], count: Shape.count(keep))
            Shape.forEachBroadcast(shape, Shape.broadcastStrides(keep, to: shape), [Int](repeating: 0, count: rank)) { i, o, _ in
                members[o].append(i)
            }
            let values = scalars
            for group in members {
                var prefix = 1.0
                var prefixes = [Double](repeating: 1, count: group.count)
                for (k, i) in group.enumerated() { prefixes[k] = prefix; prefix *= values[i] }
                var suffix = 1.0
                for (k, i) in group.enumerated().reversed() { out[i] = prefixes[k] * suffix; suffix *= values[group[k]] }
            }
            return Tensor(out, shape: shape, dtype: dtype)
        }
        // Differentiable: for each position along the reduced dimensions, the group's product
        // with that position replaced by 1.
        let size = dims.reduce(1) { $0 * shape[$1] }
        var positions = [Int](repeating: 0, count: count)   // flat index -> its position in its group
        let inner = dims.map { shape[$0] }
        let strides = Shape.strides(shape)
        var result = Tensor.zerosLike(self)
        for i in 0..<count {
            var p = 0
            for (k, d) in dims.enumerated() { p = p * inner[k] + (i / strides[d]) % shape[d] }
            positions[i] = p
        }
        for p in 0..<size {
            let onehot = Tensor(positions.map { $0 == p ? 1 : 0 }, shape: shape, dtype: dtype)
            let replaced = Tensor.where(onehot, Tensor.onesLike(self), self)
            result = Tensor.where(onehot, replaced.prodOver(dims).expand(shape), result)
        }
        return result
    }

    /// Products over several dimensions kept as size 1, differentiably.
    private func prodOver(_ dims: [Int]) -> Tensor {
        dims.reduce(self) { t, d in (try? t.prod(dim: d, keepdim: true)) ?? t }
    }

    // MARK: var / std

    /// The variance over `dims` (all when nil), dividing by `N - correction` (`VarBackward0`).
    /// With no degrees of freedom left the result is NaN or inf, as in PyTorch.
    public func `var`(dims: [Int]? = nil, correction: Double = 1, keepdim: Bool = false) throws -> Tensor {
        let ds = try reductionDims(dims)
        let (value, n) = varianceValues(ds, correction)
        let saved = Tensor.recording(self) || DualLevel.isActive ? SavedTensor(self) : nil
        let dof = Swift.max(0, n - correction)
        return Tensor.result(value, outputShape(ds, keepdim: keepdim), dtype, inputs: [self], name: "VarBackward0",
                             saving: [saved]) { g in
            let x = try saved!.unpack()
            return [(2 / dof) * self.restoreDims(g, ds, keepdim: keepdim) * (x - x.sumOver(ds) / n)]
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
        let keeps = Tensor.recording(self) || DualLevel.isActive, outShape = outputShape(ds, keepdim: keepdim)
        let saved = keeps ? SavedTensor(self) : nil
        let savedResult = keeps ? SavedTensor(output: value, shape: outShape, dtype: dtype, name: "StdBackward0") : nil
        let dof = Swift.max(0, n - correction)
        return Tensor.result(value, outShape, dtype, inputs: [self], name: "StdBackward0", saving: [saved, savedResult]) { g in
            let x = try saved!.unpack()
            let r = try savedResult!.unpack().shaped(keep)
            let gk = self.restoreDims(g, ds, keepdim: keepdim)
            let gradVar = Tensor.where(r.detach().eq(0), Tensor.zerosLike(r), gk / (r * 2))
            return [(2 / dof) * gradVar * (x - x.sumOver(ds) / n)]
        }
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
        let size = shape[d], inner = Shape.count(Array(shape[(d + 1)...])), outer = Shape.count(Array(shape[..<d]))
        var values = scalars
        for o in 0..<outer {
            for i in 0..<inner {
                var acc = 0.0
                for k in 0..<size {
                    let at = (o * size + k) * inner + i
                    acc += values[at]
                    values[at] = acc
                }
            }
        }
        // Accumulated in Double, as PyTorch accumulates float sums on the CPU.
        return Tensor.result(TensorStorage(values, dtype: dtype), shape, dtype, inputs: [self], name: "CumsumBackward0") { g in
            [try g.flip(dims: [d]).cumsum(dim: d).flip(dims: [d])]
        }
    }
}
