import Foundation

/// A node of the backward graph: PyTorch's `grad_fn`.
///
/// Every differentiable result records the node that computes its inputs' gradients from its own.
/// A node holds the nodes of its inputs (`nextFunctions`) and the values it saved in the forward
/// pass, never its own output, so a graph can't keep itself alive: dropping the loss frees it.
public final class Node: CustomStringConvertible {
    /// PyTorch's name for the node (`MulBackward0`), shown in `grad_fn=<...>`.
    public let name: String
    /// The nodes that receive this node's input gradients, one per input (nil: no gradient needed).
    public let nextFunctions: [Node?]
    /// Creation order; the engine runs later nodes first among those ready, as PyTorch does.
    let sequenceNumber: Int
    /// The shapes and types of the inputs, to check the gradients a backward rule returns.
    let inputShapes: [[Int]]
    let inputDTypes: [DType]
    /// The backward rule; nil once the graph has been freed by a backward without `retainGraph`.
    var rule: ((Tensor) throws -> [Tensor?])?
    /// For `AccumulateGrad` nodes: the leaf whose `.grad` they fill (`grad_fn.next_functions[i][0].variable`).
    public let variable: Tensor?
    /// Hooks registered on the (non-leaf) output tensor; each may replace the incoming gradient.
    var tensorHooks: [Hook] = []
    /// The output tensor that asked to keep its gradient (`retainGrad()`).
    weak var retainedOutput: Tensor?
    /// The values the rule reads, handed over by the operation that recorded the node.
    private(set) var saved: [SavedTensor]
    /// Whether the node saved anything. Only such nodes are freed by a backward without
    /// `retainGraph` (and refuse a second pass), as in PyTorch: `x + 1` can be backpropagated
    /// through again, `x * x` and `x * 2.0` cannot. Derived from what was saved, never declared.
    var savesTensors: Bool { !saved.isEmpty }
    /// Called with the node's input and output gradients after it ran (`Node.register_hook`).
    var postHooks: [(id: Int, body: ([Tensor?], Tensor) -> Void)] = []

    static let counter = AtomicCounter()

    init(name: String, inputs: [Tensor], saving: [SavedTensor?] = [], rule: @escaping (Tensor) throws -> [Tensor?]) {
        self.name = name
        self.nextFunctions = inputs.map { $0.requiresGrad ? $0.edge() : nil }
        self.inputShapes = inputs.map(\.shape)
        self.inputDTypes = inputs.map(\.dtype)
        self.rule = rule
        self.variable = nil
        self.saved = saving.compactMap { $0 }
        self.sequenceNumber = Node.counter.next()
        for s in saved { s.claimed = true }
    }

    /// Frees what the node saved (a backward pass without `retainGraph`): the rule can't run again.
    func releaseSaved() {
        rule = nil
        for s in saved { s.release() }
        saved = []
    }

    /// The node that accumulates gradients into a leaf.
    init(accumulating leaf: Tensor) {
        self.name = "AccumulateGrad"
        self.nextFunctions = []
        self.inputShapes = [leaf.shape]
        self.inputDTypes = [leaf.dtype]
        self.rule = nil
        self.variable = leaf
        self.saved = []
        self.sequenceNumber = Int.max
    }

    var isAccumulator: Bool { variable != nil }

    /// `<MulBackward0>`, as Python shows a `grad_fn` without its address.
    public var description: String { "<\(name)>" }

    /// Registers a hook run after this node computed its input gradients:
    /// `hook(gradInputs, gradOutput)` (PyTorch's `Node.register_hook`). On a leaf's
    /// `AccumulateGrad` node it runs after the gradient was added into `.grad`, with no input
    /// gradients. `remove()` on the returned handle unregisters it.
    @discardableResult
    public func registerHook(_ hook: @escaping ([Tensor?], Tensor) -> Void) -> RemovableHandle {
        let id = Hook.makeID()
        postHooks.append((id, hook))
        return RemovableHandle { [weak self] in self?.postHooks.removeAll { $0.id == id } }
    }
}

/// A counter several threads may advance at once (graphs are built on any thread).
final class AtomicCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Int

    init(_ start: Int = 0) { value = start }

    /// The next value: each call gets a different one.
    func next() -> Int {
        lock.lock(); defer { lock.unlock() }
        value += 1
        return value
    }

    /// The last value handed out.
    var current: Int {
        lock.lock(); defer { lock.unlock() }
        return value
    }
}

/// A gradient hook with an identity, so that its handle can remove it.
struct Hook {
    let id: Int
    let body: (Tensor) throws -> Tensor?
    private static let ids = AtomicCounter()
    static func makeID() -> Int { ids.next() }
}

/// Returned by every `register...Hook`; `remove()` unregisters the hook (PyTorch's
/// `RemovableHandle`). Dropping the handle does not remove the hook.
public final class RemovableHandle {
    private var onRemove: (() -> Void)?

    public init(_ onRemove: @escaping () -> Void) { self.onRemove = onRemove }

