import Autograd

/// Settings of a gradient check. The defaults are PyTorch's `gradcheck` ones for float64.
public struct GradCheckOptions {
    public enum Mode {
        /// Full Jacobian when it has at most `fullLimit` entries, fast mode above.
        case auto
        /// Every entry of the Jacobian: exact location of any error, one backward per output element
        /// and two evaluations per input element.
        case full
        /// PyTorch's fast mode: compares vᵀ·J·u for random u, v (one backward, two evaluations);
        /// on a mismatch, the full Jacobian is computed to locate it when that is affordable.
        case fast
    }
    /// Finite-difference step.
    public var eps: Double
    public var atol: Double
    public var rtol: Double
    public var mode: Mode
    public var fullLimit: Int
    /// Added to a failure message: where the student should look.
    public var hint: String?

    public init(eps: Double = 1e-6, atol: Double = 1e-5, rtol: Double = 1e-3, mode: Mode = .auto,
                fullLimit: Int = 4096, hint: String? = nil) {
        self.eps = eps; self.atol = atol; self.rtol = rtol; self.mode = mode; self.fullLimit = fullLimit; self.hint = hint
    }
}

/// Gradient checks: the gradients autograd (or a hand-written derivative) produces against central
/// finite differences, in float64.
///
/// A failure names the output and input, the worst element's index, both values and the
/// tolerance, e.g.
/// `d out / d x[3]: your gradient 1, finite differences 0.5 (|diff| 5.0e-01 > atol 1.0e-05 + rtol 1.0e-03 × |0.5|)`.
public enum GradCheck {
    /// Checks the gradients of `f` with respect to every input that requires grad (all inputs if
    /// none does). Inputs must be float64; `names` name them in messages (`x`, `w`, …).
    public static func assertGradients(of f: ([Tensor]) throws -> Tensor, at inputs: [Tensor], names: [String]? = nil,
                                       output: String = "out", options: GradCheckOptions = .init()) throws {
        try withoutActuallyEscaping(f) { f in
            try check(Problem(f: { try [f($0)] }, inputs: inputs, names: names, outputs: [output], createGraph: false), options)
        }
    }

    /// One input: `try GradCheck.assertGradients(of: { huber($0) }, at: x, name: "r")`.
    public static func assertGradients(of f: (Tensor) throws -> Tensor, at input: Tensor, name: String = "x",
                                       output: String = "out", options: GradCheckOptions = .init()) throws {
        try withoutActuallyEscaping(f) { f in
            try check(Problem(f: { try [f($0[0])] }, inputs: [input], names: [name], outputs: [output], createGraph: false), options)
        }
    }

    /// Second-order check (PyTorch's `gradgradcheck`): the first derivatives, computed with
    /// `createGraph: true` and contracted with a fixed random vector, are themselves differentiated
    /// and compared with finite differences of them.
    public static func assertSecondOrder(of f: ([Tensor]) throws -> Tensor, at inputs: [Tensor], names: [String]? = nil,
                                         output: String = "out", options: GradCheckOptions = .init()) throws {
        try withoutActuallyEscaping(f) { f in try secondOrder(f, inputs, names, output, options) }
    }

    static func secondOrder(_ f: @escaping ([Tensor]) throws -> Tensor, _ inputs: [Tensor], _ names: [String]?,
                            _ output: String, _ options: GradCheckOptions) throws {
        let problem = Problem(f: { try [f($0)] }, inputs: inputs, names: names, outputs: [output], createGraph: false)
        let names = problem.names
        let wrt = problem.wrt
        // A fixed direction for the output, drawn once so every evaluation uses the same one.
        let probe = try f(problem.leaves(problem.values))
        guard probe.requiresGrad else {
            throw CheckFailure("\(output) does not require grad, so there is no gradient to check: is it computed from .scalars, .item(), detach() or under noGrad?", hint: options.hint)
        }
        let v = Tensor((0..<probe.count).map { _ in Random.normal() }, shape: probe.shape, dtype: .float64)
        let firstDerivatives: ([Tensor]) throws -> [Tensor] = { xs in
            let out = try f(xs)
            guard out.requiresGrad else { return wrt.map { Tensor.zerosLike(xs[$0]) } }
            let grads = try grad(outputs: [out], inputs: wrt.map { xs[$0] }, gradOutputs: [v], retainGraph: true,
                                 createGraph: true, allowUnused: true)
            return zip(wrt, grads).map { k, g in g ?? Tensor.zerosLike(xs[k]) }
        }
        let outputs = wrt.map { "(v·d \(output)/d \(names[$0]))" }
        try check(Problem(f: firstDerivatives, inputs: inputs, names: names, outputs: outputs, createGraph: true), options)
    }

