import Foundation
import Autograd
import GraderKit

private func makeChain(depth: Int, width: Int = 6) -> Chain {
    Chain(weights: (0..<depth).map { _ in Random.tensor([width, width], in: -0.8...0.8, requiresGrad: true) },
          biases: (0..<depth).map { _ in Random.tensor([width], in: -0.5...0.5, requiresGrad: true) })
}

private func plainForward(_ chain: Chain, _ input: Tensor) -> Tensor {
    var h = input
    for i in 0..<chain.depth { h = (h.matmul(chain.weights[i]) + chain.biases[i]).tanh() }
    return h
}

private func clearGrads(_ chain: Chain) {
    for p in chain.weights + chain.biases { p.grad = nil }
}

/// The gradients of sum(out)·(fixed weights) with respect to the input, every weight and bias.
private struct Gradients { let input: Tensor?; let weights: [Tensor?]; let biases: [Tensor?] }

private func gradients(_ chain: Chain, _ input: Tensor, _ forward: (Tensor) throws -> Tensor) throws -> Gradients {
    clearGrads(chain)
    input.grad = nil
    let out = try forward(input)
    let mix = Tensor((0..<out.count).map { Double($0 % 5) - 2 }, shape: out.shape, dtype: .float64)
    try (out * mix).sum().backward()
    return Gradients(input: input.grad, weights: chain.weights.map(\.grad), biases: chain.biases.map(\.grad))
}

private let cases: [(depth: Int, segments: Int)] = [(8, 2), (8, 4), (7, 3), (6, 1)]

