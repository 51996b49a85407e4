/// Operations that pick elements by position: `permute`, `mT`, `flip`, `repeat`, `gather`,
/// `indexSelect`, `select`, slicing on any dimension with a step, and writing one element.
///
/// All are one primitive: the result's element `o` is the input's element `source[o]`. Its
/// backward adds each incoming gradient back at `source[o]` (so repeated positions accumulate), and
/// the backward of that is the same gather again, so every derivative order works.
extension Tensor {
    /// The elements at flat positions `source`, in the shape `newShape`, recorded as `name`.
    /// `saving` lists what PyTorch's node saves (the index of `gather`), so that it refuses a
    /// second backward pass as PyTorch does; the rule itself needs only the positions.
    func take(_ source: [Int], _ newShape: [Int], name: String, saving: [SavedTensor?] = []) -> Tensor {
        let storage = dtype == .float64 ? TensorStorage(doubles: source.map { self.storage.doubles[$0] })
                                        : TensorStorage(floats: source.map { self.storage.floats[$0] })
        let original = shape
        return Tensor.result(storage, newShape, dtype, inputs: [self], name: name, saving: saving) { g in
            for case let s? in saving { _ = try s.unpack() }
            return [g.scatterAdd(source, into: original)]
        }
    }

    /// A tensor of shape `target`, zero except that element `source[o]` gets this tensor's element
    /// `o` added: the backward of `take`.
    func scatterAdd(_ source: [Int], into target: [Int]) -> Tensor {
        var acc = [Double](repeating: 0, count: Shape.count(target))
        let values = scalars
        for (o, i) in source.enumerated() { acc[i] += values[o] }
        let takenShape = shape
        return Tensor.result(TensorStorage(acc, dtype: dtype), target, dtype, inputs: [self], name: "IndexAddBackward0") { g in
            [g.take(source, takenShape, name: "TakeBackward0")]
        }
    }

    /// Calls `body` with every multi-index of `shape` in row-major order.
    static func forEachIndex(_ shape: [Int], _ body: ([Int]) -> Void) {
        let total = Shape.count(shape)
        guard total > 0 else { return }
        var index = [Int](repeating: 0, count: shape.count)
        for _ in 0..<total {
            body(index)
            var d = shape.count - 1
            while d >= 0 {
                index[d] += 1
                if index[d] < shape[d] { break }
                index[d] = 0
                d -= 1
            }
        }
    }

    /// The flat source position of each element of `newShape`, from a map of multi-indices.
    private func sources(_ newShape: [Int], _ map: ([Int]) -> [Int]) -> [Int] {
        let strides = Shape.strides(shape)
        var out: [Int] = []
        out.reserveCapacity(Shape.count(newShape))
        Tensor.forEachIndex(newShape) { index in
            out.append(zip(map(index), strides).reduce(0) { $0 + $1.0 * $1.1 })
        }
        return out
    }

    // MARK: Rearranging

    /// The dimensions reordered: result dimension `i` is input dimension `dims[i]`
    /// (`PermuteBackward0`).
    public func permute(_ dims: [Int]) throws -> Tensor {
        guard dims.count == rank else {
            throw AutogradError("permute(sparse_coo): number of dimensions in the tensor input does not match the length of the desired ordering of dimensions i.e. input.dim() = \(rank) is not equal to len(dims) = \(dims.count)")
        }
        let ds = try dims.map { try checkedDim($0) }
        guard Set(ds).count == ds.count else { throw AutogradError("permute(): duplicate dims are not allowed.") }
        let newShape = ds.map { shape[$0] }
        let source = sources(newShape) { index in
            var original = [Int](repeating: 0, count: rank)
            for (i, d) in ds.enumerated() { original[d] = index[i] }
            return original
        }
        let out = take(source, newShape, name: "PermuteBackward0")
        out.copiedView = "permute"
        return out
    }

    /// `permute` with the dimensions listed inline: `x.permute(2, 0, 1)`.
    public func permute(_ dims: Int...) throws -> Tensor { try permute(dims) }