    /// A hand-written derivative `df` of a scalar function `f`, at each of `points`.
    public static func assertDerivative(of f: (Double) throws -> Double, derivative df: (Double) throws -> Double,
                                        at points: [Double], name: String = "f", options: GradCheckOptions = .init()) throws {
        for x in points {
            let analytic = try df(x)
            let numeric = (try f(x + options.eps) - f(x - options.eps)) / (2 * options.eps)
            Evidence.value("d \(name)(x) / d x at x = \(Format.value(x))", actual: [analytic], expected: [numeric],
                           atol: options.atol, rtol: options.rtol)
            if !isClose(analytic, numeric, options) {
                throw failure("d \(name)(x) / d x at x = \(Format.value(x))", analytic: analytic, numeric: numeric, options,
                              kink: try kinkNote(f: { try f($0) }, x: x, options))
            }
        }
    }

    /// A hand-written Jacobian (`jacobian(x)[i][j]` = d f_i / d x_j) of a vector function.
    public static func assertJacobian(of f: ([Double]) throws -> [Double], jacobian: ([Double]) throws -> [[Double]],
                                      at x: [Double], input: String = "x", output: String = "f",
                                      options: GradCheckOptions = .init()) throws {
        let analytic = try jacobian(x)
        let out = try f(x)
        guard analytic.count == out.count, analytic.allSatisfy({ $0.count == x.count }) else {
            throw CheckFailure("your Jacobian is \(analytic.count)×\(analytic.first?.count ?? 0), expected \(out.count)×\(x.count) (one row per output, one column per input)")
        }
        var worst: (i: Int, j: Int, a: Double, n: Double, excess: Double)?
        var numericColumns: [[Double]] = []
        for j in x.indices {
            var plus = x, minus = x
            plus[j] += options.eps
            minus[j] -= options.eps
            let fp = try f(plus), fm = try f(minus)
            numericColumns.append(out.indices.map { (fp[$0] - fm[$0]) / (2 * options.eps) })
            for i in out.indices {
                let n = numericColumns[j][i], a = analytic[i][j]
                let excess = excessOver(a, n, options)
                if excess > (worst?.excess ?? 0) { worst = (i, j, a, n, excess) }
            }
        }
        Evidence.value("the Jacobian d \(output) / d \(input)", actual: analytic.flatMap { $0 },
                       expected: out.indices.flatMap { i in x.indices.map { numericColumns[$0][i] } }, atol: options.atol, rtol: options.rtol)
        if let w = worst {
            throw failure("d \(output)[\(w.i)] / d \(input)[\(w.j)]", analytic: w.a, numeric: w.n, options, kink: "")
        }
    }

    // MARK: - The engine

    struct Problem {
        let f: ([Tensor]) throws -> [Tensor]
        let values: [[Double]]
        let shapes: [[Int]]
        let names: [String]
        let outputs: [String]
        /// Indices of the inputs differentiated.
        let wrt: [Int]
        /// Whether evaluating `f` needs the inputs to require grad (second order).
        let createGraph: Bool