let checks = CheckSuite {
    Check("run_layers", "runLayers applies the layers of a range, in order, once each",
          hint: "runLayers must apply the given layers in order, each to the previous one's output.") {
        let chain = makeChain(depth: 6)
        let x = Random.tensor([4, 6])
        var expected = x
        for i in 2..<5 { expected = (expected.matmul(chain.weights[i]) + chain.biases[i]).tanh() }
        let yours = runLayers(chain, 2..<5, x)
        try expect(chain.layerCalls == 3, "runLayers(chain, 2..<5, x) called chain.layer \(chain.layerCalls) times; it should call it once for each of the 3 layers")
        try expectClose(yours, expected, atol: 1e-12, rtol: 1e-12, "runLayers(chain, 2..<5, x)")
    }

    Check("same_output", "checkpointedForward computes the plain chain's output, running every layer once",
          hint: "Segment s runs the layers s·depth/segments ..< (s+1)·depth/segments.") {
        for (depth, segments) in cases {
            let chain = makeChain(depth: depth)
            let x = Random.tensor([4, 6])
            let expected = plainForward(chain, x)
            chain.layerCalls = 0
            let yours = try checkpointedForward(chain, x, segments: segments)
            let what = "depth \(depth), \(segments) segment\(segments == 1 ? "" : "s")"
            if chain.layerCalls < depth {
                throw CheckFailure("with \(what), only \(chain.layerCalls) of \(depth) layers ran in the forward pass: the segments must cover every layer. With depth / segments layers per segment, the last \(depth % segments) layer(s) are left out when segments doesn't divide the depth; use the bounds s·depth/segments ..< (s+1)·depth/segments")
            }
            if chain.layerCalls > depth {
                throw CheckFailure("with \(what), the forward pass called chain.layer \(chain.layerCalls) times for \(depth) layers: each layer runs once in the forward pass (checkpoint runs it again only in backward)")
            }
            try expectClose(yours, expected, atol: 1e-12, rtol: 1e-12, "checkpointedForward (\(what))")
        }
    }

    Check("saved_per_segment", "after the forward pass, the graph keeps one saved tensor per segment",
          hint: "The forward keeps more than one input per segment: the segments are not all checkpointed.\nOne checkpoint(...) call per segment: it keeps only the segment's input.") {
        for (depth, segments) in cases where segments > 1 {
            let chain = makeChain(depth: depth)
            let x = Random.tensor([4, 6], requiresGrad: true)
            let plainCount: Int = {
                let before = SavedTensorStatistics.count
                let out = plainForward(chain, x)
                return withExtendedLifetime(out) { SavedTensorStatistics.count - before }
            }()
            let before = SavedTensorStatistics.count
            let out = try checkpointedForward(chain, x, segments: segments)
            let kept = SavedTensorStatistics.count - before
            try withExtendedLifetime(out) {
                let what = "depth \(depth), \(segments) segments"
                if kept == segments {
                    // Evidence for grading: the output, where the segments split the chain evenly
                    // (same_output judges the uneven splits).
                    if depth % segments == 0 { observe(out, "checkpointedForward (\(what))", atol: 1e-12, rtol: 1e-10) }
                    return
                }
                if kept >= plainCount {
                    throw CheckFailure("with \(what), your forward pass keeps \(kept) saved tensors, as many as the plain chain (\(plainCount)): nothing is checkpointed. Run each segment through checkpoint(_:_:)")
                }
                if kept == depth {
                    throw CheckFailure("with \(what), your forward pass keeps \(kept) saved tensors, one per layer: you checkpointed every layer separately. Checkpoint each segment (several layers) as one block, which keeps only the segment's input")
                }
                if kept == 1 {
                    throw CheckFailure("with \(what), your forward pass keeps 1 saved tensor: the whole chain is one checkpointed block. In backward it is recomputed all at once, so the peak memory is as high as without checkpointing. Use one checkpoint per segment")
                }
                throw CheckFailure("with \(what), your forward pass keeps \(kept) saved tensors (the plain chain keeps \(plainCount)); one checkpoint per segment keeps exactly \(segments), one input each")
            }
        }
    }

    Check("identical_gradients", "the gradients of the input, every weight and every bias are identical to the plain chain's",
          hint: "The gradients are wrong or missing: something in checkpointedForward cuts or confuses the graph.\nDon't detach the weights or h, and let each segment's closure compute from its own argument: a closure that reads the outer var h recomputes, in backward, from whatever h holds by then (the chain's output), and checkpoint refuses with an error: it would recompute into its own output.") {
        for (depth, segments) in cases {
            let chain = makeChain(depth: depth)
            let x = Random.tensor([4, 6], requiresGrad: true)
            let right = try gradients(chain, x) { plainForward(chain, $0) }
            let yours = try gradients(chain, x) { try checkpointedForward(chain, $0, segments: segments) }
            let what = "depth \(depth), \(segments) segment\(segments == 1 ? "" : "s")"
            let missing = yours.weights.indices.filter { yours.weights[$0] == nil }
            if missing.count == depth {
                throw CheckFailure("with \(what), no weight got a gradient (every .grad is nil), though the output is right: the blocks compute with detached weights. checkpoint finds the tensors a block reads by itself; don't detach them")
            }
            if !missing.isEmpty || yours.input == nil {
                let layers = missing.map(String.init).joined(separator: ", ")
                throw CheckFailure("with \(what), the gradient stops between segments: \(missing.isEmpty ? "" : "the weights of layers \(layers) got none, and ")the input's .grad is \(yours.input == nil ? "nil" : "set"). A segment's input was detached (or rebuilt from .scalars): pass h itself to checkpoint, so the gradient flows back into the earlier segments and the input")
            }
            func same(_ a: [Tensor?], _ b: [Tensor?]) -> Bool { zip(a, b).allSatisfy { $0!.equal($1!) } }
            if yours.input!.equal(right.input!) && same(yours.weights, right.weights) && same(yours.biases, right.biases) {
                observe(([yours.input] + yours.weights + yours.biases).flatMap { $0!.scalars }, "the gradients of the input, weights and biases (\(what))", atol: 1e-12, rtol: 1e-10)
                continue
            }
            let worst = zip(yours.weights, right.weights).map { a, b in
                zip(a!.scalars, b!.scalars).map { abs($0 - $1) }.max() ?? 0 }.max() ?? 0
            throw CheckFailure("with \(what), your gradients differ from the plain chain's (largest difference in a weight's gradient: \(String(format: "%.3g", worst))), though the output is right. Checkpointing must give identical gradients: the recomputation in backward must compute exactly what the forward pass did. Does a segment's closure read the outer variable h instead of its own argument? Swift closures capture variables: when the block runs again in backward, h already holds the chain's output")
        }
    }

    Check("recomputes_once", "backward recomputes every layer exactly once",
          hint: "With every layer inside some checkpointed segment, the layers run depth times in forward and depth times more in backward.") {
        let chain = makeChain(depth: 8)
        let x = Random.tensor([4, 6], requiresGrad: true)
        chain.layerCalls = 0
        let out = try checkpointedForward(chain, x, segments: 4)
        let forwardCalls = chain.layerCalls
        try out.sum().backward()
        let backwardCalls = chain.layerCalls - forwardCalls
        if backwardCalls == 0 {
            throw CheckFailure("no layer ran during backward: nothing was checkpointed (a checkpointed block runs again when backward reaches it)")
        }
        try expect(backwardCalls == 8, "during backward the layers ran \(backwardCalls) times for 8 layers in 4 segments; each layer should be recomputed once")
        observe(x.grad?.scalars ?? [.nan], "x.grad through 4 checkpointed segments", atol: 1e-12, rtol: 1e-10)
    }
}
