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
    /// For `AccumulateGrad` nodes: the leaf whose `.grad` they fill.
    let variable: Tensor?
    /// Hooks registered on the (non-leaf) output tensor; each may replace the incoming gradient.
    var tensorHooks: [Hook] = []
    /// The output tensor that asked to keep its gradient (`retainGrad()`).
    weak var retainedOutput: Tensor?
    /// Whether the rule holds saved tensors. Only such nodes are freed by a backward without
    /// `retainGraph` (and refuse a second pass), as in PyTorch: `x + 1` can be backpropagated
    /// through again, `x * x` cannot. Each operation says so itself; the default is to free.
    let savesTensors: Bool
    /// Called with the node's input and output gradients after it ran (module backward hooks).
    var postHooks: [([Tensor?], Tensor) -> Void] = []

    nonisolated(unsafe) private static var counter = 0

    init(name: String, inputs: [Tensor], savesTensors: Bool = true, rule: @escaping (Tensor) throws -> [Tensor?]) {
        self.name = name
        self.nextFunctions = inputs.map { $0.requiresGrad ? $0.edge() : nil }
        self.inputShapes = inputs.map(\.shape)
        self.inputDTypes = inputs.map(\.dtype)
        self.rule = rule
        self.variable = nil
        self.savesTensors = savesTensors
        Node.counter += 1
        self.sequenceNumber = Node.counter
    }

    /// The node that accumulates gradients into a leaf.
    init(accumulating leaf: Tensor) {
        self.name = "AccumulateGrad"
        self.nextFunctions = []
        self.inputShapes = [leaf.shape]
        self.inputDTypes = [leaf.dtype]
        self.rule = nil
        self.variable = leaf
        self.savesTensors = false
        self.sequenceNumber = Int.max
    }

    var isAccumulator: Bool { variable != nil }

    /// `<MulBackward0>`, as Python shows a `grad_fn` without its address.
    public var description: String { "<\(name)>" }

    /// Registers a hook run after this node computed its input gradients:
    /// `hook(gradInputs, gradOutput)` (PyTorch's `Node.register_hook`).
    public func registerHook(_ hook: @escaping ([Tensor?], Tensor) -> Void) {
        postHooks.append(hook)
    }
}

/// A gradient hook with an identity, so that its handle can remove it.
struct Hook {
    let id: Int
    let body: (Tensor) -> Tensor?
    nonisolated(unsafe) static var nextID = 0
    static func makeID() -> Int { nextID += 1; return nextID }
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
final class SavedTensor {
    let tensor: Tensor
    let version: Int

    init(_ tensor: Tensor) {
        self.tensor = tensor
        self.version = tensor.storage.version
        SavedTensorStatistics.count += 1
        SavedTensorStatistics.elements += tensor.count
    }

    deinit {
        SavedTensorStatistics.count -= 1
        SavedTensorStatistics.elements -= tensor.count
    }

    func unpack() throws -> Tensor {
        let current = tensor.storage.version
        guard current == version else {
            var text = "one of the variables needed for gradient computation has been modified by an inplace operation: [\(tensor.dtype.legacyTypeName) [\(tensor.shape.map(String.init).joined(separator: ", "))]]"
            if let fn = tensor.gradFn {
                text += ", which is output 0 of \(Node.shortName(fn.name)),"
            }
            text += " is at version \(current); expected version \(version) instead. Hint: enable anomaly detection to find the operation that failed to compute its gradient, with torch.autograd.set_detect_anomaly(True)."
            throw AutogradError(text)
        }
        return tensor
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
public enum SavedTensorStatistics {
    /// Saved tensors currently held by recorded graphs.
    nonisolated(unsafe) public internal(set) static var count = 0
    /// Their elements, summed (a saved view counts its elements again).
    nonisolated(unsafe) public internal(set) static var elements = 0
}