    /// The last two dimensions swapped (`.mT`, `TransposeBackward0`): a batch of matrices
    /// transposed. A 0-d tensor is returned as is (PyTorch warns that this is deprecated).
    public var mT: Tensor {
        get throws {
            if rank == 0 { return self }
            guard rank >= 2 else {
                throw AutogradError("tensor.mT is only supported on matrices or batches of matrices. Got \(rank)-D tensor.")
            }
            return transposing(-2, -1)
        }
    }

    /// The order of elements reversed along each of `dims` (`FlipBackward0`).
    public func flip(dims: [Int]) throws -> Tensor {
        var flipped = Set<Int>()
        for dim in dims {
            let d = try checkedDim(dim)
            guard flipped.insert(d).inserted else { throw AutogradError("dim \(d) appears multiple times in the list of dims") }
        }
        let source = sources(shape) { index in
            var original = index
            for d in flipped where d < rank { original[d] = shape[d] - 1 - index[d] }
            return original
        }
        return take(source, shape, name: "FlipBackward0")
    }

    /// `flip` with the dimensions listed inline: `x.flip(0)`.
    public func flip(_ dims: Int...) throws -> Tensor { try flip(dims: dims) }

    /// The tensor tiled `repeats[i]` times along dimension `i`; extra leading counts add new
    /// dimensions (`repeat`, `RepeatBackward0`).
    public func `repeat`(_ repeats: [Int]) throws -> Tensor {
        guard repeats.count >= rank else {
            throw AutogradError("Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor")
        }
        let padded = [Int](repeating: 1, count: repeats.count - rank) + shape
        let newShape = zip(padded, repeats).map { $0 * $1 }
        if let bad = newShape.first(where: { $0 < 0 }) {
            throw AutogradError("Trying to create tensor with negative dimension \(bad): \(newShape)")
        }
        let strides = Shape.strides(padded)
        var source: [Int] = []
        Tensor.forEachIndex(newShape) { index in
            source.append(zip(index, zip(padded, strides)).reduce(0) { $0 + ($1.0 % $1.1.0) * $1.1.1 })
        }
        return take(source, newShape, name: "RepeatBackward0")
    }

    /// `repeat` with the counts listed inline: `x.repeat(2, 1)`.
    public func `repeat`(_ repeats: Int...) throws -> Tensor { try self.repeat(repeats) }

    /// The outer product of two vectors: `self[i] * other[j]` (`torch.outer`, recorded as
    /// `MulBackward0` as in PyTorch, which computes it as a broadcast product).
    public func outer(_ other: Tensor) throws -> Tensor {
        guard rank == 1 else { throw AutogradError("outer: Expected 1-D argument self, but got \(rank)-D") }
        guard other.rank == 1 else { throw AutogradError("outer: Expected 1-D argument vec2, but got \(other.rank)-D") }
        return reshape([count, 1]) * other
    }

    // MARK: Picking by index

    /// `out[i][j] = self[index[i][j]][j]` for `dim` 0, and likewise for other dimensions
    /// (`torch.gather`, `GatherBackward0`). `index` holds whole numbers and has this tensor's rank;
    /// its sizes may not exceed this tensor's outside `dim`. Repeated indices add their gradients.
    public func gather(dim: Int, index: Tensor) throws -> Tensor {
        let d = try checkedDim(dim)
        guard index.rank == rank || (rank <= 1 && index.rank <= 1) else {
            throw AutogradError("Index tensor must have the same number of dimensions as input tensor")
        }
        let positions = index.scalars
        guard positions.allSatisfy({ $0 == $0.rounded() }) else { throw AutogradError("gather(): Expected dtype int64 for index") }
        let selfShape = rank == 0 ? [1] : shape, indexShape = index.rank == 0 ? [1] : index.shape
        for k in 0..<indexShape.count where k != d && indexShape[k] > selfShape[k] {
            throw AutogradError("Size does not match at dimension \(k) expected index \(index.shape) to be no larger than self \(shape) apart from dimension \(d)")
        }
        let strides = Shape.strides(selfShape)
        var source: [Int] = []
        var flat = 0
        var failure: AutogradError?
        Tensor.forEachIndex(indexShape) { at in
            let i = Int(positions[flat]); flat += 1
            guard i >= 0 && i < selfShape[d] else {
                failure = failure ?? AutogradError("index \(i) is out of bounds for dimension \(d) with size \(selfShape[d])")
                return
            }
            var original = at
            original[d] = i
            source.append(zip(original, strides).reduce(0) { $0 + $1.0 * $1.1 })
        }
        if let failure { throw failure }
        let saved = Tensor.needsDerivative(self) ? SavedTensor(index.detach()) : nil
        return take(source, index.shape, name: "GatherBackward0", saving: [saved])
    }

