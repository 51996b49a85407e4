/// Matrix products: `matmul` and `@`-like `matmul(_:)` for vectors, matrices and batches.
extension Tensor {
    /// The matrix product, as `torch.matmul`: 1-D · 1-D is a dot product (`DotBackward0`),
    /// 2-D × 2-D a matrix product (`MmBackward0`), 2-D × 1-D a matrix-vector product
    /// (`MvBackward0`), and higher ranks a batched product with broadcast batch dimensions.
    public func matmul(_ other: Tensor) -> Tensor {
        let a = self, b = other
        precondition(a.rank >= 1 && b.rank >= 1, "both arguments to matmul need to be at least 1D, but they are \(a.rank)D and \(b.rank)D")
        switch (a.rank, b.rank) {
        case (1, 1):
            precondition(a.count == b.count, "inconsistent tensor size, expected tensor [\(a.count)] and src [\(b.count)] to have the same number of elements, but got \(a.count) and \(b.count) elements respectively")
            return Tensor.mm(a.reshape([1, a.count]), b.reshape([b.count, 1]), name: "DotBackward0", aShape: a.shape, bShape: b.shape)
        case (2, 1):
            return Tensor.mm(a, b.reshape([b.count, 1]), name: "MvBackward0", aShape: a.shape, bShape: b.shape)
        case (1, 2):
            return Tensor.mm(a.reshape([1, a.count]), b, name: "MmBackward0", aShape: a.shape, bShape: b.shape)
        case (2, 2):
            return Tensor.mm(a, b, name: "MmBackward0", aShape: a.shape, bShape: b.shape)
        default:
            return Tensor.batchedMatmul(a, b)
        }
    }

    /// The product of two matrices, reshaped to the result shape the caller's ranks call for.
    /// The backward rule is the classic pair: dA = G Bᵀ, dB = Aᵀ G.
    /// With an inner size of 1 each entry is a single product. Its sign when it is zero depends on
    /// which kernel PyTorch picks: MKL's matrix product gives the product itself (`-x · 0` is
    /// -0.0), its matrix-vector product and PyTorch's own small batched kernel a sum started at
    /// +0.0. `oneTermIsProduct` says which; by default, a matrix product with more than one row
    /// and more than one column.
    static func mm(_ a: Tensor, _ b: Tensor, name: String, aShape: [Int], bShape: [Int], oneTermIsProduct: Bool? = nil) -> Tensor {
        let m = a.shape[0], k = a.shape[1], n = b.shape[1]
        precondition(b.shape[0] == k, "mm: mat1 and mat2 shapes cannot be multiplied (\(m)x\(k) and \(b.shape[0])x\(n))")
        let dtype = DType.promote(a.dtype, b.dtype)
        let computeType = ThreadState.current.autocastDType ?? dtype
        let a2 = a.dtype == computeType ? a : a.to(computeType), b2 = b.dtype == computeType ? b : b.to(computeType)
        let storage = k == 1 && (oneTermIsProduct ?? (m > 1 && n > 1))
            ? a2.storage.zip(b2.storage, computeType, { Tensor.outerProduct($0, $1) }, { Tensor.outerProduct($0, $1) })
            : a2.storage.zip(b2.storage, computeType,
                             { MatrixProduct.multiply($0, $1, m: m, k: k, n: n) },
                             { MatrixProduct.multiply($0, $1, m: m, k: k, n: n) })
        var outShape = [m, n]
        if aShape.count == 1 { outShape.removeFirst() }
        if bShape.count == 1 { outShape.removeLast() }
        let savedA = b.requiresGrad ? SavedTensor(a) : nil, savedB = a.requiresGrad ? SavedTensor(b) : nil
        return result(storage, outShape, computeType, inputs: [a, b], name: name, saving: [savedA, savedB]) { g in
            let g2 = g.shaped([m, n])
            if isGradEnabled {
                // Recording the backward pass (createGraph): differentiable products.
                let da = try savedB.map { g2.matmul((try $0.unpack()).T).shaped(a.shape) }
                let db = try savedA.map { (try $0.unpack()).T.matmul(g2).shaped(b.shape) }
                return [da, db]
            }
            // dA = G Bᵀ and dB = Aᵀ G, with the transposes absorbed by the kernel: no copies.
            let da = try savedB.map { Tensor.product(g2, try $0.unpack(), transposeB: true).reshape(a.shape) }
            let db = try savedA.map { Tensor.product(try $0.unpack(), g2, transposeA: true).reshape(b.shape) }
            return [da, db]
        }
    }

