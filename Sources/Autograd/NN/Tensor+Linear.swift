/// The fused linear layer on a matrix: `bias + x · weightᵀ` recorded as PyTorch records
/// `F.linear` on 2-D input, `addmm(bias, x, weight.t())`: one `AddmmBackward0` node whose inputs
/// are the bias, `x` and a `TBackward0` node of the weight.
extension Tensor {
    /// `bias + x · weightᵀ` for `x` of shape m×k, `weight` n×k and a `bias` broadcasting to m×n
    /// (usually `[n]`).
    ///
    /// The graph is PyTorch's, `AddmmBackward0` → (bias, x, `TBackward0` → weight), but the
    /// transposed weight is never copied: the product reads the weight transposed, and the
    /// `TBackward0` node is recorded with a stand-in for its output that no one can reach (the
    /// node only needs its shape). Backward gives the three gradients at once: `bias` the gradient
    /// summed to its shape, `x` gets `G · weight`, and the transposed weight `xᵀ G`, which
    /// `TBackward0` turns back into the weight's layout. When no hook can see the gradient between
    /// the two nodes, the product is computed as `Gᵀ x`, already in the weight's layout (the same
    /// sums, so the same bits), and `TBackward0` passes it on: no transpose, as in PyTorch, whose
    /// `mm` backward picks the layout of the transposed weight.
    ///
    /// Like `matmul`, it computes in the autocast type inside an autocast region (casting the
    /// three inputs first, as PyTorch's autocast does for `linear`).
    static func linear(_ x: Tensor, _ weight: Tensor, _ bias: Tensor) -> Tensor {
        precondition(x.rank == 2 && weight.rank == 2, "linear expects matrices here, got \(x.rank)D and \(weight.rank)D")
        let m = x.shape[0], k = x.shape[1], n = weight.shape[0]
        precondition(weight.shape[1] == k, "addmm: mat1 and mat2 shapes cannot be multiplied (\(m)x\(k) and \(weight.shape[1])x\(n))")
        let outShape = [m, n]
        precondition(Shape.broadcast(bias.shape, outShape) == outShape,
                     "The expanded size of the tensor must match the existing size at a non-singleton dimension. Target sizes: \(outShape). Tensor sizes: \(bias.shape)")
        let dtype = DType.promote(DType.promote(bias.dtype, x.dtype), weight.dtype)
        let computeType = ThreadState.current.autocastDType ?? dtype
        let b2 = bias.dtype == computeType ? bias : bias.to(computeType)
        let x2 = x.dtype == computeType ? x : x.to(computeType)
        let w2 = weight.dtype == computeType ? weight : weight.to(computeType)

        let biasShape = b2.shape, xShape = x2.shape
        // A bias row (the usual [n]) is added inside the product, by the thread that computed each block.
        let biasIsRow = b2.count == n && (b2.rank <= 1 || b2.shape == [1, n])
        let storage = x2.storage.zip(w2.storage, computeType,
                                     { MatrixProduct.multiply($0, $1, m: m, k: k, n: n, transposeB: true,
                                                              rowBias: biasIsRow ? b2.storage.floats : nil) },
                                     { MatrixProduct.multiply($0, $1, m: m, k: k, n: n, transposeB: true,
                                                              rowBias: biasIsRow ? b2.storage.doubles : nil) })
        func addBias<T: TensorScalar>(_ out: inout [T], _ bs: [T]) {
            out.withUnsafeMutableBufferPointer { o in
                bs.withUnsafeBufferPointer { b in
                    if b.count == 1 {
                        for i in 0..<(m * n) { o[i] += b[0] }
                    } else {
                        let full = ElementwiseKernels.expand(Array(b), biasShape, to: outShape)
                        for i in 0..<(m * n) { o[i] += full[i] }
                    }
                }
            }
        }
        if !biasIsRow {
            if computeType == .float64 { addBias(&storage.doubles, b2.storage.doubles) } else { addBias(&storage.floats, b2.storage.floats) }
        }

        guard Tensor.recording(b2, x2, w2) else {
            let out = Tensor(storage: storage, shape: outShape, dtype: computeType).roundedIfHalf()
            if DualLevel.isActive { TangentRules.propagateLinear(to: out, x: x2, weight: w2, bias: b2) }
            return out
        }
        // weight.t(): its node, with a stand-in output that only carries the shape [k, n] into the
        // AddmmBackward0 node (its values are never read).
        let transposed = Tensor(storage: w2.storage, shape: [k, n], dtype: computeType)
        let handoff = UntransposedGradient()
        if w2.requiresGrad {
            transposed.gradFn = Node(name: "TBackward0", inputs: [w2]) { g in [handoff.take(g) ?? g.tiledTranspose()] }
        }
        let transposeNode = transposed.gradFn
        let savedX = w2.requiresGrad ? SavedTensor(x2) : nil
        let savedW = x2.requiresGrad ? SavedTensor(w2) : nil
        let needsBias = b2.requiresGrad
        let out = result(storage, outShape, computeType, inputs: [b2, x2, transposed], name: "AddmmBackward0", saving: [savedX, savedW]) { g in
            let gb = needsBias ? g.sumTo(biasShape) : nil
            if isGradEnabled {
                // Recording the backward pass (createGraph): differentiable products.
                let gx = try savedW.map { g.matmul(try $0.unpack()).reshape(xShape) }
                let gwT = try savedX.map { (try $0.unpack()).T.matmul(g) }
                return [gb, gx, gwT]
            }
            let gx = try savedW.map { Tensor.product(g, try $0.unpack()) }
            let gwT = try savedX.map { saved -> Tensor in
                let x = try saved.unpack()
                if let transposeNode, handoff.unobserved(transposeNode) {
                    return handoff.give(Tensor.product(g, x, transposeA: true), as: [k, n])
                }
                return Tensor.product(x, g, transposeA: true)
            }
            return [gb, gx, gwT]
        }
        handoff.producer = out.gradFn
        if DualLevel.isActive { TangentRules.propagateLinear(to: out, x: x2, weight: w2, bias: b2) }
        return out
    }