    /// The entries `index` along `dim`, in that order, repeats allowed
    /// (`torch.index_select`, `IndexSelectBackward0`).
    public func indexSelect(dim: Int, index: [Int]) throws -> Tensor {
        let d = try checkedDim(dim)
        if rank == 0 {
            guard index.count == 1 else {
                throw AutogradError("index_select(): Index to scalar can have only 1 value, got \(index.count) value(s)")
            }
        }
        let size = rank == 0 ? 1 : shape[d]
        if let bad = index.first(where: { $0 < 0 || $0 >= size }) {
            throw AutogradError("INDICES element is out of DATA bounds, id=\(bad) axis_dim=\(size)")
        }
        // PyTorch saves the index (an int64 tensor) for the backward pass.
        let saved = Tensor.needsDerivative(self) ? SavedTensor(Tensor(index.map(Double.init), dtype: .float64)) : nil
        if rank == 0 { return take([0], [], name: "IndexSelectBackward0", saving: [saved]) }
        var newShape = shape
        newShape[d] = index.count
        let source = sources(newShape) { at in
            var original = at
            original[d] = index[at[d]]
            return original
        }
        return take(source, newShape, name: "IndexSelectBackward0", saving: [saved])
    }

    /// Element `index` along `dim`, which is removed; negative indices count from the end
    /// (`torch.select`, `SelectBackward0`).
    public func select(dim: Int, index: Int) throws -> Tensor {
        guard rank > 0 else { throw AutogradError("select() cannot be applied to a 0-dim tensor.") }
        let d = try checkedDim(dim)
        let size = shape[d]
        guard index >= -size && index < size else {
            throw AutogradError("index \(index) is out of bounds for dimension \(d) with size \(size)")
        }
        let i = index < 0 ? index + size : index
        var newShape = shape
        newShape.remove(at: d)
        let out = take(strided(dim: d, start: i, count: 1, step: 1), newShape, name: "SelectBackward0")
        out.copiedView = "slicing"
        return out
    }

    /// Elements `start, start + step, …` before `end` along `dim`, with Python's rules: nil means
    /// the beginning or the end, negative bounds count from the end, and bounds past either end
    /// are clamped (`x[:, 1:3:2]`, `SliceBackward0`). `step` must be positive.
    public func slice(dim: Int = 0, start: Int? = nil, end: Int? = nil, step: Int = 1) throws -> Tensor {
        guard rank > 0 else { throw AutogradError("slice() cannot be applied to a 0-dim tensor.") }
        let d = try checkedDim(dim)
        guard step > 0 else { throw AutogradError(step == 0 ? "slice step cannot be zero" : "step must be greater than zero") }
        let (lo, length) = Tensor.sliceBounds(start: start, end: end, step: step, size: shape[d])
        var newShape = shape
        newShape[d] = length
        let out = take(strided(dim: d, start: lo, count: length, step: step), newShape, name: "SliceBackward0")
        out.copiedView = "slicing"
        return out
    }

    /// The flat positions of entries `start, start + step, …` (`count` of them) along `d`, in
    /// row-major order: whole inner blocks at a time, so slicing a batch of rows is a fast copy.
    private func strided(dim d: Int, start: Int, count: Int, step: Int) -> [Int] {
        let size = shape[d], inner = Shape.count(Array(shape[(d + 1)...])), outer = Shape.count(Array(shape[..<d]))
        var out: [Int] = []
        out.reserveCapacity(outer * count * inner)
        for o in 0..<outer {
            for k in 0..<count {
                let base = (o * size + start + k * step) * inner
                out.append(contentsOf: base..<(base + inner))
            }
        }
        return out
    }

