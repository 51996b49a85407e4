/// Activation checkpointing: trading computation for memory (`torch.utils.checkpoint`).
///
/// A recorded graph keeps the values its backward rules need (`SavedTensorStatistics` counts
/// them) until backward runs, so a deep network holds every intermediate activation at once.
/// `checkpoint(block, inputs)` keeps only `inputs`: the block's own intermediates are dropped as
/// soon as its forward pass ends, and the backward pass runs the block a second time, with
/// recording on, to get them back just before they are needed. Memory for the block falls from
/// "all its activations" to "its inputs", at the price of one more forward pass of it.
///
/// The gradients are the same as without checkpointing, to the last bit, as long as `function`
/// computes the same thing twice. The random generator and the autocast setting are restored for
/// the second run, so random draws inside the block repeat; don't change the block's inputs in
/// place, or anything it reads, between the forward and the backward pass.
///
/// As with PyTorch's non-reentrant checkpoint (`use_reentrant=False`), tensors that `function`
/// closes over take part like ordinary inputs: parameters it reads get their `.grad`, and
/// `grad(outputs:inputs:)` can ask for their gradients. To find them, the first run records the
/// block's graph for a moment (so the result knows whether it requires grad and which outside
/// tensors it depends on) and drops it before returning; the result records a single node,
/// `CheckpointFunctionBackward`, in place of the block's graph.
///
/// - Parameters:
///   - function: the block; it is called twice, so it should have no side effects beyond its result.
///   - inputs: the tensors passed to `function`, kept until backward.
/// - Returns: the block's result. Under `noGrad` the block simply runs once.
public func checkpoint(_ function: @escaping ([Tensor]) throws -> Tensor, _ inputs: [Tensor]) throws -> Tensor {
    guard isGradEnabled else { return try function(inputs) }
    let replay = CheckpointReplay()
    // Stand-ins for the inputs: leaves, so the walk below tells them apart from outside tensors.
    let probes = try inputs.map { try $0.detach().requiresGrad_($0.requiresGrad).carryingTangent(of: $0) }
    let firstNode = Node.nextSequenceNumber()
    let probeOutput = try function(probes)
    guard probeOutput.requiresGrad else { return probeOutput }
    let boundary = CheckpointBoundary(of: probeOutput, probes: probes, createdFrom: firstNode)

    let saved = inputs.map { SavedTensor($0) }
    let reentry = ReentryGuard()
    let outside = boundary.nodes
    let shape = probeOutput.shape
    let checkpointed = Tensor.result(probeOutput.storage, shape, probeOutput.dtype, inputs: inputs + boundary.standIns,
                                     name: "CheckpointFunctionBackward", saving: saved) { g in
        // A block whose closure reads this checkpoint's own output (a captured `var` reassigned
        // after the call) would recompute itself forever: refuse instead of overflowing the stack.
        guard !reentry.active else {
            throw AutogradError("checkpoint: recomputing the checkpointed function reached the checkpoint's own output; the function must compute its result from its inputs (and tensors created before the checkpoint), not from a variable reassigned after it")
        }
        reentry.active = true
        defer { reentry.active = false }
        let createGraph = isGradEnabled
        let (fresh, recomputed) = try replay.run {
            try enableGrad { () throws -> ([Tensor], Tensor) in
                // Each input that requires grad enters through an identity node: the inner pass
                // stops there, and with createGraph the gradients it returns stay connected to
                // the real inputs, so they can be differentiated again.
                let fresh = try saved.map { s -> Tensor in
                    let input = try s.unpack()
                    guard input.requiresGrad else { return input.detach() }
                    return Tensor.result(input.storage, input.shape, input.dtype, inputs: [input],
                                         name: "AliasBackward0") { g in [g] }
                }
                return (fresh, try function(fresh))
            }
        }
        guard recomputed.shape == shape else {
            throw AutogradError("checkpoint: the recomputed output has shape \(recomputed.shape) but the forward pass gave \(shape); the checkpointed function must compute the same thing each time")
        }
        let inputNodes = fresh.map(\.gradFn)
        guard recomputed.requiresGrad else { return Array(repeating: nil, count: inputNodes.count + outside.count) }
        // Backward through the recomputed graph, stopping where it meets the outer graph: the
        // gradients arriving there are handed back to the outer backward pass, which delivers
        // them (to `.grad` of closed-over parameters, or on through earlier operations).
        let captured = try Engine.run(roots: [recomputed], seeds: [g], retainGraph: createGraph,
                                      createGraph: createGraph,
                                      capture: inputNodes.compactMap { $0 } + outside, stopAtCaptured: true)
        return inputNodes.map { $0.flatMap { captured[ObjectIdentifier($0)] } }
            + outside.map { captured[ObjectIdentifier($0)] }
    }
    // In forward mode the block's first run computed the tangent; the result keeps it.
    if DualLevel.isActive { DualLevel.setTangent(DualLevel.tangent(of: probeOutput), of: checkpointed) }
    return checkpointed
}