        init(f: @escaping ([Tensor]) throws -> [Tensor], inputs: [Tensor], names: [String]?, outputs: [String], createGraph: Bool) {
            self.f = f
            values = inputs.map(\.scalars)
            shapes = inputs.map(\.shape)
            let defaultNames = inputs.count == 1 ? ["x"] : inputs.indices.map { "input\($0)" }
            self.names = names ?? defaultNames
            self.outputs = outputs
            let requiring = inputs.indices.filter { inputs[$0].requiresGrad }
            wrt = requiring.isEmpty ? Array(inputs.indices) : requiring
            self.createGraph = createGraph
            for input in inputs where input.dtype != .float64 {
                fatalError("GradCheck: inputs must be float64 (got \(input.dtype)); create them with dtype: .float64 or Random.tensor")
            }
            precondition(self.names.count == inputs.count, "GradCheck: \(inputs.count) inputs but \(self.names.count) names")
        }

        /// Fresh float64 leaves; those differentiated require grad.
        func leaves(_ values: [[Double]]) -> [Tensor] {
            values.indices.map { k in
                Tensor(values[k], shape: shapes[k], dtype: .float64, requiresGrad: wrt.contains(k))
            }
        }

        /// The outputs' values at `values`.
        func evaluate(_ values: [[Double]]) throws -> [[Double]] {
            // With grad mode on, as PyTorch evaluates: a function may itself call grad() (a gradient
            // penalty), which needs its inputs to require grad.
            let outs = try enableGrad { try f(leaves(values)) }
            return outs.map(\.scalars)
        }
    }

    static func check(_ problem: Problem, _ options: GradCheckOptions) throws {
        let leaves = problem.leaves(problem.values)
        let outs = try problem.f(leaves)
        precondition(outs.count == problem.outputs.count)
        for (o, out) in outs.enumerated() {
            guard out.dtype == .float64 else {
                throw CheckFailure("\(problem.outputs[o]) is \(out.dtype), but the gradient check needs float64 all the way through: a constant created without dtype: .float64 lowers the precision (Tensor(…, dtype: .float64))", hint: options.hint)
            }
            guard out.requiresGrad || problem.createGraph else {
                throw CheckFailure("\(problem.outputs[o]) does not require grad, so there is no gradient to check: is it computed from .scalars, .item(), detach() or under noGrad?", hint: options.hint)
            }
        }
        let entries = outs.reduce(0) { $0 + $1.count } * problem.wrt.reduce(0) { $0 + problem.values[$1].count }
        let fast: Bool
        switch options.mode {
        case .auto: fast = entries > options.fullLimit
        case .full: fast = false
        case .fast: fast = true
        }
        if fast {
            try fastCheck(problem, leaves: leaves, outs: outs, options, fullAffordable: entries <= 100_000)
        } else {
            try fullCheck(problem, leaves: leaves, outs: outs, options)
        }
    }

