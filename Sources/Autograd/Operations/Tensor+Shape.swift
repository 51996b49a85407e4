/// Operations that rearrange elements: reshape, transpose, squeeze, expand, slicing, stack, cat.
/// Reshaping shares storage (a view, with the base's version counter, so in-place writes through
/// it reach the base and its graph); the others copy, since storage here is always contiguous.
extension Tensor {
    /// The values read as the broadcast `shape`, without recording anything.
    func expandedScalars(to shape: [Int]) -> [Double] {
        ElementwiseKernels.expand(scalars, self.shape, to: shape)
    }

    /// The same values in another shape; one dimension may be -1 (inferred). Shares storage.
    public func reshape(_ newShape: [Int]) -> Tensor {
        var newShape = newShape
        if let i = newShape.firstIndex(of: -1) {
            let known = newShape.enumerated().filter { $0.offset != i }.map(\.element).reduce(1, *)
            newShape[i] = known == 0 ? 0 : count / known
        }
        precondition(Shape.count(newShape) == count, "shape '\(newShape)' is invalid for input of size \(count)")
        return makeView(newShape, name: "ViewBackward0")
    }

    public func reshape(_ newShape: Int...) -> Tensor { reshape(newShape) }

    /// `view` is `reshape` here: storage is always contiguous, so every reshape is a view.
    public func view(_ newShape: Int...) -> Tensor { reshape(newShape) }
    public func view(_ newShape: [Int]) -> Tensor { reshape(newShape) }

    /// All elements in one dimension. A 1-D tensor is returned itself, as in PyTorch.
    public func flatten() -> Tensor { rank == 1 ? self : reshape([count]) }

    /// Removes dimensions of size 1 (all of them, or only `dim`).
    func squeezing(_ dim: Int? = nil) -> Tensor {
        var newShape = shape
        if let dim {
            let d = normalize(dim)
            if rank > 0 && shape[d] == 1 { newShape.remove(at: d) }
        } else {
            newShape.removeAll { $0 == 1 }
        }
        return makeView(newShape, name: dim == nil ? "SqueezeBackward0" : "SqueezeBackward1")
    }

    /// Inserts a dimension of size 1 at `dim`.
    func unsqueezing(_ dim: Int) -> Tensor {
        let d = normalize(dim, rank: rank + 1)
        var newShape = shape
        newShape.insert(1, at: d)
        return makeView(newShape, name: "UnsqueezeBackward0")
    }

    /// Swaps two dimensions (copying the values).
    func transposing(_ dim0: Int, _ dim1: Int) -> Tensor { transposing(dim0, dim1, name: "TransposeBackward0") }

    private func transposing(_ dim0: Int, _ dim1: Int, name: String) -> Tensor {
        let d0 = normalize(dim0), d1 = normalize(dim1)
        if d0 == d1 || rank < 2 { return makeView(shape, name: name) }
        var newShape = shape
        newShape.swapAt(d0, d1)
        var readStrides = Shape.strides(shape)
        readStrides.swapAt(d0, d1)
        // A matrix goes through the tiled transpose (the weight's `.T` in a double backward).
        let (rows, cols) = (shape[0], shape[1])
        let storage = rank == 2
            ? self.storage.map(dtype, { Tensor.transposed($0, rows: rows, cols: cols) }, { Tensor.transposed($0, rows: rows, cols: cols) })
            : gather(newShape, readStrides)
        let out = Tensor.result(storage, newShape, dtype, inputs: [self], name: name) { g in
            [g.transposing(d0, d1)]
        }
        out.copiedView = "transpose"
        return out
    }

    /// The dimensions in reverse order (`.T`, `PermuteBackward0`): the transpose of a matrix, and
    /// a new tensor with the same values for a vector. On other ranks PyTorch deprecates it, and
    /// so does this library (a warning on standard error, once).
    public var T: Tensor {
        if rank != 2 { Warnings.once(rank == 0 ? .transposeOfScalar : .transposeOfNonMatrix) }
        if rank < 2 { return makeView(shape, name: "PermuteBackward0") }
        if rank == 2 { return transposing(0, 1, name: "PermuteBackward0") }
        return reversingDimensions()
    }

    private func reversingDimensions() -> Tensor {
        let newShape = Array(shape.reversed())
        let readStrides = Array(Shape.strides(shape).reversed())
        let out = Tensor.result(gather(newShape, readStrides), newShape, dtype, inputs: [self], name: "PermuteBackward0") { g in
            [g.reversingDimensions()]
        }
        out.copiedView = "permute"
        return out
    }

    /// The transpose of a matrix (`.t()`, `TBackward0`); of a vector, a new tensor with its values.
    public func t() -> Tensor {
        precondition(rank <= 2, "t() expects a tensor with <= 2 dimensions, but self is \(rank)D")
        return rank < 2 ? makeView(shape, name: "TBackward0") : transposing(0, 1, name: "TBackward0")
    }

    /// Copies the elements read with `strides` in the order of `newShape`.
    private func gather(_ newShape: [Int], _ readStrides: [Int]) -> TensorStorage {
        let zero = [Int](repeating: 0, count: newShape.count)
        func run<T>(_ a: [T]) -> [T] {
            [T](unsafeUninitializedCapacity: a.count) { out, n in
                a.withUnsafeBufferPointer { p in
                    Shape.forEachBroadcast(newShape, readStrides, zero) { o, i, _ in out.initializeElement(at: o, to: p[i]) }
                }
                n = a.count
            }
        }
        return storage.map(dtype, run, run)
    }

