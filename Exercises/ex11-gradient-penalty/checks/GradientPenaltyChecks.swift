import Foundation
import Autograd
import GraderKit

// Reference computations, written with the library directly (not with the student's functions).

/// A small critic: tanh(x·w1)·w2, one score per sample ([batch, 1], or [batch] when `flat`).
private func makeCritic(_ w1: Tensor, _ w2: Tensor, flat: Bool = false) -> (Tensor) throws -> Tensor {
    { x in
        let s = x.matmul(w1).tanh().matmul(w2)
        return try flat ? s.sum(dim: 1) : s
    }
}

private struct Problem {
    let real, fake, epsilon, w1, w2: Tensor
    let batch, features: Int
    init(batch: Int = 4, features: Int = 3, hidden: Int = 5) {
        self.batch = batch; self.features = features
        real = Random.tensor([batch, features], in: -2...2)
        fake = Random.tensor([batch, features], in: -2...2)
        // Distinct ε per row, away from 0, ½ and 1 so that every mistake gives a different number.
        epsilon = Tensor((0..<batch).map { (i: Int) -> Double in 0.1 + 0.8 * (Double(i) + 0.5) / Double(batch) + 0.01 * Random.double(in: -1...1) },
                         shape: [batch, 1], dtype: .float64)
        w1 = Random.tensor([features, hidden], in: -1...1, requiresGrad: true)
        w2 = Random.tensor([hidden, 1], in: -1...1, requiresGrad: true)
    }
    var critic: (Tensor) throws -> Tensor { makeCritic(w1, w2) }
    func mix(_ e: Tensor) -> Tensor { e * real + (1 - e) * fake }
    /// ∇ₓD at the given points, by the library.
    func gradients(at points: Tensor, _ w1: Tensor? = nil, _ w2: Tensor? = nil, createGraph: Bool = false) throws -> Tensor {
        let x = try points.detach().requiresGrad_()
        let s = try makeCritic(w1 ?? self.w1, w2 ?? self.w2)(x)
        return try grad(outputs: [s], inputs: [x], gradOutputs: [Tensor.onesLike(s)], createGraph: createGraph)[0]!
    }
}

/// λ · mean (‖g_row‖ − 1)², and the numbers the usual slips give instead.
private func penaltyVariants(_ g: Tensor, lambda: Double) -> [String: Double] {
    let rows = g.shape[0], cols = g.shape[1], v = g.scalars
    func norm(_ xs: [Double]) -> Double { xs.reduce(0) { $0 + $1 * $1 }.squareRoot() }
    let rowNorms = (0..<rows).map { r in norm(Array(v[(r * cols)..<((r + 1) * cols)])) }
    let colNorms = (0..<cols).map { c in norm((0..<rows).map { v[$0 * cols + c] }) }
    func meanSq(_ ns: [Double]) -> Double { ns.map { ($0 - 1) * ($0 - 1) }.reduce(0, +) / Double(ns.count) }
    let right = lambda * meanSq(rowNorms)
    return [
        "right": right,
        "batch": lambda * (norm(v) - 1) * (norm(v) - 1),
        "feature": lambda * meanSq(colNorms),
        "squaredNorm": lambda * rowNorms.map { ($0 * $0 - 1) * ($0 * $0 - 1) }.reduce(0, +) / Double(rows),
        "noSquare": lambda * rowNorms.map { $0 - 1 }.reduce(0, +) / Double(rows),
        "absolute": lambda * rowNorms.map { abs($0 - 1) }.reduce(0, +) / Double(rows),
        "noLambda": right / lambda,
        "sum": right * Double(rows),
    ]
}

private func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= 1e-9 + 1e-7 * abs(b) }

private func fmt(_ x: Double) -> String { String(format: "%.6g", x) }

private func shapeText(_ shape: [Int]) -> String { "[" + shape.map(String.init).joined(separator: ", ") + "]" }