/// `checkpoint` for a block of one tensor: `checkpoint({ h in (h.matmul(w1)).tanh() }, x)`.
public func checkpoint(_ function: @escaping (Tensor) throws -> Tensor, _ input: Tensor) throws -> Tensor {
    try checkpoint({ try function($0[0]) }, [input])
}

/// The random generator state and autocast setting at the first run of a checkpointed block,
/// put back for the recomputation (PyTorch's `preserve_rng_state`), then restored.
final class CheckpointReplay {
    private let generator = DefaultGenerator.shared
    private let autocastType = ThreadState.current.autocastDType

    func run<T>(_ body: () throws -> T) rethrows -> T {
        let state = ThreadState.current
        let (currentGenerator, currentAutocast) = (DefaultGenerator.shared, state.autocastDType)
        DefaultGenerator.shared = generator
        state.autocastDType = autocastType
        defer {
            DefaultGenerator.shared = currentGenerator
            state.autocastDType = currentAutocast
        }
        return try body()
    }
}

/// Where a checkpointed block's graph meets the rest: the nodes outside the block its result
/// depends on (accumulators of closed-over parameters, and nodes of tensors computed before the
/// block), found by walking the graph of the first run from its output. Nodes created during
/// the block have sequence numbers from `firstNode` on; everything else is outside.
struct CheckpointBoundary {
    /// The outside nodes, in the order first met.
    private(set) var nodes: [Node] = []
    /// One tensor per outside node whose edge is that node, to record the checkpoint node's
    /// inputs: the closed-over leaf itself, or a shape-only placeholder for a non-leaf tensor.
    private(set) var standIns: [Tensor] = []

    init(of output: Tensor, probes: [Tensor], createdFrom firstNode: Int) {
        let probeNodes = Set(probes.compactMap { $0.requiresGrad ? $0.edge() : nil }.map(ObjectIdentifier.init))
        var inside: Set<ObjectIdentifier> = []
        var seenOutside: Set<ObjectIdentifier> = []
        func isOutside(_ node: Node) -> Bool { node.isAccumulator || node.sequenceNumber < firstNode }
        func visit(_ node: Node, shape: [Int], dtype: DType, stack: inout [Node]) {
            let id = ObjectIdentifier(node)
            if probeNodes.contains(id) { return }
            if isOutside(node) {
                guard seenOutside.insert(id).inserted else { return }
                nodes.append(node)
                standIns.append(node.variable
                    ?? Tensor(storage: TensorStorage(floats: []), shape: shape, dtype: dtype, gradFn: node))
            } else if inside.insert(id).inserted {
                stack.append(node)
            }
        }
        var stack: [Node] = []
        if let root = output.edge() { visit(root, shape: output.shape, dtype: output.dtype, stack: &stack) }
        while let node = stack.popLast() {
            for (i, next) in node.nextFunctions.enumerated() {
                guard let next else { continue }
                visit(next, shape: node.inputShapes[i], dtype: node.inputDTypes[i], stack: &stack)
            }
        }
    }
}

extension Node {
    /// The sequence number the next recorded node will get: every node created from now on has
    /// at least this number (nodes are numbered in creation order).
    static func nextSequenceNumber() -> Int {
        Node.counter.current + 1
    }
}

/// Marks a checkpoint whose backward is running, to catch a block that recomputes into itself.
private final class ReentryGuard {
    var active = false
}