    /// Every Jacobian entry: rows by backward with one-hot output gradients, columns by central
    /// differences; the worst violation is reported.
    static func fullCheck(_ problem: Problem, leaves: [Tensor], outs: [Tensor], _ options: GradCheckOptions) throws {
        // analytic[o][w][i][j]: d out_o[i] / d input_w[j]
        var analytic: [[[[Double]]]] = []
        var missing: [[Bool]] = []
        for out in outs {
            var perInput = problem.wrt.map { [[Double]](repeating: [Double](repeating: 0, count: problem.values[$0].count), count: out.count) }
            var none = problem.wrt.map { _ in true }
            if out.requiresGrad {
                for i in 0..<out.count {
                    var oneHot = [Double](repeating: 0, count: out.count)
                    oneHot[i] = 1
                    let grads = try grad(outputs: [out], inputs: problem.wrt.map { leaves[$0] },
                                         gradOutputs: [Tensor(oneHot, shape: out.shape, dtype: .float64)],
                                         retainGraph: true, createGraph: false, allowUnused: true)
                    for (w, g) in grads.enumerated() {
                        guard let g else { continue }
                        none[w] = false
                        let k = problem.wrt[w]
                        guard g.count == problem.values[k].count else {
                            throw CheckFailure("your gradient for \(problem.names[k]) has shape \(Format.shape(g.shape)), but \(problem.names[k]) has shape \(Format.shape(problem.shapes[k]))", hint: options.hint)
                        }
                        perInput[w][i] = g.scalars
                    }
                }
            }
            analytic.append(perInput)
            missing.append(none)
        }
        var worst: (o: Int, w: Int, i: Int, j: Int, a: Double, n: Double, excess: Double)?
        var analyticSeen: [Double] = [], numericSeen: [Double] = []
        for (w, k) in problem.wrt.enumerated() {
            for j in 0..<problem.values[k].count {
                let numeric = try column(problem, input: k, element: j, eps: options.eps)
                for o in outs.indices {
                    for i in 0..<numeric[o].count {
                        let a = analytic[o][w][i][j], n = numeric[o][i]
                        analyticSeen.append(missing[o][w] ? .nan : a)
                        numericSeen.append(n)
                        let excess = excessOver(a, n, options)
                        if excess > (worst?.excess ?? 0) { worst = (o, w, i, j, a, n, excess) }
                    }
                }
            }
        }
        Evidence.value("the gradients of \(problem.outputs.joined(separator: ", "))", actual: analyticSeen, expected: numericSeen,
                       atol: options.atol, rtol: options.rtol)
        guard let v = worst else { return }
        let k = problem.wrt[v.w]
        let outName = Format.element(problem.outputs[v.o], v.i, shape: outs[v.o].shape)
        let inName = Format.element(problem.names[k], v.j, shape: problem.shapes[k])
        var kink = ""
        if let note = try? kinkNote(problem, input: k, element: v.j, output: v.o, index: v.i, options) { kink = note }
        let atPoint = " at \(inName) = \(Format.value(problem.values[k][v.j]))"
        if missing[v.o][v.w] {
            throw CheckFailure("d \(outName) / d \(inName): your gradient is missing (nil: \(problem.names[k]) is not connected to \(problem.outputs[v.o]) in the graph), finite differences give \(Format.value(v.n))\(atPoint)", hint: options.hint)
        }
        throw failure("d \(outName) / d \(inName)", analytic: v.a, numeric: v.n, options, kink: kink, suffix: atPoint)
    }

    /// PyTorch's fast mode: vᵀ·J·u with random u (inputs) and v (outputs).
    static func fastCheck(_ problem: Problem, leaves: [Tensor], outs: [Tensor], _ options: GradCheckOptions, fullAffordable: Bool) throws {
        var u = problem.wrt.map { k in problem.values[k].map { _ in Random.normal() } }
        let norm = u.flatMap { $0 }.reduce(0) { $0 + $1 * $1 }.squareRoot()
        u = u.map { $0.map { $0 / max(norm, 1e-12) } }
        let v = outs.map { out in (0..<out.count).map { _ in Random.normal() } }
        let differentiable = outs.indices.filter { outs[$0].requiresGrad }
        var analytic = 0.0
        if !differentiable.isEmpty {
            let grads = try grad(outputs: differentiable.map { outs[$0] }, inputs: problem.wrt.map { leaves[$0] },
                                 gradOutputs: differentiable.map { Tensor(v[$0], shape: outs[$0].shape, dtype: .float64) },
                                 retainGraph: true, createGraph: false, allowUnused: true)
            for (w, g) in grads.enumerated() {
                guard let g else { continue }
                let k = problem.wrt[w]
                guard g.count == problem.values[k].count else {
                    throw CheckFailure("your gradient for \(problem.names[k]) has shape \(Format.shape(g.shape)), but \(problem.names[k]) has shape \(Format.shape(problem.shapes[k]))", hint: options.hint)
                }
                analytic += zip(g.scalars, u[w]).reduce(0) { $0 + $1.0 * $1.1 }
            }
        }
        func shifted(_ sign: Double) -> [[Double]] {
            var values = problem.values
            for (w, k) in problem.wrt.enumerated() {
                for j in values[k].indices { values[k][j] += sign * options.eps * u[w][j] }
            }
            return values
        }
        let plus = try problem.evaluate(shifted(1)), minus = try problem.evaluate(shifted(-1))
        var numeric = 0.0
        for o in outs.indices {
            for i in 0..<plus[o].count { numeric += v[o][i] * (plus[o][i] - minus[o][i]) / (2 * options.eps) }
        }
        Evidence.value("vᵀ·J·u of \(problem.outputs.joined(separator: ", "))", actual: [analytic], expected: [numeric],
                       atol: options.atol, rtol: options.rtol)
        guard !isClose(analytic, numeric, options) else { return }
        if fullAffordable {
            // Locate the error precisely.
            try fullCheck(problem, leaves: leaves, outs: outs, options)
        }
        let names = problem.wrt.map { problem.names[$0] }.joined(separator: ", ")
        var message = "vᵀ·J·u along random directions u (over \(names)) and v (over \(problem.outputs.joined(separator: ", "))): your gradients give \(Format.value(analytic)), finite differences \(Format.value(numeric))"
        if analytic.isFinite && numeric.isFinite {
            message += " (|diff| \(Format.small(abs(analytic - numeric))) > atol \(Format.small(options.atol)) + rtol \(Format.small(options.rtol)) × |\(Format.value(numeric))|)"
        }
        message += ". The input is too large to check element by element; the same rule on a small input shows which element is wrong"
        throw CheckFailure(message, hint: options.hint)
    }

