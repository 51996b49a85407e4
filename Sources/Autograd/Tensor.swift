import Foundation

/// An n-dimensional array of numbers that can record how it was computed, so that gradients can
/// flow back through it: the course's version of `torch.Tensor`.
///
/// A tensor is a reference type, as in PyTorch: the graph, `.grad` and in-place operations all act
/// on the one object that several names may share. Values are stored contiguously in row-major
/// order; `detach()`, `reshape` and `view` share storage with the original.
public final class Tensor {
    var storage: TensorStorage
    /// The size of each dimension; `[]` for a zero-dimensional (scalar) tensor.
    public let shape: [Int]
    /// The element type; float32 unless asked otherwise.
    public let dtype: DType
    private var leafRequiresGrad: Bool
    private var storedGradFn: Node?
    /// The node that computes this tensor's inputs' gradients, or nil for a leaf.
    ///
    /// For a view whose storage was written in place since its node was recorded (through the
    /// view, its base or another view of it), the node is made anew from the base's current
    /// graph, as PyTorch does (`AsStridedBackward0`): the view's values are the base's.
    public internal(set) var gradFn: Node? {
        get {
            if let base = viewBase, viewVersion != storage.version { regenerateViewNode(of: base) }
            return storedGradFn
        }
        set {
            storedGradFn = newValue
            if viewBase != nil { viewVersion = storage.version }
        }
    }
    /// For a view made by `reshape`, `view`, `squeeze`, `unsqueeze` or `flatten`: the tensor
    /// that owns the storage (never itself a view). In-place operations on the view rewrite the
    /// base's history too.
    private(set) var viewBase: Tensor?
    /// The storage version when the view's node was recorded.
    private var viewVersion = 0
    /// The view was made under `noGrad` from a base that requires grad (PyTorch refuses to
    /// record an in-place change through it).
    private var viewMadeWithoutGrad = false
    /// Set on results that are views in PyTorch but copies here (transpose, expand, slicing): the
    /// operation's name. An in-place write into one would not reach its input, so it is refused.
    var copiedView: String?
    /// The gradient as stored; `grad` adds PyTorch's checks and warning around it.
    var storedGrad: Tensor?
    /// Whether `backward()` keeps the gradient of this non-leaf tensor in `.grad`.
    public private(set) var retainsGrad = false
    weak var accumulator: Node?
    var hooks: [Hook] = []
    var postAccumulateHooks: [(id: Int, body: (Tensor) throws -> Void)] = []

    init(storage: TensorStorage, shape: [Int], dtype: DType, requiresGrad: Bool = false, gradFn: Node? = nil) {
        self.storage = storage
        self.shape = shape
        self.dtype = dtype
        self.leafRequiresGrad = requiresGrad
        self.storedGradFn = gradFn
    }

    /// A view of `self` in `newShape`, sharing its storage and version counter.
    func makeView(_ newShape: [Int], name: String) -> Tensor {
        // A view made a leaf that requires grad (`reshape(...).requiresGrad_()`) is where the
        // gradient goes: its own views hang off it, not off the tensor it was reshaped from.
        let base = isLeaf && leafRequiresGrad ? self : (viewBase ?? self)
        let out = Tensor(storage: storage, shape: newShape, dtype: dtype)
        out.viewBase = base
        if Tensor.recording(self) {
            let original = shape
            out.gradFn = Node(name: name, inputs: [self]) { g in [g.reshape(original)] }
        } else {
            out.viewVersion = storage.version
            out.viewMadeWithoutGrad = base.requiresGrad
        }
        if DualLevel.isActive { TangentRules.propagateView(of: self, to: out) }
        return out
    }

    private func regenerateViewNode(of base: Tensor) {
        viewVersion = storage.version
        guard !viewMadeWithoutGrad else { return }
        storedGradFn = Tensor.viewNode(on: base)
    }