    /// Every product `a[i] · b[j]`, row by row.
    private static func outerProduct<T: FloatingPoint>(_ a: [T], _ b: [T]) -> [T] {
        var out: [T] = []
        out.reserveCapacity(a.count * b.count)
        for x in a { for y in b { out.append(x * y) } }
        return out
    }

    /// `reshape`, but no node at all when the shape is already right.
    func shaped(_ target: [Int]) -> Tensor { shape == target ? self : reshape(target) }

    /// `op(a) · op(b)` for matrices, recording nothing: the products inside backward rules.
    static func product(_ a: Tensor, _ b: Tensor, transposeA: Bool = false, transposeB: Bool = false) -> Tensor {
        let dtype = DType.promote(a.dtype, b.dtype)
        let a = a.dtype == dtype ? a : a.to(dtype), b = b.dtype == dtype ? b : b.to(dtype)
        let m = transposeA ? a.shape[1] : a.shape[0], k = transposeA ? a.shape[0] : a.shape[1]
        let n = transposeB ? b.shape[0] : b.shape[1]
        let storage = a.storage.zip(b.storage, dtype,
            { MatrixProduct.multiply($0, $1, m: m, k: k, n: n, transposeA: transposeA, transposeB: transposeB) },
            { MatrixProduct.multiply($0, $1, m: m, k: k, n: n, transposeA: transposeA, transposeB: transposeB) })
        if dtype == .float16 { storage.roundToHalf() }
        return Tensor(storage: storage, shape: [m, n], dtype: dtype)
    }

    /// Batched matrix product with broadcast batch dimensions (`BmmBackward0`).
    static func batchedMatmul(_ a: Tensor, _ b: Tensor) -> Tensor {
        let a3 = a.rank == 1 ? a.unsqueezing(0) : a, b3 = b.rank == 1 ? b.unsqueezing(1) : b
        let m = a3.shape[a3.rank - 2], k = a3.shape[a3.rank - 1], n = b3.shape[b3.rank - 1]
        precondition(b3.shape[b3.rank - 2] == k, "Expected size for first two dimensions of batch2 tensor to be: [\(k)] but got: [\(b3.shape[b3.rank - 2])].")
        let batch = broadcastShape(Array(a3.shape.dropLast(2)), Array(b3.shape.dropLast(2)))
        let ae = a3.expand(batch + [m, k]), be = b3.expand(batch + [k, n])
        let count = Shape.count(batch)
        // How PyTorch 2.15 dispatches (measured): a batch on the left is folded into the rows of
        // one matrix product (or a matrix-vector one); a matrix on the left of a batch is folded,
        // transposed, when it requires grad; everything else goes to the batched kernel.
        let oneTermIsProduct: Bool
        if a.rank >= 3 && b.rank <= 2 {
            oneTermIsProduct = b.rank == 2 && count * m > 1 && n > 1
        } else if a.rank <= 2 && b.rank >= 3 {
            oneTermIsProduct = a.rank == 2 && a.requiresGrad && count * n > 1 && m > 1
        } else {
            oneTermIsProduct = false
        }
        let aFlat = ae.reshape([count, m, k]), bFlat = be.reshape([count, k, n])
        let products = (0..<count).map { Tensor.mm(try! aFlat.select(dim: 0, index: $0), try! bFlat.select(dim: 0, index: $0), name: "BmmBackward0", aShape: [m, k], bShape: [k, n], oneTermIsProduct: oneTermIsProduct) }
        var out = Tensor.stacking(products, dim: 0).reshape(batch + [m, n])
        if a.rank == 1 { out = out.squeezing(-2) }
        if b.rank == 1 { out = out.squeezing(-1) }
        return out
    }

    /// The dot product of two vectors.
    public func dot(_ other: Tensor) -> Tensor { matmul(other) }
}