    /// Repeats dimensions of size 1 to reach `shape` (`expand`), copying the values.
    public func expand(_ newShape: [Int]) -> Tensor {
        if newShape == shape { return makeView(shape, name: "ExpandBackward0") }
        let target = Tensor.broadcastShape(shape, newShape)
        precondition(target == newShape, "The expanded size of the tensor must match the existing size at a non-singleton dimension. Target sizes: \(newShape). Tensor sizes: \(shape)")
        let original = shape
        let storage = self.storage.map(dtype, { ElementwiseKernels.expand($0, original, to: target) },
                                       { ElementwiseKernels.expand($0, original, to: target) })
        let out = Tensor.result(storage, target, dtype, inputs: [self], name: "ExpandBackward0") { g in [g.sumTo(original)] }
        out.copiedView = "expand"
        return out
    }

    public func expand(_ newShape: Int...) -> Tensor { expand(newShape) }

    /// Sums a broadcast gradient back to `target`, the shape of the input it belongs to.
    /// Returns `self` when nothing was broadcast, so no needless node is recorded.
    func sumTo(_ target: [Int]) -> Tensor {
        if shape == target { return self }
        let lead = rank - target.count
        var keep = [Int](repeating: 1, count: rank)
        for i in 0..<target.count where target[i] != 1 || shape[lead + i] == 1 {
            keep[lead + i] = shape[lead + i]
        }
        let original = shape
        let storage = self.storage.map(dtype, { ReductionKernels.sum($0, original, to: keep) },
                                       { ReductionKernels.sum($0, original, to: keep) })
        return Tensor.result(storage, target, dtype, inputs: [self], name: "SumBackward1") { g in [g.expand(original)] }
    }

    // MARK: Indexing leading dimensions

    /// Rows `range` of the first dimension: `try X[0..<2]` (`SliceBackward0`). Negative bounds
    /// count from the end and bounds past the end are clamped, as in Python: `X[-2..<3]` is
    /// `X[-2:3]`. A 0-d tensor has no rows: that throws PyTorch's message.
    public subscript(range: Range<Int>) -> Tensor {
        get throws { try slice(dim: 0, start: range.lowerBound, end: range.upperBound) }
    }

    /// `X[a...b]`; an upper bound of -1 means through the last row, as Python's `X[a:]`.
    public subscript(range: ClosedRange<Int>) -> Tensor {
        get throws { try slice(dim: 0, start: range.lowerBound, end: range.upperBound == -1 ? nil : range.upperBound + 1) }
    }

    /// `X[a...]`, Python's `X[a:]`.
    public subscript(range: PartialRangeFrom<Int>) -> Tensor {
        get throws { try slice(dim: 0, start: range.lowerBound) }
    }

    /// `X[..<b]`, Python's `X[:b]`.
    public subscript(range: PartialRangeUpTo<Int>) -> Tensor {
        get throws { try slice(dim: 0, end: range.upperBound) }
    }

    /// Element `index` of the first dimension, which is removed: `try X[0]` (`SelectBackward0`);
    /// negative indices count from the end. An index out of range throws PyTorch's `IndexError`
    /// text. Python's `v[i] = 1.0` is `try v.setItem(i, to: 1.0)`: a Swift assignment cannot
    /// throw, and PyTorch raises there for a leaf that requires grad.
    public subscript(index: Int) -> Tensor {
        get throws {
            guard rank >= 1 else {
                throw AutogradError("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or `tensor.item<T>()` in C++ to convert a 0-dim tensor to a number")
            }
            return try select(dim: 0, index: index)
        }
    }

    // MARK: Joining

    /// `Tensor.cat` for lists already checked (by `cat`, or built by the library): one-dimensional
    /// empty tensors are skipped, as in PyTorch.
    static func concatenating(_ tensors: [Tensor], dim: Int = 0) -> Tensor {
        let skipped = tensors.map { $0.shape == [0] }
        let joined = zip(tensors, skipped).filter { !$0.1 }.map(\.0)
        let dtype = tensors.map(\.dtype).reduce(tensors[0].dtype, DType.promote)
        guard let first = joined.first else {
            return result(TensorStorage([], dtype: dtype), [0], dtype, inputs: tensors, name: "CatBackward0") { _ in
                tensors.map { Tensor.zeros([0], dtype: $0.dtype) }
            }
        }
        let d = first.normalize(dim)
        let outer = Shape.count(Array(first.shape[..<d]))
        var values: [Double] = []
        values.reserveCapacity(joined.reduce(0) { $0 + $1.count })
        let parts = joined.map { $0.scalars }
        let chunk = joined.map { outer == 0 ? 0 : $0.count / outer }
        for o in 0..<outer {
            for (k, p) in parts.enumerated() { values += p[(o * chunk[k])..<((o + 1) * chunk[k])] }
        }
        var newShape = first.shape
        newShape[d] = joined.reduce(0) { $0 + $1.shape[d] }
        let sizes = zip(tensors, skipped).map { t, skip in skip ? 0 : t.shape[d] }
        return result(TensorStorage(values, dtype: dtype), newShape, dtype, inputs: tensors, name: "CatBackward0") { g in
            var start = 0
            return zip(sizes, skipped).map { size, skip in
                if skip { return Tensor.zeros([0], dtype: g.dtype) }
                defer { start += size }
                return g.narrowing(d, start: start, length: size)
            }
        }
    }

    /// `Tensor.stack` for lists already checked.
    static func stacking(_ tensors: [Tensor], dim: Int = 0) -> Tensor {
        let d = tensors[0].normalize(dim, rank: tensors[0].rank + 1)
        return concatenating(tensors.map { $0.unsqueezing(d) }, dim: d)
    }

    /// Elements `start..<start+length` along `dim` (differentiable).
    func narrowing(_ dim: Int, start: Int, length: Int) -> Tensor {
        let d = normalize(dim)
        // In range by construction: callers are backward rules splitting a gradient they shaped.
        return try! slice(dim: d, start: start, end: start + length)
    }
}
