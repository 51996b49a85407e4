import Autograd
import Foundation
import GraderKit

// Stage by stage: the backward rules by finite differences, the order on a diamond graph, the
// backward pass, the network against the library's autograd, one training step, then training on
// the toy data set until the loss is below the threshold.

/// `v · k` with a correct rule, so that a rule under test sees out.grad = k ≠ 1.
private func scaled(_ v: Value, _ k: Double) -> Value {
    let out = Value(v.data * k, parents: [v])
    out.backwardStep = { [unowned out] in v.grad += k * out.grad }
    return out
}

private func close(_ a: Double, _ b: Double, tol: Double = 1e-6) -> Bool {
    a.isFinite && abs(a - b) <= tol + tol * abs(b)
}

private func num(_ x: Double) -> String { String(format: "%.6g", x) }

/// d(build(x))/dx with the student's rules, run by a correct backward written here, so that the
/// rule checks do not depend on the student's topological sort.
private func ruleGradient(_ x: Double, _ build: (Value) -> Value) -> Double {
    let v = Value(x)
    let out = build(v)
    var order: [Value] = []
    var seen = Set<ObjectIdentifier>()
    func visit(_ u: Value) {
        guard seen.insert(ObjectIdentifier(u)).inserted else { return }
        u.parents.forEach(visit)
        order.append(u)
    }
    visit(out)
    out.grad = 1
    for u in order.reversed() { u.backwardStep() }
    return v.grad
}

private func checkRule(_ name: String, points: [Double], factor k: Double, _ op: @escaping (Value) -> Value,
                       derivative: (Double) -> Double) throws {
    for x in points {
        let g = ruleGradient(x, { scaled(op($0), k) })
        let right = k * derivative(x)
        if !close(g, right) && close(g, derivative(x)) {
            throw CheckFailure("d/dx of \(name) · \(num(k)) at x = \(num(x)): your gradient is \(num(g)), expected \(num(right)): the local derivative without out.grad. Multiply by out.grad, the gradient arriving from above")
        }
        if g == 0 && right != 0 {
            throw CheckFailure("d/dx of \(name) · \(num(k)) at x = \(num(x)): the gradient is 0, so your rule added nothing into the parent's grad")
        }
    }
    try GradCheck.assertDerivative(of: { op(Value($0)).data }, derivative: { ruleGradient($0, op) },
                                   at: points, name: name)
}

/// The diamond: s is used by both b and c, so its rule must run once, after both sent their part.
private struct Diamond {
    let x = Value(0.8), k = Value(-1.5)
    let s: Value, b: Value, c: Value, d: Value
    init() {
        s = x * k
        b = s.pow(2)
        c = s.tanh()
        d = b + c
    }
    var named: [(String, Value)] { [("x", x), ("k", k), ("s", s), ("b", b), ("c", c), ("d", d)] }
    /// dd/ds = 2s + 1 − tanh²s.
    var dds: Double { let t = Foundation.tanh(s.data); return 2 * s.data + 1 - t * t }
}

/// The network's parameters in the order `parameters` must list them, read from the stored
/// properties (so this works before the student's `parameters` does).
private func storedParameters(_ model: MLP) -> [Value] {
    model.layers.flatMap { $0.neurons.flatMap { $0.weights + [$0.bias] } }
}

/// The loss and the gradient of every parameter, computed by the library's autograd on the same
/// weights: each layer is tanh(x Wᵀ + b).
private func reference(_ model: MLP, _ inputs: [[Double]], _ targets: [Double]) throws -> (loss: Double, grads: [Double]) {
    var h = Tensor(inputs, dtype: .float64)
    var tensors: [(Tensor, Tensor)] = []
    for layer in model.layers {
        let w = Tensor(layer.neurons.map { $0.weights.map(\.data) }, dtype: .float64, requiresGrad: true)
        let b = Tensor(layer.neurons.map(\.bias.data), dtype: .float64, requiresGrad: true)
        tensors.append((w, b))
        h = (h.matmul(w.t()) + b).tanh()
    }
    let y = Tensor(targets, dtype: .float64)
    let loss = ((h.reshape([targets.count]) - y) ** 2).mean()
    try loss.backward()
    var grads: [Double] = []
    for (w, b) in tensors {
        let wg = w.grad!.scalars, bg = b.grad!.scalars
        let n = try w.size(1)
        for i in 0..<(try w.size(0)) { grads += Array(wg[(i * n)..<((i + 1) * n)]) + [bg[i]] }
    }
    return try (loss.item(), grads)
}