    /// Python's slice arithmetic for a positive step: the first index and the number of elements.
    static func sliceBounds(start: Int?, end: Int?, step: Int, size: Int) -> (start: Int, count: Int) {
        func clamp(_ i: Int?, _ fallback: Int) -> Int {
            guard var i else { return fallback }
            if i < 0 { i += size }
            return Swift.min(Swift.max(i, 0), size)
        }
        let lo = clamp(start, 0), hi = clamp(end, size)
        return (lo, hi > lo ? (hi - lo + step - 1) / step : 0)
    }

    // MARK: Subscripts on several dimensions

    /// Indexes several dimensions at once, as Python does: `x[0, .slice(1, 3)]` is `x[0, 1:3]`.
    /// An integer removes its dimension, a slice keeps it, `.newAxis` inserts one of size 1.
    public subscript(_ indices: TensorIndex...) -> Tensor {
        get throws { try index(indices) }
    }

    /// `x[..., r]`: the range `r` of the second dimension (`x[:, 1:3]` in Python).
    public subscript(_ all: UnboundedRange, _ r: Range<Int>) -> Tensor {
        get throws { try slice(dim: 1, start: r.lowerBound, end: r.upperBound) }
    }

    /// `x[..., i]`: element `i` of the second dimension (`x[:, i]` in Python).
    public subscript(_ all: UnboundedRange, _ i: Int) -> Tensor {
        get throws { try select(dim: 1, index: i) }
    }

    /// Applies Python-style indices from the first dimension on.
    public func index(_ indices: [TensorIndex]) throws -> Tensor {
        let consumed = indices.filter { if case .newAxis = $0 { return false }; return true }.count
        guard consumed <= rank else { throw AutogradError("too many indices for tensor of dimension \(rank)") }
        var out = self
        var dim = 0, original = 0   // the dimension in `out`, and in `self` (for messages)
        for item in indices {
            switch item {
            case .at(let i):
                let size = out.shape[dim]
                guard i >= -size && i < size else {
                    throw AutogradError("index \(i) is out of bounds for dimension \(original) with size \(size)")
                }
                out = try out.select(dim: dim, index: i)
                original += 1
            case .slice(let start, let end, let step):
                out = try out.slice(dim: dim, start: start, end: end, step: step)
                dim += 1
                original += 1
            case .newAxis:
                out = out.unsqueezing(dim)
                dim += 1
            }
        }
        return out
    }

    // MARK: Writing one element

    /// Writes `value` (broadcast) into entry `index` of the first dimension, in place, as
    /// Python's `v[i] = value` (`CopySlices`). The gradient of the old values is zero there.
    /// Throws PyTorch's message on a leaf that requires grad.
    public func setItem(_ index: Int, to value: Tensor) throws {
        guard rank > 0 else { throw AutogradError("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or `tensor.item<T>()` in C++ to convert a 0-dim tensor to a number") }
        let size = shape[0]
        guard index >= -size && index < size else {
            throw AutogradError("index \(index) is out of bounds for dimension 0 with size \(size)")
        }
        let i = index < 0 ? index + size : index
        let rowShape = Array(shape.dropFirst())
        guard let target = Shape.broadcast(rowShape, value.shape), target == rowShape else {
            var k = 0, offset = value.rank - rowShape.count
            for j in 0..<rowShape.count where j + offset >= 0 {
                let v: Int = value.shape[j + offset]
                if v != rowShape[j] && v != 1 { k = j }
            }
            throw AutogradError("The expanded size of the tensor (\(rowShape.isEmpty ? 1 : rowShape[k])) must match the existing size (\(k + offset >= 0 && k + offset < value.rank ? value.shape[k + offset] : 1)) at non-singleton dimension \(k).  Target sizes: \(rowShape).  Tensor sizes: \(value.shape)")
        }
        let inner = Shape.count(rowShape), fullShape = shape
        let positions = Array((i * inner)..<((i + 1) * inner))
        var keepMask = [Double](repeating: 1, count: count)
        for p in positions { keepMask[p] = 0 }
        let valueShape = value.shape
        try inPlace([value]) { old in
            let v = value.dtype == old.dtype ? value : value.to(old.dtype)
            let row = v.expand(rowShape)
            let written = old.scalars.enumerated().map { k, x in keepMask[k] == 1 ? x : row.scalars[k - i * inner] }
            let mask = Tensor(keepMask, shape: fullShape, dtype: old.dtype)
            return Tensor.result(TensorStorage(written, dtype: old.dtype), fullShape, old.dtype, inputs: [old, v],
                                 name: "CopySlices") { g in
                [g * mask, g.take(positions, rowShape, name: "SelectBackward0").sumTo(valueShape)]
            }
        }
    }

