import Foundation

/// Runs the chain rule backwards through a graph.
///
/// Nodes run once each, when every gradient flowing into them has arrived (a dependency count
/// found by one walk from the roots), later-created nodes first as in PyTorch. A value used many
/// times therefore gets the sum of its gradients before its own rule runs, and no node is visited
/// twice however diamond-shaped the graph.
enum Engine {
    /// Held while a gradient is added into a leaf (recursive: a hook may itself run backward).
    static let accumulationLock = NSRecursiveLock()

    static let freedGraphMessage = "Trying to backward through the graph a second time (or directly access saved tensors after they have already been freed). Saved intermediate values of the graph are freed when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the graph a second time or if you need to access saved tensors after calling backward."

    /// Computes gradients of `roots` (seeded with `seeds`). With `capture`, returns the gradients
    /// arriving at those nodes instead of accumulating into leaves (`autograd.grad`).
    /// With `stopAtCaptured`, captured nodes are a boundary: the walk doesn't go past them and
    /// they never run (not even their hooks), so a checkpoint's inner backward pass hands their
    /// gradients to the outer pass instead of running part of the outer graph itself.
    static func run(roots: [Tensor], seeds: [Tensor?], retainGraph: Bool, createGraph: Bool,
                    capture: [Node]? = nil, stopAtCaptured: Bool = false) throws -> [ObjectIdentifier: Tensor] {
        var rootNodes: [(Node, Tensor)] = []
        for (i, (root, seed)) in zip(roots, seeds).enumerated() {
            guard root.requiresGrad, let node = root.edge() else {
                throw AutogradError("element \(i) of tensors does not require grad and does not have a grad_fn")
            }
            let gradient: Tensor
            if let seed {
                guard seed.shape == root.shape else {
                    throw AutogradError("Mismatch in shape: grad_output[\(i)] has a shape of \(Tensor.sizeText(seed.shape)) and output[\(i)] has a shape of \(Tensor.sizeText(root.shape)).")
                }
                gradient = seed.dtype == root.dtype ? seed : seed.to(root.dtype)
            } else {
                guard root.count == 1 else {
                    throw AutogradError("grad can be implicitly created only for scalar outputs")
                }
                gradient = Tensor.onesLike(root)
            }
            rootNodes.append((node, gradient))
        }

        let boundary: Set<ObjectIdentifier> = stopAtCaptured ? Set((capture ?? []).map(ObjectIdentifier.init)) : []

        // One walk to count, for each reachable node, how many edges bring it a gradient.
        var dependencies: [ObjectIdentifier: Int] = [:]
        var seen: Set<ObjectIdentifier> = []
        var stack = rootNodes.map { $0.0 }
        for node in stack { seen.insert(ObjectIdentifier(node)) }
        var order: [Node] = []
        while let node = stack.popLast() {
            order.append(node)
            if boundary.contains(ObjectIdentifier(node)) { continue }
            for next in node.nextFunctions {
                guard let next else { continue }
                let id = ObjectIdentifier(next)
                dependencies[id, default: 0] += 1
                if seen.insert(id).inserted { stack.append(next) }
            }
        }

        // With `capture`, only nodes on a path to a captured node need to run.
        var needed: Set<ObjectIdentifier>? = nil
        var captured: [ObjectIdentifier: Tensor] = [:]
        var captureSet: Set<ObjectIdentifier> = []
        if let capture {
            captureSet = Set(capture.map(ObjectIdentifier.init))
            needed = neededNodes(order, targets: captureSet)
        }

        return try setGradEnabled(createGraph) {
            var buffers: [ObjectIdentifier: Tensor] = [:]
            var ready = NodeQueue()
            for (node, gradient) in rootNodes {
                let id = ObjectIdentifier(node)
                buffers[id] = buffers[id].map { $0 + gradient } ?? gradient
            }
            for (node, _) in rootNodes where dependencies[ObjectIdentifier(node)] == nil {
                if !ready.contains(node) { ready.push(node) }
            }

            while let node = ready.pop() {
                let id = ObjectIdentifier(node)
                if boundary.contains(id) {
                    if let gradient = buffers.removeValue(forKey: id) { captured[id] = gradient }
                    continue
                }
                guard var gradient = buffers.removeValue(forKey: id) else {
                    // Every path into this node carried no gradient: pass that on, so the nodes
                    // after it still learn that nothing more is coming.
                    for next in node.nextFunctions.compactMap({ $0 }) {
                        let nextID = ObjectIdentifier(next)
                        dependencies[nextID, default: 1] -= 1
                        if dependencies[nextID] == 0 && !ready.contains(next) { ready.push(next) }
                    }
                    continue
                }
                for hook in node.tensorHooks {
                    if let replaced = try hook.body(gradient) { gradient = replaced }
                }
                if capture != nil, let leaf = node.variable {
                    // autograd.grad returns a leaf's gradient after the hooks on that leaf, as
                    // backward would accumulate it.
                    for hook in leaf.hooks {
                        if let replaced = try hook.body(gradient) { gradient = replaced }
                    }
                }
                if let kept = node.retainedOutput {
                    kept.storedGrad = kept.storedGrad.map { $0 + gradient } ?? (createGraph ? gradient : gradient.detach())
                }
                if captureSet.contains(id) {
                    captured[id] = gradient
                }
                if let leaf = node.variable {
                    if capture == nil {
                        // Backward passes on several threads may reach one leaf: one at a time,
                        // as PyTorch's AccumulateGrad does under its mutex.
                        accumulationLock.lock()
                        defer { accumulationLock.unlock() }
                        try accumulateIntoLeaf(leaf, gradient, createGraph: createGraph)
                        for hook in node.postHooks { hook.body([], gradient) }
                    }
                    continue
                }
                if let needed, !node.nextFunctions.contains(where: { $0.map { needed.contains(ObjectIdentifier($0)) } ?? false }) {
                    continue
                }
                guard let rule = node.rule else { throw AutogradError(freedGraphMessage) }
                let inputGrads = try rule(gradient)
                try validate(inputGrads, of: node)
                for hook in node.postHooks { hook.body(inputGrads, gradient) }
                if !retainGraph && node.savesTensors { node.releaseSaved() }
                for (next, inputGrad) in zip(node.nextFunctions, inputGrads) {
                    guard let next else { continue }
                    let nextID = ObjectIdentifier(next)
                    if let inputGrad {
                        buffers[nextID] = buffers[nextID].map { $0 + inputGrad } ?? inputGrad
                    }
                    let remaining = dependencies[nextID, default: 1] - 1
                    dependencies[nextID] = remaining
                    if remaining == 0 && !ready.contains(next) { ready.push(next) }
                }
            }
            return captured
        }
    }