/// The toy data set: four points in 3-D, labelled ±1 (micrograd's).
private let toyInputs: [[Double]] = [[2, 3, -1], [3, -1, 0.5], [0.5, 1, 1], [1, 1, -1]]
private let toyTargets: [Double] = [1, -1, -1, 1]

let checks = CheckSuite {
    Check("mul", "a * b sends b · out.grad to a and a · out.grad to b",
          hint: "d(a·b)/da = b and d(a·b)/db = a; multiply each by out.grad and add (+=) into a.grad and b.grad.") {
        try checkRule("x * 1.7", points: [-1.3, 0.4, 2.2], factor: 3, { $0 * Value(1.7) }, derivative: { _ in 1.7 })
        try checkRule("x * x", points: [-0.9, 1.4], factor: 2, { $0 * $0 }, derivative: { 2 * $0 })
    }

    Check("pow", "x.pow(n) sends n · xⁿ⁻¹ · out.grad to x",
          hint: "d(xⁿ)/dx = n · xⁿ⁻¹: add n times the input raised to n − 1, times the output's gradient, to the input's grad.") {
        try checkRule("x.pow(3)", points: [-1.2, 0.7, 1.5], factor: 2, { $0.pow(3) }, derivative: { 3 * $0 * $0 })
        try checkRule("x.pow(-2)", points: [0.8, 2.5], factor: -1.5, { $0.pow(-2) }, derivative: { -2 / ($0 * $0 * $0) })
    }

    Check("tanh", "x.tanh() sends (1 − tanh²x) · out.grad to x",
          hint: "With t = tanh(x), the output: d(tanh x)/dx = 1 − t². Use out.data, not the input.") {
        try checkRule("x.tanh()", points: [-1.1, 0.3, 0.9], factor: 2.5, { $0.tanh() }, derivative: {
            let t = Foundation.tanh($0); return 1 - t * t
        })
    }

    Check("relu", "x.relu() sends out.grad to x where x > 0 and nothing where x < 0",
          hint: "relu's slope is 1 where the output is positive and 0 elsewhere: add that slope times the output's gradient to the input's grad.") {
        try checkRule("x.relu()", points: [-1.4, -0.2, 0.6, 1.9], factor: 1.5, { $0.relu() }, derivative: { $0 > 0 ? 1 : 0 })
    }

    Check("topological_order", "on a diamond (s used by two values), every value comes once, after its parents",
          hint: "A depth-first search: visit(v) returns at once if v was visited; otherwise it visits every parent, then appends v. Keep the visited values in a Set<ObjectIdentifier>.") {
        let g = Diamond()
        let order = g.d.topologicalOrder()
        let names = Dictionary(uniqueKeysWithValues: g.named.map { (ObjectIdentifier($0.1), $0.0) })
        let listed = order.map { names[ObjectIdentifier($0)] ?? "?" }
        let text = "[" + listed.joined(separator: ", ") + "]"
        for (name, _) in g.named {
            let times = listed.filter { $0 == name }.count
            if times > 1 {
                throw CheckFailure("for d = s.pow(2) + s.tanh() with s = x * k, your order is \(text): \(name) appears \(times) times. A value reached along two paths must be listed once: remember the visited values and skip them")
            }
            if times == 0 {
                throw CheckFailure("for d = s.pow(2) + s.tanh() with s = x * k, your order is \(text): \(name) is missing. Every value d depends on, d itself included, must be listed")
            }
        }
        try expect(listed.count == 6, "for d = s.pow(2) + s.tanh() with s = x * k, your order is \(text): expected the 6 values x, k, s, b, c, d")
        for (position, value) in order.enumerated() {
            for parent in value.parents {
                let at = order.firstIndex { $0 === parent }!
                try expect(at < position, "for d = s.pow(2) + s.tanh() with s = x * k, your order is \(text): \(listed[at]) comes after \(listed[position]), which is computed from it. Append a value only after visiting all of its parents")
            }
        }
        // Evidence for grading: the values your order lists, sorted (the same for every valid order).
        observe(order.map(\.data).sorted(), "the values of the diamond, sorted", atol: 1e-9, rtol: 1e-6)
    }

    Check("backward_diamond", "backward() on the diamond gives every value its full gradient",
          hint: "backward(): set the output's grad to 1, then run each value's backward step in reverse topological order: from the output back to the inputs, so each value's grad is complete before its rule runs.") {
        let g = Diamond()
        g.d.backward()
        let expected: [(String, Value, Double)] = [
            ("d", g.d, 1), ("b", g.b, 1), ("c", g.c, 1), ("s", g.s, g.dds),
            ("x", g.x, g.k.data * g.dds), ("k", g.k, g.x.data * g.dds),
        ]
        if g.d.grad == 0 {
            throw CheckFailure("after d.backward(), d.grad is 0: the output's own gradient dd/dd = 1 must be set before any rule runs (grad = 1), or every rule multiplies by 0")
        }
        if close(g.s.grad, 0) && close(g.x.grad, 0) && close(g.k.grad, 0) {
            throw CheckFailure("after d.backward(), s, x and k have grad 0 while d.grad is 1: the rules ran from the inputs to the output, so s's rule ran before b and c had sent it anything. Run them in reversed topological order, from d back to x")
        }
        for (name, v, right) in expected where !close(v.grad, right) {
            throw CheckFailure("after d.backward() at x = 0.8, k = −1.5: \(name).grad is \(num(v.grad)), expected \(num(right)). If s's rule ran twice or too early, its gradient from b or c was counted twice or not at all: each value's rule must run once, after every value computed from it")
        }
        observe(expected.map { $0.1.grad }, "the gradients of d, b, c, s, x and k after d.backward()", atol: 1e-9, rtol: 1e-6)
    }

    Check("neuron", "a Neuron computes tanh(w · x + b) and lists its weights then its bias",
          hint: "Start from the bias and add w_i * x_i for each pair (zip(weights, x)), then tanh(). parameters is weights + [bias].") {
        var generator = SplitMix64(seed: 7)
        let n = Neuron(inputs: 3, generator: &generator)
        let x: [Double] = [0.5, -1.2, 2.0]
        var z = n.bias.data
        for (w, xi) in zip(n.weights, x) { z += w.data * xi }
        let out = n(x.map { Value($0) })
        if close(out.data, z) && !close(z, Foundation.tanh(z)) {
            throw CheckFailure("your neuron returns \(num(out.data)) = w · x + b; a neuron of this network ends in tanh: \(num(Foundation.tanh(z)))")
        }
        try expectClose(out.data, Foundation.tanh(z), "the neuron's output for x = [0.5, −1.2, 2]")
        let p = n.parameters
        try expect(p.count == 4, "Neuron(inputs: 3).parameters has \(p.count) values, expected 4: three weights and the bias")
        try expect(zip(p, n.weights + [n.bias]).allSatisfy { $0 === $1 },
                   "Neuron.parameters must be the neuron's own Value objects (not copies), the weights first and the bias last: training changes them in place")
    }

    Check("network", "MLP(inputs: 3, sizes: [4, 4, 1]) has 41 parameters and agrees with the library's autograd",
          hint: "A Layer maps every neuron over the same input; an MLP feeds each layer's output to the next. parameters: flatMap over neurons, then over layers.") {
        let model = MLP(inputs: 3, sizes: [4, 4, 1])
        let p = model.parameters
        try expect(p.count == 41, "MLP(inputs: 3, sizes: [4, 4, 1]).parameters has \(p.count) values, expected 41 (4·(3+1) + 4·(4+1) + 1·(4+1))")
        try expect(zip(p, storedParameters(model)).allSatisfy { $0 === $1 },
                   "MLP.parameters must list the first layer's first neuron's weights and bias, then its second neuron's, and so on through the layers: the Value objects themselves")
        let out = model([0.5, -1.0, 2.0].map { Value($0) })
        try expect(out.count == 1, "the network returned \(out.count) values, expected 1 (the last layer has one neuron)")
        let ref = try reference(model, [[0.5, -1.0, 2.0]], [0])
        let predicted = Foundation.sqrt(ref.loss)   // |prediction − 0|
        try expect(close(Swift.abs(out[0].data), predicted), "the network's output for [0.5, −1, 2] is \(num(out[0].data)); the library, with the same weights, gives ±\(num(predicted)). Each layer is tanh(W x + b) of the previous layer's output")
        observe(out[0].data, "the network's output for [0.5, −1, 2]", atol: 1e-9, rtol: 1e-6)
    }

    Check("mse", "meanSquaredError is the mean of (prediction − target)², with its gradient",
          hint: "Sum (p - y).pow(2) over the pairs, then multiply by 1.0 / Double(count). Build it from Values so backward reaches the predictions.") {
        let ps = [0.3, -0.8, 0.9].map { Value($0) }
        let ys = [1.0, -1.0, 0.0]
        let loss = meanSquaredError(ps, ys)
        let right = (0.49 + 0.04 + 0.81) / 3
        if close(loss.data, right * 3) {
            throw CheckFailure("your loss is \(num(loss.data)), the sum of the squared errors; the mean divides by the number of examples: \(num(right))")
        }
        try expectClose(loss.data, right, "the loss of predictions [0.3, −0.8, 0.9] against [1, −1, 0]")
        loss.backward()
        try expectClose(ps.map(\.grad), zip([0.3, -0.8, 0.9], ys).map { 2 * ($0 - $1) / 3 }, "the predictions' gradients, 2(p − y)/3")
    }

    Check("train_step", "one trainStep returns the loss and moves every parameter by −learningRate · grad",
          hint: "trainStep: set every parameter's grad to 0, predict each example (model(x.map { Value($0) })[0]), take meanSquaredError, backward(), then p.data -= learningRate * p.grad for every p; return the loss's data.") {
        let model = MLP(inputs: 3, sizes: [4, 4, 1])
        let before = storedParameters(model).map(\.data)
        let ref = try reference(model, toyInputs, toyTargets)
        let loss = trainStep(model, inputs: toyInputs, targets: toyTargets, learningRate: 0.1)
        try expectClose(loss, ref.loss, "the loss trainStep returned (computed before its update)")
        let after = storedParameters(model).map(\.data)
        let expected = zip(before, ref.grads).map { $0 - 0.1 * $1 }
        if zip(after, zip(before, ref.grads)).allSatisfy({ close($0, $1.0 + 0.1 * $1.1) }) {
            throw CheckFailure("every parameter moved by +learningRate · grad: uphill. Gradient descent subtracts: p.data -= learningRate * p.grad")
        }
        if zip(after, before).allSatisfy({ $0 == $1 }) {
            throw CheckFailure("no parameter moved: trainStep must update every p in model.parameters (p.data -= learningRate * p.grad) after backward()")
        }
        try expectClose(after, expected, atol: 1e-9, rtol: 1e-7, "the parameters after one step (the library's gradients, times 0.1, subtracted)")
    }

    Check("two_steps", "the second trainStep uses only its own gradients",
          hint: "grad adds up (+=) in every rule, so a step that does not first set every parameter's grad to 0 adds this step's gradient to the last one's.") {
        let model = MLP(inputs: 3, sizes: [4, 4, 1])
        _ = trainStep(model, inputs: toyInputs, targets: toyTargets, learningRate: 0.1)
        let before = storedParameters(model).map(\.data)
        let ref = try reference(model, toyInputs, toyTargets)
        _ = trainStep(model, inputs: toyInputs, targets: toyTargets, learningRate: 0.1)
        let after = storedParameters(model).map(\.data)
        let expected = zip(before, ref.grads).map { $0 - 0.1 * $1 }
        let moved = zip(after, before).map { ($1 - $0) / 0.1 }
        if let worst = zip(after, expected).enumerated().max(by: { abs($0.1.0 - $0.1.1) < abs($1.1.0 - $1.1.1) }),
           abs(worst.element.0 - worst.element.1) > 1e-9 + 1e-7 * abs(worst.element.1) {
            throw CheckFailure("after a second trainStep, parameter \(worst.offset) is \(num(worst.element.0)), expected \(num(worst.element.1)): the step moved it by −0.1 · \(num(moved[worst.offset])) where its gradient is \(num(ref.grads[worst.offset])). The difference is the first step's gradient, still in grad: clear every parameter's grad (p.grad = 0) at the start of each step")
        }
        observe(after, "the parameters after two steps", atol: 1e-9, rtol: 1e-7)
    }

    Check("trained", "trained on the toy data set, the loss falls below 0.01 within 500 steps",
          hint: "train: call trainStep up to maxSteps times, append each loss, and stop as soon as one is below target.") {
        let model = MLP(inputs: 3, sizes: [4, 4, 1])
        let losses = train(model, inputs: toyInputs, targets: toyTargets, learningRate: 0.1, target: 0.01, maxSteps: 500)
        try expect(!losses.isEmpty, "train returned no losses: it must run trainStep and collect what each returns")
        let last = losses.last!
        try expect(last.isFinite && last < 0.01, "after \(losses.count) steps the loss is \(num(last)) (it started at \(num(losses[0]))): training must bring it below 0.01")
        try expect(losses.count < 500 || last < 0.01, "train ran all 500 steps")
        if losses.dropLast().contains(where: { $0 < 0.01 }) {
            throw CheckFailure("train went on after the loss fell below 0.01 (\(losses.count) losses): stop at the first loss below target")
        }
        let predictions = toyInputs.map { model($0.map { Value($0) })[0].data }
        for (p, y) in zip(predictions, toyTargets) {
            try expect(p * y > 0, "after training, the prediction \(num(p)) has the wrong sign for the target \(num(y))")
        }
        // Any run that gets below the target passes, so the evidence is the final loss, to the check's own 0.01.
        observe(last, "the final training loss", atol: 0.01, rtol: 0)
    }
}
