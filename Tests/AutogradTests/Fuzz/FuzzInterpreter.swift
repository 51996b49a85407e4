import Foundation
@testable import Autograd

/// Runs the programs `Scripts/fuzz.py` records (one JSON object per line) with the library, and
/// compares every value and gradient with PyTorch's: the replay half of the differential fuzz.
///
/// Tolerances: a relative 1e-9 for float64 and 1e-4 for float32, with an absolute floor of the same
/// size times the largest expected magnitude in that tensor (so cancellation near zero in a tensor
/// of large values is not a disagreement); NaN and infinity positions must match exactly.
struct FuzzProgram {
    let id: String
    let json: [String: Any]

    var dtype: DType { (json["dtype"] as? String) == "float64" ? .float64 : .float32 }

    /// Reads a `.jsonl` file of programs.
    static func load(_ url: URL) throws -> [FuzzProgram] {
        let text = try String(contentsOf: url, encoding: .utf8)
        return try text.split(separator: "\n").map { line in
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
            return FuzzProgram(id: object["id"] as! String, json: object)
        }
    }
}

/// A recorded tensor: its shape and values (`"nan"`, `"inf"` and `"-inf"` spelled as strings).
struct RecordedTensor {
    let shape: [Int]
    let values: [Double]

    init?(_ any: Any?) {
        guard let object = any as? [String: Any] else { return nil }
        shape = (object["s"] as! [Any]).map { ($0 as! NSNumber).intValue }
        values = (object["v"] as! [Any]).map(RecordedTensor.number)
    }

    static func number(_ any: Any) -> Double {
        if let n = any as? NSNumber { return n.doubleValue }
        switch any as? String {
        case "nan": return .nan
        case "inf": return .infinity
        case "-inf": return -.infinity
        default: fatalError("not a recorded number: \(any)")
        }
    }

    func tensor(_ dtype: DType) -> Tensor { Tensor(values, shape: shape, dtype: dtype) }
}

enum FuzzInterpreter {
    /// What the library computed for a program.
    struct Outcome {
        var values: [Tensor] = []
        var grads: [Tensor?]? = nil
        var grads2: [Tensor?]? = nil
    }

    static func int(_ any: Any?) -> Int { (any as! NSNumber).intValue }
    static func ints(_ any: Any?) -> [Int] { (any as! [Any]).map { ($0 as! NSNumber).intValue } }
    static func double(_ any: Any?) -> Double { RecordedTensor.number(any!) }
    static func optionalInt(_ any: Any?) -> Int? { any is NSNull || any == nil ? nil : int(any) }
    static func optionalDouble(_ any: Any?) -> Double? { any is NSNull || any == nil ? nil : double(any) }

    /// Runs `program` with the library: its operations, then the weighted-sum loss's backward
    /// pass, then (when recorded) the second-order pass through the first gradients.
    static func run(_ program: FuzzProgram) throws -> Outcome {
        let json = program.json, dtype = program.dtype
        let inputs = json["inputs"] as! [[String: Any]]
        let leaves = inputs.map { input -> Tensor in
            Tensor(RecordedTensor(input)!.values, shape: ints(input["s"]), dtype: dtype, requiresGrad: input["grad"] as! Bool)
        }
        var values = leaves
        var hooks: [Int: Double] = [:]
        for hook in json["hooks"] as? [[String: Any]] ?? [] { hooks[int(hook["at"])] = double(hook["scale"]) }
        for op in json["ops"] as! [[String: Any]] {
            let args = ints(op["a"]).map { values[$0] }
            let out = try apply(op["op"] as! String, args, op["p"] as? [String: Any] ?? [:])
            if let scale = hooks[values.count], out.requiresGrad {
                _ = try out.registerHook { $0 * scale }
            }
            values.append(out)
        }
        var outcome = Outcome(values: Array(values[leaves.count...]))
        var loss: Tensor?
        for term in json["loss"] as! [[String: Any]] {
            let v = values[int(term["at"])]
            guard v.requiresGrad else { continue }
            let weighted = (v * RecordedTensor(term)!.tensor(dtype)).sum()
            loss = loss.map { $0 + weighted } ?? weighted
        }
        guard let loss else { return outcome }
        let second = json["second"] as? [Any]
        try loss.backward(createGraph: second != nil)
        outcome.grads = leaves.map(\.grad)
        guard let second else { return outcome }
        var loss2: Tensor?
        for (leaf, weights) in zip(leaves, second) {
            guard let g = leaf.grad, let w = RecordedTensor(weights) else { continue }
            let term = (g * w.tensor(dtype)).sum()
            loss2 = loss2.map { $0 + term } ?? term
        }
        let wanted = leaves.filter(\.requiresGrad)
        if let loss2, loss2.requiresGrad {
            let g2 = try grad(outputs: [loss2], inputs: wanted, allowUnused: true)
            var it = g2.makeIterator()
            outcome.grads2 = leaves.map { $0.requiresGrad ? it.next()! : nil }
        } else {
            outcome.grads2 = leaves.map { _ in nil }
        }
        return outcome
    }

