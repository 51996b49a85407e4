import Foundation

/// Products: `prod` over everything or one dimension, and the running product `cumprod`.
///
/// Their gradients are where zeros bite: dividing the product by an element is exact only when
/// no element is zero. The backward rules below follow PyTorch's (`prod_backward`,
/// `prod_safe_zeros_backward`, `cumprod_backward` in `FunctionsManual.cpp`) case by case,
/// including which formula runs when the backward pass is itself recorded (`createGraph`), so
/// second-order gradients at zeros, and the NaN an infinite incoming gradient makes, land on
/// the same entries as PyTorch's.
extension Tensor {
    // MARK: prod

    /// The product of all elements (`ProdBackward0`).
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
        let keep = Tensor.needsDerivative(self)
        let saved = keep ? SavedTensor(self) : nil
        let outShape = outputShape(dims, keepdim: keepdim)
        let savedResult = keep ? SavedTensor(output: storage, shape: outShape, dtype: dtype, name: name) : nil
        return Tensor.result(storage, outShape, dtype, inputs: [self], name: name, saving: [saved, savedResult]) { g in
            let x = try saved!.unpack()
            if x.rank == 0 { return [g] }
            let zeros = x.scalars.reduce(0) { $1 == 0 ? $0 + 1 : $0 }
            let r = try savedResult!.unpack()
            if name == "ProdBackward0" {
                if zeros == 0 { return [g * (r / x)] }
                // With two zeros every first derivative is 0, but not every second one.
                if !isGradEnabled && zeros > 1 { return [Tensor.zerosLike(x)] }
                return [try Tensor.prodSafeZerosBackward(g, x.reshape([-1]), dim: 0).reshape(x.shape)]
            }
            let d = dims[0]
            let gk = keepdim ? g : g.unsqueezing(d)
            if zeros == 0 { return [gk * ((keepdim ? r : r.unsqueezing(d)) / x)] }
            return [try Tensor.prodSafeZerosBackward(gk, x, dim: d)]
        }
    }

    /// The gradient of a product along `dim` without dividing: each element's gradient is the
    /// product of the elements before it times the product of those after it, two exclusive
    /// running products (`[1, a, ab]` and `[bc, c, 1]` for `[a, b, c]`).
    static func prodSafeZerosBackward(_ g: Tensor, _ x: Tensor, dim d: Int) throws -> Tensor {
        if x.count == 0 { return g.expand(x.shape) }
        let n = x.shape[d]
        if n == 1 { return g }
        var onesShape = x.shape
        onesShape[d] = 1
        let ones = Tensor.ones(onesShape, dtype: g.dtype)
        let before = try Tensor.concatenating([ones, x.slice(dim: d, end: n - 1)], dim: d).cumprod(dim: d)
        let after = try Tensor.concatenating([ones, x.slice(dim: d, start: 1).flip(dims: [d])], dim: d)
            .cumprod(dim: d).flip(dims: [d])
        return g * (before * after)
    }

    // MARK: cumprod

    /// Running products along `dim` (`CumprodBackward0`): element `k` is `x[0] * … * x[k]`.
    /// Accumulated in Double, as PyTorch's CPU kernel accumulates float32.
    public func cumprod(dim: Int) throws -> Tensor {
        let d = try checkedDim(dim)
        var values = scalars
        if rank > 0 {
            Tensor.forEachLine(shape, dim: d) { line in
                var acc = 1.0
                for at in line {
                    acc *= values[at]
                    values[at] = acc
                }
            }
        }
        let storage = TensorStorage(values, dtype: dtype)
        let keep = Tensor.needsDerivative(self)
        let saved = keep ? SavedTensor(self) : nil
        let savedResult = keep ? SavedTensor(output: storage, shape: shape, dtype: dtype, name: "CumprodBackward0") : nil
        return Tensor.result(storage, shape, dtype, inputs: [self], name: "CumprodBackward0", saving: [saved, savedResult]) { g in
            [try Tensor.cumprodBackward(g, try saved!.unpack(), dim: d, output: try savedResult!.unpack())]
        }
    }

    /// PyTorch's three cases: no zero, a reversed running sum divided by the input; a zero and
    /// no recorded backward, an O(n) formula per line up to the second zero; a recorded backward,
    /// the O(n²) formula built from differentiable operations, whose own derivative is right.
    static func cumprodBackward(_ g: Tensor, _ x: Tensor, dim d: Int, output r: Tensor) throws -> Tensor {
        if x.count <= 1 || x.shape[d] == 1 { return g }
        let w = r * g
        if !x.scalars.contains(0) {
            return try w.flip(dims: [d]).cumsum(dim: d).flip(dims: [d]) / x
        }
        if !isGradEnabled {
            return cumprodBackwardWithZeros(g.scalars, x.scalars, output: r.scalars, w: w.scalars, shape: x.shape, dim: d, dtype: g.dtype)
        }
        let n = x.shape[d]
        var onesShape = x.shape
        onesShape[d] = 1
        let ones = Tensor.ones(onesShape, dtype: g.dtype)
        var slices: [Tensor] = []
        for k in 0..<n {
            // The products x[0..<k] and x[k+1...j] for every j >= k: dy_j/dx_k without x_k.
            let omitted: Tensor
            if k == 0 {
                omitted = Tensor.concatenating([ones, try x.slice(dim: d, start: 1).cumprod(dim: d)], dim: d)
            } else {
                let until = try x.slice(dim: d, end: k).prod(dim: d, keepdim: true)
                if k == n - 1 {
                    omitted = until
                } else {
                    let from = try x.slice(dim: d, start: k + 1).cumprod(dim: d)
                    omitted = Tensor.concatenating([until, until.expand(from.shape) * from], dim: d)
                }
            }
            slices.append(try (g.slice(dim: d, start: k) * omitted).sumAlong(dim: d))
        }
        return Tensor.stacking(slices, dim: d)
    }

    /// The O(n) gradient of a running product with zeros, line by line: before the first zero
    /// as without zeros; at the first zero, the running products up to the second zero weighted
    /// by the incoming gradient; after it, 0 (masked, so an infinite gradient there is no NaN).
    private static func cumprodBackwardWithZeros(_ g: [Double], _ x: [Double], output r: [Double], w: [Double],
                                                 shape: [Int], dim d: Int, dtype: DType) -> Tensor {
        var out = [Double](repeating: 0, count: x.count)
        forEachLine(shape, dim: d) { line in
            guard let first = line.firstIndex(where: { x[$0] == 0 }) else {
                var acc = 0.0
                for at in line.reversed() { acc += w[at]; out[at] = acc / x[at] }
                return
            }
            var acc = 0.0
            for k in stride(from: first - 1, through: 0, by: -1) {
                acc += w[line[k]]
                out[line[k]] = acc / x[line[k]]
            }
            var product = 1.0, total = 0.0
            var zerosSeen = 0
            for (k, at) in line.enumerated() {
                if x[at] == 0 { zerosSeen += 1 }
                if k > first && zerosSeen == 1 { product *= x[at] }
                total += product * (zerosSeen == 1 ? g[at] : 0)
            }
            out[line[first]] = total * (first > 0 ? r[line[first - 1]] : 1)
        }
        return Tensor(out, shape: shape, dtype: dtype)
    }

    /// Calls `body` with the flat positions of each line along `dim`, in order along it.
    static func forEachLine(_ shape: [Int], dim d: Int, _ body: ([Int]) -> Void) {
        let size = shape[d], inner = Shape.count(Array(shape[(d + 1)...])), outer = Shape.count(Array(shape[..<d]))
        var line = [Int](repeating: 0, count: size)
        for o in 0..<outer {
            for i in 0..<inner {
                for k in 0..<size { line[k] = (o * size + k) * inner + i }
                body(line)
            }
        }
    }
}
