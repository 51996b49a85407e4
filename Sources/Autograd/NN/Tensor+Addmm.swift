/// The fused `bias + x·w` behind `Linear`: one node (`AddmmBackward0`) instead of a product and a
/// broadcast add, as PyTorch records a linear layer on 2-D input.
extension Tensor {
    /// `bias + x · w` for a matrix `x` (m×k), a matrix `w` (k×n) and a `bias` that broadcasts to
    /// m×n (usually `[n]`). Records `AddmmBackward0`, whose backward gives the three gradients at
    /// once: `bias` gets the gradient summed to its shape, `x` gets `G wᵀ` and `w` gets `xᵀ G`.
    ///
    /// Like `matmul`, it computes in the autocast type when an autocast region is active.
    static func addmm(_ bias: Tensor, _ x: Tensor, _ w: Tensor) -> Tensor {
        precondition(x.rank == 2 && w.rank == 2, "addmm expects matrices, got \(x.rank)D and \(w.rank)D")
        let m = x.shape[0], k = x.shape[1], n = w.shape[1]
        precondition(w.shape[0] == k, "mat1 and mat2 shapes cannot be multiplied (\(m)x\(k) and \(w.shape[0])x\(n))")
        let outShape = [m, n]
        precondition(Shape.broadcast(bias.shape, outShape) == outShape,
                     "The expanded size of the tensor must match the existing size at a non-singleton dimension. Target sizes: \(outShape). Tensor sizes: \(bias.shape)")
        let dtype = DType.promote(DType.promote(bias.dtype, x.dtype), w.dtype)
        let computeType = ThreadState.current.autocastDType ?? dtype
        let b2 = bias.dtype == computeType ? bias : bias.to(computeType)
        let x2 = x.dtype == computeType ? x : x.to(computeType)
        let w2 = w.dtype == computeType ? w : w.to(computeType)

        let storage = x2.storage.zip(w2.storage, computeType,
                                     { MatrixProduct.multiply($0, $1, m: m, k: k, n: n) },
                                     { MatrixProduct.multiply($0, $1, m: m, k: k, n: n) })
        let biasShape = b2.shape, xShape = x2.shape, wShape = w2.shape
        let biasIsRow = bias.count == n && (bias.rank <= 1 || bias.shape == [1, n])
        func addBias<T: TensorScalar>(_ out: inout [T], _ bs: [T]) {
            out.withUnsafeMutableBufferPointer { o in
                bs.withUnsafeBufferPointer { b in
                    if biasIsRow {
                        for i in 0..<m { for j in 0..<n { o[i * n + j] += b[j] } }
                    } else if b.count == 1 {
                        for i in 0..<(m * n) { o[i] += b[0] }
                    } else {
                        let full = ElementwiseKernels.expand(Array(b), biasShape, to: outShape)
                        for i in 0..<(m * n) { o[i] += full[i] }
                    }
                }
            }
        }
        if computeType == .float64 { addBias(&storage.doubles, b2.storage.doubles) } else { addBias(&storage.floats, b2.storage.floats) }

        let savedX = Tensor.recording(w2) ? SavedTensor(x2) : nil
        let savedW = Tensor.recording(x2) ? SavedTensor(w2) : nil
        let needsBias = b2.requiresGrad
        return result(storage, outShape, computeType, inputs: [b2, x2, w2], name: "AddmmBackward0") { g in
            let gb = needsBias ? g.sumTo(biasShape) : nil
            if isGradEnabled {
                // Recording the backward pass (createGraph): differentiable products.
                let gx = try savedW.map { g.matmul((try $0.unpack()).T).reshape(xShape) }
                let gw = try savedX.map { (try $0.unpack()).T.matmul(g).reshape(wShape) }
                return [gb, gx, gw]
            }
            let gx = try savedW.map { Tensor.product(g, try $0.unpack(), transposeB: true) }
            let gw = try savedX.map { Tensor.product(try $0.unpack(), g, transposeA: true) }
            return [gb, gx, gw]
        }
    }
}