    /// Unregisters the hook; calling it again does nothing.
    public func remove() {
        onRemove?()
        onRemove = nil
    }
}

/// A tensor saved for the backward pass, with the version it had when saved, so that the engine
/// can refuse to use it if it was changed in place since (PyTorch's `SavedVariable`).
///
/// An operation that saves its own output (exp, tanh, sigmoid, sqrt, pow) keeps the values and a
/// weak reference to its node, as PyTorch does: holding the output itself would make the node own
/// itself. When a recorded backward pass unpacks it, the output comes back attached to that node,
/// so second-order gradients flow through the operation again (and through hooks on its output).
final class SavedTensor {
    private var tensor: Tensor?
    private let version: Int
    /// For a saved output, the name of its node, for the message of a version mismatch; nil for
    /// any other saved tensor.
    private let producerName: String?
    /// Counted in `SavedTensorStatistics`: PyTorch's pack hooks don't see a Python number saved
    /// as a 0-d tensor (`x * 2.0`), so neither does the count.
    private let counted: Bool
    private let elements: Int
    /// Whether this is the output of the operation that saves it (it has a producer name).
    var isOutput: Bool { producerName != nil }
    /// For a saved output: the node that made it.
    weak var outputNode: Node?
    /// Set when a node takes it: a rule must only read values its node holds (and frees).
    var claimed = false
    /// For a saved output under forward mode: its tangent, and the level that computed it.
    var outputTangent: (tangent: Tensor, level: Int)?

    init(_ tensor: Tensor, counted: Bool = true) {
        self.tensor = tensor
        self.version = tensor.storage.version
        self.producerName = nil
        self.counted = counted
        self.elements = tensor.count
        if counted { SavedTensorStatistics.add(count: 1, elements: elements) }
    }

    /// Saves the output of the operation being recorded; set `outputNode` once its node exists.
    init(output storage: TensorStorage, shape: [Int], dtype: DType, name: String) {
        self.tensor = Tensor(storage: storage, shape: shape, dtype: dtype)
        self.version = storage.version
        self.producerName = name
        self.counted = true
        self.elements = Shape.count(shape)
        SavedTensorStatistics.add(count: 1, elements: elements)
    }

    /// A Python number an operation saves as a 0-d tensor (`x * 2.0`): not counted, but its node
    /// saved something, so it is freed by backward like any other.
    convenience init(scalar: Double, dtype: DType) {
        self.init(Tensor(scalar, dtype: dtype), counted: false)
    }

    /// Drops the value (the graph was freed); reading it afterwards is an error.
    func release() {
        guard tensor != nil else { return }
        tensor = nil
        outputTangent = nil
        if counted { SavedTensorStatistics.add(count: -1, elements: -elements) }
    }

    deinit { release() }

    func unpack() throws -> Tensor {
        assert(claimed, "a backward rule read a saved tensor its node does not hold: pass it in `saving:`")
        guard let tensor else { throw AutogradError(Engine.freedGraphMessage) }
        let current = tensor.storage.version
        guard current == version else {
            var text = "one of the variables needed for gradient computation has been modified by an inplace operation: [\(tensor.dtype.legacyTypeName) [\(tensor.shape.map(String.init).joined(separator: ", "))]]"
            if let name = producerName ?? tensor.gradFn?.name {
                text += ", which is output 0 of \(Node.shortName(name)),"
            }
            text += " is at version \(current); expected version \(version) instead. Hint: enable anomaly detection to find the operation that failed to compute its gradient, with torch.autograd.set_detect_anomaly(True, check_nan=False)."
            throw AutogradError(text)
        }
        var out = tensor
        if isOutput, isGradEnabled, let node = outputNode {
            out = Tensor(storage: tensor.storage, shape: tensor.shape, dtype: tensor.dtype, gradFn: node)
        }
        if let (tangent, level) = outputTangent, DualLevel.isActive, DualLevel.level == level {
            DualLevel.setTangent(tangent, of: out)
        }
        return out
    }
}

extension Node {
    /// `AddBackward0` → `Add`: how PyTorch names the operation in the version-counter message.
    static func shortName(_ name: String) -> String {
        guard let range = name.range(of: "Backward") else { return name }
        return String(name[..<range.lowerBound])
    }
}

/// How much the graphs alive right now keep for their backward passes: the number of saved
/// tensors and their total number of elements. A graph's saved tensors are released by a backward
/// pass without `retainGraph`, or when the graph is dropped; checkpointing keeps fewer of them.
/// The totals are shared by every thread, so they are updated under a lock.
public enum SavedTensorStatistics {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var totals = (count: 0, elements: 0)

    /// Saved tensors currently held by recorded graphs.
    public static var count: Int { lock.lock(); defer { lock.unlock() }; return totals.count }
    /// Their elements, summed (a saved view counts its elements again).
    public static var elements: Int { lock.lock(); defer { lock.unlock() }; return totals.elements }

    static func add(count: Int, elements: Int) {
        lock.lock(); defer { lock.unlock() }
        totals.count += count
        totals.elements += elements
    }
}