    /// A node that reads this view out of `base`'s current history (nil when the base has none).
    private static func viewNode(on base: Tensor) -> Node? {
        guard base.requiresGrad else { return nil }
        let baseShape = base.shape
        return Node(name: "AsStridedBackward0", inputs: [base]) { g in [g.reshape(baseShape)] }
    }

    /// The history an in-place change starts from. For a view it is a fresh node on the base's
    /// history, not the view's own node: PyTorch's `CopySlices` connects straight to the base,
    /// so hooks registered on the view before the change never run.
    func historyBeforeInPlace() -> Node? {
        guard let base = viewBase else { return gradFn }
        return Tensor.viewNode(on: base)
    }

    /// For an in-place operation on a view: the checks PyTorch makes before allowing it.
    func checkInPlaceOnView() throws {
        if let op = copiedView ?? viewBase?.copiedView {
            if op == "expand" {
                // PyTorch refuses this one too: expanded elements share one memory location.
                throw AutogradError("unsupported operation: more than one element of the written-to tensor refers to a single memory location. Please clone() the tensor before performing the operation.")
            }
            throw AutogradError("in-place operation on the result of \(op): in PyTorch it is a view whose writes reach the tensor it was taken from, but this library made a copy, so the write would be lost. Write into the original tensor, or call clone() first to say the copy is meant")
        }
        guard let base = viewBase, isGradEnabled else { return }
        if viewMadeWithoutGrad {
            throw AutogradError("A view was created in no_grad mode and is being modified inplace with grad mode enabled. Given that this use case is ambiguous and error-prone, it is forbidden. You can clarify your code by moving both the view and the inplace either both inside the no_grad block (if you don't want the inplace to be tracked) or both outside (if you want the inplace to be tracked).")
        }
        if base.isLeaf && base.requiresGrad {
            throw AutogradError("a view of a leaf Variable that requires grad is being used in an in-place operation.")
        }
    }

    /// After `self` (a view) was written in place by the recorded result `new`: the base's
    /// history now ends with that write (`CopySlices`); the view's own node is remade from it.
    func rebaseHistory(onto new: Tensor) {
        guard let base = viewBase else { return }
        let viewShape = shape
        base.replaceGradFn(with: Node(name: "CopySlices", inputs: [new]) { g in [g.reshape(viewShape)] })
    }

    /// Moves this tensor to a new node after an in-place change. `retainGrad()` follows the newest
    /// version, as in PyTorch; hooks stay with the version they were registered on.
    func replaceGradFn(with node: Node?) {
        let old = storedGradFn
        gradFn = node
        if retainsGrad {
            if old?.retainedOutput === self { old?.retainedOutput = nil }
            node?.retainedOutput = self
        }
    }

    /// A tensor of `shape` holding `values` in row-major order (a 1-D tensor when `shape` is nil).
    public convenience init(_ values: [Double], shape: [Int]? = nil, dtype: DType = .float32, requiresGrad: Bool = false) {
        let shape = shape ?? [values.count]
        precondition(Shape.count(shape) == values.count,
                     "shape \(shape) is invalid for input of size \(values.count)")
        self.init(storage: TensorStorage(values, dtype: dtype), shape: shape, dtype: dtype, requiresGrad: requiresGrad)
    }

    /// A zero-dimensional tensor: `Tensor(3.0)` is `torch.tensor(3.0)`.
    public convenience init(_ value: Double, dtype: DType = .float32, requiresGrad: Bool = false) {
        self.init([value], shape: [], dtype: dtype, requiresGrad: requiresGrad)
    }

    /// A matrix from its rows: `Tensor([[1, 2], [3, 4]])`.
    public convenience init(_ rows: [[Double]], dtype: DType = .float32, requiresGrad: Bool = false) {
        let width = rows.first?.count ?? 0
        precondition(rows.allSatisfy { $0.count == width },
                     "expected sequence of length \(width) at dim 1 (got \(rows.first { $0.count != width }?.count ?? 0))")
        self.init(rows.flatMap { $0 }, shape: [rows.count, width], dtype: dtype, requiresGrad: requiresGrad)
    }