    /// Adds a gradient into a leaf's `.grad`: the first one is stored (detached unless building a
    /// higher-order graph), later ones are summed. Hooks on the leaf run first and may replace it.
    static func accumulateIntoLeaf(_ leaf: Tensor, _ incoming: Tensor, createGraph: Bool) throws {
        var gradient = incoming
        for hook in leaf.hooks {
            if let replaced = try hook.body(gradient) { gradient = replaced }
        }
        if let existing = leaf.storedGrad {
            if createGraph || existing.requiresGrad {
                leaf.storedGrad = existing + gradient
            } else {
                existing.addInPlaceUnchecked(gradient)
            }
        } else {
            // A fresh copy: the incoming tensor may be shared (an add passes one gradient to both of its
            // inputs), and `.grad` is later changed in place by accumulation and `zero_()`.
            leaf.storedGrad = createGraph ? gradient : gradient.detach().clone()
        }
        for hook in leaf.postAccumulateHooks { try hook.body(leaf) }
    }

    /// A rule must return one gradient per input, each of the input's shape.
    static func validate(_ grads: [Tensor?], of node: Node) throws {
        guard grads.count == node.nextFunctions.count else {
            throw AutogradError("function \(node.name) returned an incorrect number of gradients (expected \(node.nextFunctions.count), got \(grads.count))")
        }
        for (i, g) in grads.enumerated() {
            guard let g, node.nextFunctions[i] != nil else { continue }
            if g.shape != node.inputShapes[i] {
                throw AutogradError("Function \(node.name) returned an invalid gradient at index \(i) - got \(g.shape) but expected shape compatible with \(node.inputShapes[i])")
            }
        }
    }

    /// The nodes from which some target can be reached.
    static func neededNodes(_ nodes: [Node], targets: Set<ObjectIdentifier>) -> Set<ObjectIdentifier> {
        var memo: [ObjectIdentifier: Bool] = [:]
        // Iterative post-order so long chains don't overflow the stack.
        for start in nodes {
            var stack: [(Node, Int)] = [(start, 0)]
            while let (node, i) = stack.last {
                let id = ObjectIdentifier(node)
                if memo[id] != nil { stack.removeLast(); continue }
                if i < node.nextFunctions.count {
                    stack[stack.count - 1].1 += 1
                    if let next = node.nextFunctions[i], memo[ObjectIdentifier(next)] == nil {
                        stack.append((next, 0))
                    }
                } else {
                    stack.removeLast()
                    memo[id] = targets.contains(id) || node.nextFunctions.contains {
                        $0.map { memo[ObjectIdentifier($0)] ?? false } ?? false
                    }
                }
            }
        }
        return Set(memo.filter(\.value).keys)
    }
}