    /// d outputs / d input[k][j] by central differences.
    static func column(_ problem: Problem, input k: Int, element j: Int, eps: Double) throws -> [[Double]] {
        var plus = problem.values, minus = problem.values
        plus[k][j] += eps
        minus[k][j] -= eps
        let fp = try problem.evaluate(plus), fm = try problem.evaluate(minus)
        return zip(fp, fm).map { p, m in zip(p, m).map { ($0 - $1) / (2 * eps) } }
    }

    /// When the one-sided differences disagree, the point sits on a kink: finite differences are
    /// meaningless there and the failure is the checks' fault, not the student's.
    static func kinkNote(_ problem: Problem, input k: Int, element j: Int, output o: Int, index i: Int, _ options: GradCheckOptions) throws -> String {
        var plus = problem.values, minus = problem.values
        plus[k][j] += options.eps
        minus[k][j] -= options.eps
        let f0 = try problem.evaluate(problem.values)[o][i], fp = try problem.evaluate(plus)[o][i], fm = try problem.evaluate(minus)[o][i]
        return kinkSentence(forward: (fp - f0) / options.eps, backward: (f0 - fm) / options.eps, options)
    }

    static func kinkNote(f: (Double) throws -> Double, x: Double, _ options: GradCheckOptions) throws -> String {
        let f0 = try f(x), fp = try f(x + options.eps), fm = try f(x - options.eps)
        return kinkSentence(forward: (fp - f0) / options.eps, backward: (f0 - fm) / options.eps, options)
    }

    static func kinkSentence(forward: Double, backward: Double, _ options: GradCheckOptions) -> String {
        let scale = max(abs(forward), abs(backward))
        guard abs(forward - backward) > 100 * (options.atol + options.rtol * scale) + 1e-3 * scale else { return "" }
        return " (note: the function has a kink here — the slope is \(Format.value(backward)) just left and \(Format.value(forward)) just right — so finite differences cannot judge this point; the checks should keep samples away from it: try another --seed and tell your instructor)"
    }

    static func excessOver(_ a: Double, _ n: Double, _ options: GradCheckOptions) -> Double {
        if a.isNaN || n.isNaN { return a.isNaN && n.isNaN ? 0 : .infinity }
        return abs(a - n) - (options.atol + options.rtol * abs(n))
    }

    static func isClose(_ a: Double, _ n: Double, _ options: GradCheckOptions) -> Bool { excessOver(a, n, options) <= 0 }

    static func failure(_ what: String, analytic a: Double, numeric n: Double, _ options: GradCheckOptions, kink: String, suffix: String = "") -> CheckFailure {
        var message = "\(what): your gradient \(Format.value(a)), finite differences \(Format.value(n))"
        if a.isFinite && n.isFinite {
            message += " (|diff| \(Format.small(abs(a - n))) > atol \(Format.small(options.atol)) + rtol \(Format.small(options.rtol)) × |\(Format.value(n))|)"
        }
        return CheckFailure(message + suffix + kink, hint: options.hint)
    }
}