    /// A 3-D tensor from nested arrays.
    public convenience init(_ blocks: [[[Double]]], dtype: DType = .float32, requiresGrad: Bool = false) {
        let rows = blocks.first?.count ?? 0, width = blocks.first?.first?.count ?? 0
        precondition(blocks.allSatisfy { $0.count == rows && $0.allSatisfy { $0.count == width } },
                     "nested arrays must be rectangular")
        self.init(blocks.flatMap { $0.flatMap { $0 } }, shape: [blocks.count, rows, width], dtype: dtype, requiresGrad: requiresGrad)
    }

    // MARK: - Reading values

    /// The number of elements (`numel()`).
    public var count: Int { Shape.count(shape) }

    /// The number of dimensions (`dim()`).
    public var rank: Int { shape.count }

    /// The values in row-major order.
    public var scalars: [Double] { storage.values(dtype: dtype) }

    /// The single value of a one-element tensor, as a Swift number (`item()`). Any other number
    /// of elements (an empty tensor, say) throws PyTorch's message.
    public func item() throws -> Double {
        guard count == 1 else { throw AutogradError("a Tensor with \(count) elements cannot be converted to Scalar") }
        return scalarValue
    }

    /// `item()` for the library's own one-element tensors.
    var scalarValue: Double {
        precondition(count == 1, "a Tensor with \(count) elements cannot be converted to Scalar")
        return dtype == .float64 ? storage.doubles[0] : Double(storage.floats[0])
    }


    func normalize(_ dim: Int, rank: Int? = nil) -> Int {
        let r = Swift.max(rank ?? self.rank, 1)
        let d = dim < 0 ? dim + r : dim
        precondition(d >= 0 && d < r, "Dimension out of range (expected to be in range of [\(-r), \(r - 1)], but got \(dim))")
        return d
    }

    // MARK: - Autograd flags

    /// Whether operations on this tensor are recorded for backward.
    public var requiresGrad: Bool { gradFn != nil || leafRequiresGrad }

    /// A leaf is a tensor autograd did not compute: the user created it, or it was detached.
    public var isLeaf: Bool { gradFn == nil }

    /// Starts (or stops) recording operations on this leaf (`requires_grad_()`).
    @discardableResult
    public func requiresGrad_(_ flag: Bool = true) throws -> Tensor {
        guard isLeaf else {
            throw AutogradError("you can only change requires_grad flags of leaf variables. If you want to use a computed variable in a subgraph that doesn't require differentiation use var_no_grad = var.detach().")
        }
        leafRequiresGrad = flag
        return self
    }

    /// Asks `backward()` to fill `.grad` of this non-leaf tensor too (`retain_grad()`).
    public func retainGrad() {
        guard let node = gradFn else { return }
        retainsGrad = true
        node.retainedOutput = self
    }

    /// The node gradients for this tensor flow into: its `gradFn`, or for a leaf that requires
    /// grad, the accumulator that adds into `.grad` (one per leaf, shared by all its uses).
    func edge() -> Node? {
        if let gradFn { return gradFn }
        guard leafRequiresGrad else { return nil }
        // A leaf shared by graphs built on several threads gets one accumulator, as in PyTorch.
        Tensor.accumulatorLock.lock(); defer { Tensor.accumulatorLock.unlock() }
        if let accumulator { return accumulator }
        let node = Node(accumulating: self)
        accumulator = node
        return node
    }

    private static let accumulatorLock = NSLock()

    /// The gradient accumulated by `backward()`: nil until a backward pass reaches this leaf.
    ///
    /// Reading it on a non-leaf that doesn't `retainGrad()` gives nil and warns once on standard
    /// error, as PyTorch does. Assigning a gradient of another shape or dtype is a programming
    /// error that stops the program with PyTorch's message; `setGrad(_:)` throws it instead.
    public var grad: Tensor? {
        get {
            if !isLeaf && !retainsGrad { Warnings.once(.nonLeafGrad) }
            return storedGrad
        }
        set {
            do { try setGrad(newValue) } catch { preconditionFailure("\(error)") }
        }
    }