    /// One operation of the program format, as the library spells it.
    static func apply(_ name: String, _ a: [Tensor], _ p: [String: Any]) throws -> Tensor {
        let x = a[0]
        func s() -> Double { double(p["s"]) }
        switch name {
        case "neg": return -x
        case "exp": return x.exp()
        case "log": return x.log()
        case "sqrt": return x.sqrt()
        case "sin": return x.sin()
        case "cos": return x.cos()
        case "tanh": return x.tanh()
        case "sigmoid": return x.sigmoid()
        case "relu": return x.relu()
        case "abs": return x.abs()
        case "sign": return x.sign()
        case "reciprocal": return x.reciprocal()
        case "square": return x.square()
        case "log1p": return x.log1p()
        case "expm1": return x.expm1()
        case "rsqrt": return x.rsqrt()
        case "erf": return x.erf()
        case "silu": return x.silu()
        case "logsigmoid": return x.logSigmoid()
        case "leaky_relu": return x.leakyRelu(negativeSlope: double(p["slope"]))
        case "gelu": return x.gelu(approximate: p["approximate"] as! String == "tanh" ? .tanh : .none)
        case "softplus": return x.softplus(beta: double(p["beta"]), threshold: double(p["threshold"]))
        case "clamp": return x.clamp(min: optionalDouble(p["min"]), max: optionalDouble(p["max"]))
        case "pow_s": return x ** double(p["e"])
        case "rpow": return double(p["base"]) ** x
        case "add_s": return x + s()
        case "sub_s": return x - s()
        case "rsub_s": return s() - x
        case "mul_s": return x * s()
        case "div_s": return x / s()
        case "rdiv_s": return s() / x
        case "add": return x + a[1]
        case "sub": return x - a[1]
        case "mul": return x * a[1]
        case "div": return x / a[1]
        case "pow": return x ** a[1]
        case "atan2": return try x.atan2(a[1])
        case "maximum": return try x.maximum(a[1])
        case "minimum": return try x.minimum(a[1])
        case "where": return Tensor.where(x.gt(0), a[1], a[2])
        case "clamp_t":
            switch p["which"] as! String {
            case "min": return try a[0].clamp(min: a[1])
            case "max": return try a[0].clamp(max: a[2])
            default: return try a[0].clamp(min: a[1], max: a[2])
            }
        case "mse": return MSELoss()(x, a[1])
        case "l1": return L1Loss()(x, a[1])
        case "huber": return HuberLoss(delta: double(p["delta"]))(x, a[1])
        case "sum": return x.sum()
        case "sum_dim": return try x.sum(dim: int(p["dim"]), keepdim: p["keepdim"] as! Bool)
        case "mean": return x.mean()
        case "mean_dim": return try x.mean(dim: int(p["dim"]), keepdim: p["keepdim"] as! Bool)
        case "max_all": return try x.max()
        case "min_all": return try x.min()
        case "max_dim": return try x.max(dim: int(p["dim"]), keepdim: p["keepdim"] as! Bool).values
        case "min_dim": return try x.min(dim: int(p["dim"]), keepdim: p["keepdim"] as! Bool).values
        case "amax": return try x.amax(dims: ints(p["dims"]), keepdim: p["keepdim"] as! Bool)
        case "amin": return try x.amin(dims: ints(p["dims"]), keepdim: p["keepdim"] as! Bool)
        case "logsumexp": return try x.logsumexp(dims: ints(p["dims"]), keepdim: p["keepdim"] as! Bool)
        case "prod": return x.prod()
        case "prod_dim": return try x.prod(dim: int(p["dim"]), keepdim: p["keepdim"] as! Bool)
        case "var": return try x.var(dims: ints(p["dims"]), correction: double(p["correction"]), keepdim: p["keepdim"] as! Bool)
        case "std": return try x.std(dims: ints(p["dims"]), correction: double(p["correction"]), keepdim: p["keepdim"] as! Bool)
        case "cumsum": return try x.cumsum(dim: int(p["dim"]))
        case "cumprod": return try x.cumprod(dim: int(p["dim"]))
        case "norm": return try x.norm(double(p["p"]), dim: optionalInt(p["dim"]), keepdim: p["keepdim"] as! Bool)
        case "softmax": return try x.softmax(dim: int(p["dim"]))
        case "log_softmax": return try x.logSoftmax(dim: int(p["dim"]))
        case "reshape": return x.reshape(ints(p["shape"]))
        case "transpose": return try x.transpose(int(p["d0"]), int(p["d1"]))
        case "permute": return try x.permute(ints(p["dims"]))
        case "flip": return try x.flip(dims: ints(p["dims"]))
        case "repeat": return try x.repeat(ints(p["repeats"]))
        case "expand": return x.expand(ints(p["shape"]))
        case "unsqueeze": return try x.unsqueeze(int(p["dim"]))
        case "squeeze": return try optionalInt(p["dim"]).map { try x.squeeze($0) } ?? x.squeeze()
        case "slice":
            return try x.slice(dim: int(p["dim"]), start: optionalInt(p["start"]), end: optionalInt(p["end"]), step: int(p["step"]))
        case "select": return try x.select(dim: int(p["dim"]), index: int(p["index"]))
        case "index_select": return try x.indexSelect(dim: int(p["dim"]), index: ints(p["index"]))
        case "gather":
            let index = Tensor(ints(p["index"]).map(Double.init), shape: ints(p["ishape"]), dtype: .float64)
            return try x.gather(dim: int(p["dim"]), index: index)
        case "mT": return try x.mT
        case "t": return x.t()
        case "cat": return try Tensor.cat([x, a[1]], dim: int(p["dim"]))
        case "stack": return try Tensor.stack([x, a[1]], dim: int(p["dim"]))
        case "outer": return try x.outer(a[1])
        case "matmul": return x.matmul(a[1])
        default: throw AutogradError("fuzz: unknown operation \(name)")
        }
    }