/// Ready nodes, highest sequence number first (accumulators first of all), as PyTorch orders them.
struct NodeQueue {
    private var heap: [Node] = []
    private var members: Set<ObjectIdentifier> = []

    func contains(_ node: Node) -> Bool { members.contains(ObjectIdentifier(node)) }

    mutating func push(_ node: Node) {
        members.insert(ObjectIdentifier(node))
        heap.append(node)
        var i = heap.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            if heap[parent].sequenceNumber >= heap[i].sequenceNumber { break }
            heap.swapAt(parent, i)
            i = parent
        }
    }

    mutating func pop() -> Node? {
        guard !heap.isEmpty else { return nil }
        heap.swapAt(0, heap.count - 1)
        let top = heap.removeLast()
        members.remove(ObjectIdentifier(top))
        var i = 0
        while true {
            let l = 2 * i + 1, r = l + 1
            var best = i
            if l < heap.count && heap[l].sequenceNumber > heap[best].sequenceNumber { best = l }
            if r < heap.count && heap[r].sequenceNumber > heap[best].sequenceNumber { best = r }
            if best == i { break }
            heap.swapAt(i, best)
            i = best
        }
        return top
    }
}

extension Tensor {
    /// Computes the gradient of this tensor with respect to the leaves of its graph and adds it
    /// into their `.grad` (`backward()`).
    ///
    /// - Parameters:
    ///   - gradient: dL/d(self) for a non-scalar tensor: the vector of a vector-Jacobian product.
    ///   - retainGraph: keep saved values so backward can run through this graph again; defaults to
    ///     `createGraph`.
    ///   - createGraph: record the backward pass itself, so gradients can be differentiated again.
    public func backward(gradient: Tensor? = nil, retainGraph: Bool? = nil, createGraph: Bool = false) throws {
        _ = try Engine.run(roots: [self], seeds: [gradient], retainGraph: retainGraph ?? createGraph,
                           createGraph: createGraph)
    }

    /// `torch.Size([2, 3])`, as PyTorch prints a shape in messages.
    static func sizeText(_ shape: [Int]) -> String {
        "torch.Size([\(shape.map(String.init).joined(separator: ", "))])"
    }
}

/// The gradients of `outputs` with respect to `inputs`, returned rather than accumulated into
/// `.grad` (`torch.autograd.grad`).
///
/// - Parameters:
///   - gradOutputs: the vectors of the vector-Jacobian products, one per output (nil: a scalar
///     output's implicit 1).
///   - allowUnused: return nil for an input the outputs don't depend on, instead of throwing.
public func grad(outputs: [Tensor], inputs: [Tensor], gradOutputs: [Tensor?]? = nil,
                 retainGraph: Bool? = nil, createGraph: Bool = false, allowUnused: Bool = false) throws -> [Tensor?] {
    var captureNodes: [Node?] = []
    for input in inputs {
        guard input.requiresGrad else {
            throw AutogradError("One of the differentiated Tensors does not require grad")
        }
        captureNodes.append(input.edge())
    }
    let seeds = gradOutputs ?? Array(repeating: nil, count: outputs.count)
    guard seeds.count == outputs.count else {
        throw AutogradError("grad requires one gradient per output (got \(seeds.count) gradients and \(outputs.count) outputs)")
    }
    let captured = try Engine.run(roots: outputs, seeds: seeds, retainGraph: retainGraph ?? createGraph,
                                  createGraph: createGraph, capture: captureNodes.compactMap { $0 })
    return try captureNodes.enumerated().map { index, node in
        guard let node, let g = captured[ObjectIdentifier(node)] else {
            if allowUnused { return nil }
            throw AutogradError("The differentiated Tensor at index \(index) appears to not have been used in the graph. Set allow_unused=True if this is the desired behavior.")
        }
        return g
    }
}

/// `grad(outputs:inputs:)` for one output and one input.
public func grad(_ output: Tensor, _ input: Tensor, gradOutput: Tensor? = nil, retainGraph: Bool? = nil,
                 createGraph: Bool = false) throws -> Tensor {
    try grad(outputs: [output], inputs: [input], gradOutputs: [gradOutput], retainGraph: retainGraph,
             createGraph: createGraph)[0]!
}