    /// Assigns `.grad` after PyTorch's checks: same dtype and shape as this tensor.
    public func setGrad(_ newGrad: Tensor?) throws {
        if let g = newGrad {
            guard g.dtype == dtype else {
                throw AutogradError("attempting to assign a gradient with dtype '\(g.dtype.cTypeName)' to a tensor with grad_dtype '\(dtype.scalarTypeName)'. The gradient must match the tensor's grad_dtype (defaults to the tensor's dtype). You can set the tensor's grad_dtype attribute with a specific dtype, or None to allow any dtype. Set grad_dtype with caution. Diverging the dtypes of a tensor and its gradient may break downstream systems that assume they match.")
            }
            guard g.shape == shape else {
                throw AutogradError("attempting to assign a gradient of size '[\(g.shape.map(String.init).joined(separator: ", "))]' to a tensor of size '[\(shape.map(String.init).joined(separator: ", "))]'. Please ensure that the gradient and the tensor are the same size")
            }
        }
        storedGrad = newGrad
    }

    /// A tensor sharing this one's values but cut from the graph: a leaf that doesn't require grad.
    public func detach() -> Tensor {
        Tensor(storage: storage, shape: shape, dtype: dtype)
    }

    /// The values without the graph, like `.data` in PyTorch (the same as `detach()` here).
    public var data: Tensor { detach() }

    // MARK: - Making results

    /// Wraps the result of an operation, recording `rule` as its backward when grad mode is on and
    /// an input requires grad. `saving` lists every value `rule` reads back: the node holds them,
    /// frees them after backward, and so refuses a second pass exactly when it saved something.
    /// When nothing is recorded they are dropped at once, so nothing stays alive.
    static func result(_ storage: TensorStorage, _ shape: [Int], _ dtype: DType, inputs: [Tensor],
                       name: String, saving: [SavedTensor?] = [],
                       rule: @escaping (Tensor) throws -> [Tensor?]) -> Tensor {
        if dtype == .float16 { storage.roundToHalf() }
        let out = Tensor(storage: storage, shape: shape, dtype: dtype)
        if ThreadState.current.gradEnabled && inputs.contains(where: { $0.requiresGrad }) {
            out.gradFn = Node(name: name, inputs: inputs, saving: saving, rule: rule)
            for case let s? in saving where s.isOutput { s.outputNode = out.gradFn }
        }
        if DualLevel.isActive {
            // Forward mode runs the rule too, recorded or not: what it reads is legitimately its own.
            for case let s? in saving { s.claimed = true }
            TangentRules.propagate(name: name, inputs: inputs, output: out, rule: rule)
            // A saved output is read back as a new tensor: it keeps the tangent, as PyTorch's
            // SavedVariable keeps the forward gradient, so forward-over-reverse sees it.
            if let tangent = DualLevel.tangent(of: out) {
                for case let s? in saving where s.isOutput { s.outputTangent = (tangent, DualLevel.level) }
            }
        }
        return out
    }

    /// Whether a result of operations on `inputs` would be recorded.
    static func recording(_ inputs: Tensor...) -> Bool {
        ThreadState.current.gradEnabled && inputs.contains(where: { $0.requiresGrad })
    }

    /// Whether an operation on `inputs` needs its derivative rule: when the operation is
    /// recorded, or when forward-mode AD is on (tangents are computed from the same rule).
    static func needsDerivative(_ inputs: Tensor...) -> Bool {
        ThreadState.current.gradEnabled && inputs.contains(where: { $0.requiresGrad }) || DualLevel.isActive
    }
}

extension Tensor: CustomStringConvertible {
    /// PyTorch's `repr`, to the character: `tensor([1., 2.], requires_grad=True)`.
    public var description: String {
        TensorFormatter.describe(values: scalars, shape: shape, dtype: dtype,
                                 requiresGrad: requiresGrad, gradFnName: gradFn?.name, tangent: tangent)
    }
}