    /// The first difference between PyTorch's recorded results and the library's, or nil.
    static func compare(_ program: FuzzProgram, _ outcome: Outcome) -> String? {
        let expect = program.json["expect"] as! [String: Any]
        let rtol = program.dtype == .float64 ? 1e-9 : 1e-4
        let values = expect["values"] as! [Any]
        if values.count != outcome.values.count { return "ran \(outcome.values.count) operations, expected \(values.count)" }
        for (k, (recorded, actual)) in zip(values, outcome.values).enumerated() {
            if let problem = differ(RecordedTensor(recorded), actual, rtol) { return "value of op \(k): \(problem)" }
        }
        for (label, key, actual) in [("grad", "grads", outcome.grads), ("second-order grad", "grads2", outcome.grads2)] {
            guard let recorded = expect[key] as? [Any] else {
                if let actual, actual.contains(where: { $0 != nil && $0!.scalars.contains { $0 != 0 } }) {
                    return "\(label)s computed where PyTorch has none"
                }
                continue
            }
            guard let actual else { return "no \(label)s, PyTorch has some" }
            for (i, (r, a)) in zip(recorded, actual).enumerated() {
                if let problem = differ(RecordedTensor(r), a, rtol) { return "\(label) of input \(i): \(problem)" }
            }
        }
        return nil
    }

    /// Where `actual` differs from `expected` (nil on either side counts as zeros).
    static func differ(_ expected: RecordedTensor?, _ actual: Tensor?, _ rtol: Double) -> String? {
        guard let expected else {
            if let actual, actual.scalars.contains(where: { $0 != 0 }) { return "PyTorch has none, library \(actual)" }
            return nil
        }
        guard let actual else {
            return expected.values.contains(where: { $0 != 0 }) ? "library has none, PyTorch \(expected.values)" : nil
        }
        if actual.shape != expected.shape { return "shape \(actual.shape), PyTorch \(expected.shape)" }
        let scale = Swift.max(1, expected.values.filter(\.isFinite).map(Swift.abs).max() ?? 1)
        for (i, (e, a)) in zip(expected.values, actual.scalars).enumerated() {
            let same: Bool
            if e.isNaN || a.isNaN { same = e.isNaN && a.isNaN }
            else if e.isInfinite || a.isInfinite { same = e == a }
            else { same = Swift.abs(e - a) <= rtol * Swift.max(Swift.abs(e), scale) }
            if !same { return "element \(i): library \(a), PyTorch \(e) (library \(actual.scalars), PyTorch \(expected.values))" }
        }
        return nil
    }
}