    /// Puts a float16 result on the half grid, as `result` does for recorded results.
    fileprivate func roundedIfHalf() -> Tensor {
        if dtype == .float16 { storage.roundToHalf() }
        return self
    }
}

/// The weight's gradient handed from `AddmmBackward0` to `TBackward0` in the weight's layout. Between
/// the two it travels as a stand-in of the transposed shape whose values are in the weight's layout;
/// it is used only when no hook of either node could read it. No hook can be added in between:
/// `TBackward0` is recorded just before `AddmmBackward0`, and the engine runs the ready node
/// recorded last first, so it runs right after it.
final class UntransposedGradient {
    /// The `AddmmBackward0` node (weak: its rule holds this object).
    weak var producer: Node?
    private var standIn: Tensor?
    private var gradient: Tensor?

    /// Whether nothing but `TBackward0`'s rule sees the gradient between the nodes.
    func unobserved(_ transposeNode: Node) -> Bool {
        guard let producer else { return false }
        return producer.postHooks.isEmpty && transposeNode.postHooks.isEmpty && transposeNode.tensorHooks.isEmpty
            && transposeNode.retainedOutput == nil
    }

    /// The stand-in of `shape` to return for the transposed weight, sharing `gradient`'s values.
    func give(_ gradient: Tensor, as shape: [Int]) -> Tensor {
        let standIn = Tensor(storage: gradient.storage, shape: shape, dtype: gradient.dtype)
        self.standIn = standIn
        self.gradient = gradient
        return standIn
    }

    /// The gradient in the weight's layout when `g` is the stand-in, else nil.
    func take(_ g: Tensor) -> Tensor? {
        guard let standIn, standIn === g, let gradient else { return nil }
        self.standIn = nil
        self.gradient = nil
        return gradient
    }
}

extension Tensor {
    /// The transpose of a matrix recorded as `t()` records it (`TBackward0`), copied in cache-sized
    /// tiles: `Linear`'s backward pass transposes the weight's gradient on every step, so this copy
    /// must cost little next to the matrix products.
    func tiledTranspose() -> Tensor {
        precondition(rank == 2, "tiledTranspose expects a matrix")
        let rows = shape[0], cols = shape[1]
        let storage = self.storage.map(dtype, { Tensor.transposed($0, rows: rows, cols: cols) },
                                       { Tensor.transposed($0, rows: rows, cols: cols) })
        return Tensor.result(storage, [cols, rows], dtype, inputs: [self], name: "TBackward0") { g in
            [g.tiledTranspose()]
        }
    }

    /// `a` (rows × cols, row-major) transposed, in 16 × 16 tiles: each output row of a tile is one
    /// cache line, and the 16 input rows read stay in L1 for the whole tile.
    static func transposed<T>(_ a: [T], rows: Int, cols: Int) -> [T] {
        if a.count >= 256, let fast = Transpose.matrix(a, rows: rows, cols: cols) { return fast }
        let tile = 16
        return [T](unsafeUninitializedCapacity: a.count) { out, n in
            a.withUnsafeBufferPointer { src in
                guard let s = src.baseAddress, let o = out.baseAddress else { return }
                var r0 = 0
                while r0 < rows {
                    let r1 = Swift.min(r0 &+ tile, rows)
                    var c0 = 0
                    while c0 < cols {
                        let c1 = Swift.min(c0 &+ tile, cols)
                        var c = c0
                        while c < c1 {
                            let line = o + c &* rows
                            var r = r0
                            while r < r1 { (line + r).initialize(to: s[r &* cols &+ c]); r &+= 1 }
                            c &+= 1
                        }
                        c0 = c1
                    }
                    r0 = r1
                }
            }
            n = a.count
        }
    }
}