    /// `setItem` with a number.
    public func setItem(_ index: Int, to value: Double) throws {
        try setItem(index, to: Tensor(value, dtype: dtype))
    }

    // MARK: Shapes and comparisons

    /// The shape as a value that prints as PyTorch's `torch.Size([2, 3])` (`x.size()`).
    public func size() -> Size { Size(shape) }

    /// Whether every element is close to `other`'s (broadcast): `|a - b| <= atol + rtol · |b|`,
    /// infinities equal only to themselves, NaN equal to NaN only with `equalNaN` (`torch.allclose`).
    /// Throws PyTorch's message when the shapes don't broadcast.
    public func allclose(_ other: Tensor, rtol: Double = 1e-5, atol: Double = 1e-8, equalNaN: Bool = false) throws -> Bool {
        guard let shape = Shape.broadcast(self.shape, other.shape) else {
            throw AutogradError(Shape.mismatchMessage(self.shape, other.shape))
        }
        let a = expandedScalars(to: shape), b = other.expandedScalars(to: shape)
        return zip(a, b).allSatisfy { x, y in
            if x.isNaN || y.isNaN { return equalNaN && x.isNaN && y.isNaN }
            if x == y { return true }
            if x.isInfinite || y.isInfinite { return false }
            let gap: Double = Swift.abs(x - y), tolerance: Double = atol + rtol * Swift.abs(y)
            return gap <= tolerance
        }
    }
}

/// One position in a Python-style index: an integer (`x[1]`), a slice (`x[1:3:2]`, with nil
/// for an omitted bound), everything (`x[:]`) or a new dimension of size 1 (`x[None]`).
public enum TensorIndex: ExpressibleByIntegerLiteral, Sendable {
    /// One entry, negative counting from the end; its dimension is removed (`x[1]`, `x[-1]`).
    case at(Int)
    /// Entries `start, start + step, …` before `end`, with Python's rules (`x[1:3:2]`).
    case slice(_ start: Int?, _ end: Int?, step: Int)
    /// A new dimension of size 1 (`x[None]`).
    case newAxis

    /// An integer literal selects that entry.
    public init(integerLiteral value: Int) { self = .at(value) }

    /// Every entry: Python's `:`.
    public static var all: TensorIndex { .slice(nil, nil, step: 1) }

    /// `start:end` with a step of 1; nil for an omitted bound.
    public static func slice(_ start: Int?, _ end: Int?) -> TensorIndex { .slice(start, end, step: 1) }

    /// The range `r` with an optional step: `.range(1..<3)` is `1:3`.
    public static func range(_ r: Range<Int>, step: Int = 1) -> TensorIndex { .slice(r.lowerBound, r.upperBound, step: step) }

    /// Every `step`-th entry from the first: `.every(2)` is `::2`.
    public static func every(_ step: Int) -> TensorIndex { .slice(nil, nil, step: step) }
}

/// A tensor's shape as PyTorch's `torch.Size`: a list of sizes that prints as `torch.Size([2, 3])`.
public struct Size: RandomAccessCollection, Equatable, Hashable, CustomStringConvertible, ExpressibleByArrayLiteral, Sendable {
    /// The size of each dimension.
    public let dimensions: [Int]

    /// A size from its dimensions.
    public init(_ dimensions: [Int]) { self.dimensions = dimensions }

    /// `[2, 3]` as a size.
    public init(arrayLiteral elements: Int...) { self.dimensions = elements }

    /// The first dimension's position (0).
    public var startIndex: Int { 0 }
    /// One past the last dimension.
    public var endIndex: Int { dimensions.count }
    /// The size of dimension `i`.
    public subscript(i: Int) -> Int { dimensions[i] }

    /// The number of elements a tensor of this size holds (`numel()`).
    public var numel: Int { Shape.count(dimensions) }

    /// `torch.Size([2, 3])`.
    public var description: String { Tensor.sizeText(dimensions) }
}