/// Runs the student's code, turning the library's "does not require grad" errors into advice.
private func explained<T>(_ what: String, _ body: () throws -> T) throws -> T {
    do { return try body() } catch let error as AutogradError {
        if error.message.contains("leaf variables") {
            throw CheckFailure("\(what) threw \"\(error.message.prefix(60))…\": requiresGrad_() only works on a leaf, and your mix is computed from fake, which requires grad (it comes from the generator). Detach: build the mix from fake.detach(), then call .detach().requiresGrad_() on it")
        }
        if error.message.contains("One of the differentiated Tensors does not require grad") {
            throw CheckFailure("\(what) threw \"One of the differentiated Tensors does not require grad\": the interpolated points must require grad, because the penalty takes the critic's gradient with respect to them. Make them a leaf with try ….detach().requiresGrad_()")
        }
        if error.message.contains("grad can be implicitly created only for scalar outputs") {
            throw CheckFailure("\(what) threw \"grad can be implicitly created only for scalar outputs\": the critic returns one score per sample, so pass gradOutputs: [Tensor.onesLike(score)] to grad (each row then gets its own sample's gradient)")
        }
        throw error
    }
}

let checks = CheckSuite {
    Check("interpolate_values", "interpolate mixes each row with its own ε: ε·real + (1 − ε)·fake",
          hint: "epsilon has shape [batch, 1]: epsilon * real broadcasts row i's ε over its features.") {
        let p = Problem()
        let mixed = try explained("interpolate") { try interpolate(real: p.real, fake: p.fake, epsilon: p.epsilon) }
        try expectShape(mixed, [p.batch, p.features], "interpolate(real:fake:epsilon:)")
        let right = p.mix(p.epsilon).scalars
        let yours = mixed.scalars
        observe(yours, "interpolate(real:fake:epsilon:)", atol: 1e-9, rtol: 1e-7)
        if !zip(yours, right).allSatisfy({ close($0, $1) }) {
            if zip(yours, p.mix(1 - p.epsilon).scalars).allSatisfy({ close($0, $1) }) {
                throw CheckFailure("your points are ε·fake + (1 − ε)·real: ε and 1 − ε are swapped. The formula is x̂ = ε·real + (1 − ε)·fake")
            }
            let first = Tensor.full([p.batch, 1], p.epsilon.scalars[0], dtype: .float64)
            if zip(yours, p.mix(first).scalars).allSatisfy({ close($0, $1) }) {
                throw CheckFailure("every row was mixed with the first row's ε (\(fmt(p.epsilon.scalars[0]))): use the whole epsilon tensor, one ε per sample, not epsilon[0] or epsilon.item()")
            }
            try expectClose(mixed, p.mix(p.epsilon), atol: 1e-9, rtol: 1e-7, "interpolate(real:fake:epsilon:)")
        }
    }

    Check("interpolate_leaf", "the interpolated points are a leaf that requires grad, cut off from the generator",
          hint: "interpolate must return a fresh leaf that requires grad and has no path back to the generator.\nMix with the detached fake, then detach the mix and make it require grad (requiresGrad_ refuses a non-leaf).") {
        let p = Problem()
        let generatorWeights = Random.tensor([p.features, p.features], in: -1...1, requiresGrad: true)
        let generated = p.fake.matmul(generatorWeights)          // fake samples from a "generator"
        let mixed = try explained("interpolate") { try interpolate(real: p.real, fake: generated, epsilon: p.epsilon) }
        if !mixed.requiresGrad {
            throw CheckFailure("the interpolated points don't require grad, so the critic's gradient with respect to them cannot be taken (grad throws \"One of the differentiated Tensors does not require grad\"). Return try mixed.detach().requiresGrad_()")
        }
        if !mixed.isLeaf {
            throw CheckFailure("the interpolated points were computed from the generator's output (their grad_fn is \(mixed.gradFn?.name ?? "?")): the penalty would send gradients into the generator, which it must not train. Use fake.detach() in the mix and return a fresh leaf")
        }
        observe(mixed, "the interpolated points", atol: 1e-9, rtol: 1e-7)
    }

    Check("critic_gradients_values", "criticGradients returns each sample's ∇ₓD, in the shape of the points",
          hint: "criticGradients must return ∂score/∂points for every sample, in the shape of points.\nTake it with grad(outputs:inputs:gradOutputs:createGraph:), seeding with ones like the score: each score depends only on its own row.") {
        for flat in [false, true] {
            let p = Problem()
            let points = try p.mix(p.epsilon).requiresGrad_()
            let yours = try explained("criticGradients") { try criticGradients(makeCritic(p.w1, p.w2, flat: flat), at: points) }
            let right = try p.gradients(at: points)
            let scoreShape = flat ? "[batch]" : "[batch, 1]"
            guard yours.shape == right.shape else {
                throw CheckFailure("for a critic returning scores of shape \(scoreShape), criticGradients returned shape \(shapeText(yours.shape)); expected \(shapeText(right.shape)), one gradient row per sample (the shape of points)")
            }
            try expectClose(yours, right, atol: 1e-9, rtol: 1e-7, "criticGradients (critic scores of shape \(scoreShape))")
        }
    }

    Check("critic_gradients_graph", "criticGradients records its backward pass (createGraph), so it can be differentiated",
          hint: "criticGradients' result must itself be recorded (createGraph: true) and must leave every .grad untouched: the message says which of the two failed.\ngrad(outputs:inputs:…, createGraph: true) returns a recorded gradient; backward() would add into .grad instead.") {
        let p = Problem()
        let points = try p.mix(p.epsilon).requiresGrad_()
        let g = try explained("criticGradients") { try criticGradients(p.critic, at: points) }
        if !g.requiresGrad {
            throw CheckFailure("the gradients criticGradients returns don't require grad: they were computed without createGraph: true, so they are constants. Their values are right, but a penalty built from them can't pass any gradient to the critic's weights: the critic would train as if there were no penalty at all")
        }
        if p.w1.grad != nil || p.w2.grad != nil || points.grad != nil {
            throw CheckFailure("criticGradients filled .grad of the critic's weights or of the points: use grad(outputs:inputs:...), which returns the gradient, instead of backward(), which adds it into .grad")
        }
        observe(g, "criticGradients", atol: 1e-9, rtol: 1e-7)
    }

    Check("penalty_value", "gradientPenalty = λ · mean over samples of (‖∇D(x̂)‖₂ − 1)²",
          hint: "gradientPenalty's value is off: the message names the variant it matches.\nOne norm per sample (dim 1 runs over a row's features), each pushed towards 1 with a square, averaged, times lambda.") {
        for lambda in [10.0, 3.0] {
            let p = Problem()
            let yours = try explained("gradientPenalty") {
                try gradientPenalty(p.critic, real: p.real, fake: p.fake, epsilon: p.epsilon, lambda: lambda)
            }
            guard yours.count == 1 else {
                throw CheckFailure("gradientPenalty returned shape \(shapeText(yours.shape)); it must be a single number (a zero-dimensional tensor): average the per-sample terms with mean()")
            }
            let variants = try penaltyVariants(p.gradients(at: p.mix(p.epsilon)), lambda: lambda)
            let value = try yours.item(), right = variants["right"]!
            observe(value, "gradientPenalty (λ = \(fmt(lambda)))", atol: 1e-9, rtol: 1e-7)
            if close(value, right) { continue }
            let explanations: [(String, String)] = [
                ("batch", "your penalty uses the norm of the whole batch's gradients as one vector (g.norm()). The Lipschitz condition holds at each point: take one norm per sample, g.norm(2, dim: 1), and push each towards 1"),
                ("feature", "your penalty uses one norm per feature (g.norm(2, dim: 0), down the columns), mixing different samples. Rows are samples: g.norm(2, dim: 1)"),
                ("squaredNorm", "your penalty is λ·mean((‖g‖² − 1)²): it squares the norm before subtracting 1. WGAN-GP uses the norm itself: (g.norm(2, dim: 1) - 1) ** 2"),
                ("noSquare", "your penalty is λ·mean(‖g‖ − 1), without the square: it rewards gradients smaller than 1 (negative terms) instead of holding them at 1. Square each term: (norms - 1) ** 2"),
                ("absolute", "your penalty is λ·mean(|‖g‖ − 1|): WGAN-GP squares the distance from 1, (norms - 1) ** 2"),
                ("noLambda", "your penalty is exactly λ = \(fmt(lambda)) times too small: multiply by lambda"),
                ("sum", "your penalty is \(p.batch) times too large for \(p.batch) samples: it sums the per-sample terms; take their mean()"),
            ]
            for (key, message) in explanations where close(value, variants[key]!) {
                throw CheckFailure(message)
            }
            let swapped = try penaltyVariants(p.gradients(at: p.mix(1 - p.epsilon)), lambda: lambda)["right"]!
            if close(value, swapped) {
                throw CheckFailure("your penalty is evaluated at ε·fake + (1 − ε)·real: the interpolation is swapped (see interpolate_values)")
            }
            try expectClose(value, right, atol: 1e-9, rtol: 1e-7, "gradientPenalty (λ = \(fmt(lambda)))")
        }
    }

    Check("penalty_gradient", "the penalty's gradient reaches the critic's weights, and equals the reference's",
          hint: "The penalty's gradient on the critic's weights is missing or off: it must come only from the critic's recorded backward pass (a .grad that criticGradients already filled adds to it).\ncriticGradients takes the gradient with grad(…, createGraph: true); nothing after it is detached or turned into numbers.") {
        let p = Problem()
        let yours = try explained("gradientPenalty") { try gradientPenalty(p.critic, real: p.real, fake: p.fake, epsilon: p.epsilon) }
        if !yours.requiresGrad {
            throw CheckFailure("your penalty doesn't require grad: its value is computed from gradients taken without createGraph: true, so it is a constant. In a critic loss (wasserstein + penalty) nothing would fail: the critic would silently train without the penalty. Pass createGraph: true to grad in criticGradients")
        }
        try yours.backward()
        guard let g1 = p.w1.grad, let g2 = p.w2.grad else {
            throw CheckFailure("after penalty.backward(), the critic's weights have no gradient: the penalty does not depend on them through the graph. Take the critic's gradients with createGraph: true and don't detach them")
        }
        let w1 = try p.w1.detach().requiresGrad_(), w2 = try p.w2.detach().requiresGrad_()
        let g = try p.gradients(at: p.mix(p.epsilon), w1, w2, createGraph: true)
        try (10 * ((g.norm(2, dim: 1) - 1) ** 2).mean()).backward()
        try expectClose(g1, w1.grad!, atol: 1e-9, rtol: 1e-6, "∂penalty/∂w1")
        try expectClose(g2, w2.grad!, atol: 1e-9, rtol: 1e-6, "∂penalty/∂w2")
    }

    Check("penalty_gradcheck", "∂penalty/∂weights matches finite differences (a gradient of a gradient)",
          hint: "If penalty_gradient passes, this does too; if it fails with 'missing', the penalty is cut off from the weights.") {
        let p = Problem(batch: 3, features: 2, hidden: 3)
        let options = GradCheckOptions(hint: "The penalty's gradient with respect to the weights goes through the critic's recorded backward pass: createGraph: true, no detach() on the gradients.")
        try GradCheck.assertGradients(of: { ws in
            // Finite differences evaluate under noGrad; the penalty needs grad() inside, so re-enable it.
            try enableGrad { try gradientPenalty(makeCritic(ws[0], ws[1]), real: p.real, fake: p.fake, epsilon: p.epsilon) }
        }, at: [p.w1, p.w2], names: ["w1", "w2"], output: "penalty", options: options)
    }

    Check("second_order", "second-order check: the derivatives of ∂penalty/∂weights match finite differences of them",
          hint: "Every step from the weights to the penalty must be recorded: createGraph: true in criticGradients, no .detach(), .scalars or .item() on the way.") {
        let p = Problem(batch: 3, features: 2, hidden: 3)
        let probe = try explained("gradientPenalty") { try gradientPenalty(p.critic, real: p.real, fake: p.fake, epsilon: p.epsilon) }
        if !probe.requiresGrad {
            throw CheckFailure("your penalty doesn't require grad, so it has no derivatives to check: the critic's gradients were taken without createGraph: true")
        }
        try GradCheck.assertSecondOrder(of: { ws in
            try gradientPenalty(makeCritic(ws[0], ws[1]), real: p.real, fake: p.fake, epsilon: p.epsilon)
        }, at: [p.w1, p.w2], names: ["w1", "w2"], output: "penalty")
    }

    Check("generator_untouched", "the penalty sends no gradient into the generator",
          hint: "Detach the generator's output before mixing: fake.detach().") {
        let p = Problem()
        let generatorWeights = Random.tensor([p.features, p.features], in: -1...1, requiresGrad: true)
        let generated = p.fake.matmul(generatorWeights)
        let penalty = try explained("gradientPenalty") {
            try gradientPenalty(p.critic, real: p.real, fake: generated, epsilon: p.epsilon)
        }
        observe(penalty.scalars, "gradientPenalty with a generator's output as fake", atol: 1e-9, rtol: 1e-7)
        if penalty.requiresGrad { try penalty.backward() }
        if let g = generatorWeights.grad {
            throw CheckFailure("after penalty.backward(), the generator's weights have a gradient (norm \(fmt(try g.norm().item()))): the penalty trains the critic only. Mix with fake.detach()")
        }
    }
}
