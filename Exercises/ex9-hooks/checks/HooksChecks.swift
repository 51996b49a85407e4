import Autograd
import Foundation
import GraderKit

// Checks for exercise 9: the clamping hook against clamp's values (and the usual wrong returns),
// the recorder against norms read directly from .grad after each backward.

private func show(_ xs: [Double]) -> String { "[" + xs.map { String(format: "%.6g", $0) }.joined(separator: ", ") + "]" }

private func close(_ a: [Double], _ b: [Double], rtol: Double = 1e-6) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= 1e-9 + rtol * abs($1) }
}

/// A small network with three weights (0.weight, 2.weight, 4.weight) and biases.
private func network() -> Sequential {
    manualSeed(9)
    return Sequential(Linear(3, 4), Tanh(), Linear(4, 4), Tanh(), Linear(4, 1))
}

private let inputs = Tensor([[1.0, -2.0, 0.5], [0.3, 0.8, -1.5], [2.0, 0.1, 0.4]])
private let targets = Tensor([[1.0], [-1.0], [0.5]])

let checks = CheckSuite {
    Check("clamp_hook_values", "clampingHook(limit: 1) clamps the gradient arriving at x into [-1, 1]",
          hint: "The clamping hook must return the clamped gradient: a hook's return value replaces the gradient, nil keeps it.\nReturn grad.clamp(min: -limit, max: limit).") {
        let x = Tensor([1.0, -2.0, 3.0, 0.5], requiresGrad: true)
        let spy = HookSpy("your clamping hook")
        try x.registerHook(spy.wrap(clampingHook(limit: 1)))
        let incoming = [5.0, -0.5, 2.0, -3.0]
        try (x * Tensor(incoming)).sum().backward()
        try spy.expectCalled(times: 1)
        let yours = x.grad!.scalars, right = incoming.map { min(max($0, -1), 1) }
        if close(yours, right) { return observe(yours, "x.grad after your clamping hook", atol: 1e-9, rtol: 1e-6) }
        if close(yours, incoming) {
            throw CheckFailure("the gradient arriving at x was \(show(incoming)) and x.grad is the same, unclamped: your hook returned nil (or the gradient unchanged). A hook changes the gradient only by returning the new one: expected \(show(right))")
        }
        if close(yours, incoming.map { min($0, 1) }) {
            throw CheckFailure("x.grad is \(show(yours)): only the upper limit was applied, so -3 stayed -3. Clamp into [-limit, limit]: expected \(show(right))",
                               hint: "The hook must clamp every element into [−limit, limit] and return the result.\ngrad.clamp(min: -limit, max: limit)")
        }
        if close(yours, incoming.map { min(max($0, 0), 1) }) {
            throw CheckFailure("x.grad is \(show(yours)): the range was [0, limit], so the negative gradients became 0. The range is [-limit, limit]: expected \(show(right))",
                               hint: "The hook must clamp every element into [−limit, limit] and return the result.\ngrad.clamp(min: -limit, max: limit)")
        }
        throw CheckFailure("the gradient arriving at x was \(show(incoming)); after your hook x.grad is \(show(yours)), expected \(show(right))")
    }

    Check("clamp_hook_flows_on", "on an intermediate tensor, the clamped gradient is what flows on to the inputs",
          hint: "Return the clamped tensor: backward continues from what the hook returns.") {
        let x = Tensor([1.0, -1.0, 2.0], requiresGrad: true)
        let h = x * 3
        try h.registerHook(clampingHook(limit: 0.5))
        try (h * Tensor([2.0, -0.25, -4.0])).sum().backward()
        // d loss / d h = [2, -0.25, -4], clamped to [0.5, -0.25, -0.5], times dh/dx = 3.
        let right = [1.5, -0.75, -1.5]
        try expect(close(x.grad!.scalars, right),
                   "with the hook on h = x * 3 and d loss / d h = [2, -0.25, -4], x.grad is \(show(x.grad!.scalars)); the clamped gradient [0.5, -0.25, -0.5] times dh/dx = 3 gives \(show(right))")
        observe(x.grad!.scalars, "x.grad with the hook on h = x * 3", atol: 1e-9, rtol: 1e-6)
    }

    Check("recorder_names", "GradientRecorder watches exactly the weights: 0.weight, 2.weight, 4.weight",
          hint: "norms must have one entry per weight (not bias), each starting empty, from the moment the recorder is made.\nFilter model.namedParameters() by name.hasSuffix(\"weight\") in init, and start each list empty.") {
        let model = network()
        let recorder = try GradientRecorder(model: model)
        let keys = recorder.norms.keys.sorted()
        if keys.contains(where: { $0.hasSuffix("bias") }) {
            throw CheckFailure("recorder.norms has the keys \(keys): the biases are included. Record only the parameters whose name ends in \"weight\"")
        }
        try expect(keys == ["0.weight", "2.weight", "4.weight"],
                   "recorder.norms has the keys \(keys), expected [\"0.weight\", \"2.weight\", \"4.weight\"] (the names namedParameters() gives), each starting with an empty list")
        try expect(recorder.norms.values.allSatisfy(\.isEmpty), "before any backward, every list in recorder.norms should be empty")
        // Evidence for grading: what the hooks on those weights record in one backward pass.
        try? mseLoss(model(inputs), targets).backward()
        observe(keys.map { recorder.norms[$0]?.first ?? .nan }, "the norms recorded in one backward pass", atol: 1e-9, rtol: 1e-5)
    }

    Check("recorder_values", "after each of 3 training steps, each weight's .grad norm is appended",
          hint: "The recorder needs one norm per weight per backward, taken after .grad is filled.\nregisterPostAccumulateGradHook runs once per backward, after accumulation: append the norm of p.grad there.") {
        let model = network()
        let recorder = try GradientRecorder(model: model)
        let optimizer = SGD(model.parameters(), lr: 0.1)
        var right: [String: [Double]] = [:]
        for _ in 0..<3 {
            try optimizer.zeroGrad()
            try mseLoss(model(inputs), targets).backward()
            for (name, p) in model.namedParameters() where name.hasSuffix("weight") {
                right[name, default: []].append(try p.grad!.norm().item())
            }
            try optimizer.step()
        }
        for name in ["0.weight", "2.weight", "4.weight"] {
            let yours = recorder.norms[name] ?? []
            if yours.count != 3 {
                throw CheckFailure("after 3 backward passes, recorder.norms[\"\(name)\"] has \(yours.count) value\(yours.count == 1 ? "" : "s") \(show(yours)), expected 3 (one per backward): \(show(right[name]!))")
            }
            try expect(close(yours, right[name]!),
                       "recorder.norms[\"\(name)\"] is \(show(yours)); the norms of \(name).grad after each backward are \(show(right[name]!))")
            observe(yours, "recorder.norms[\"\(name)\"]", atol: 1e-9, rtol: 1e-5)
        }
    }

    Check("recorder_after_accumulation", "without zeroGrad, the recorded norm is that of the accumulated .grad",
          hint: "A plain registerHook runs before accumulation and sees only this pass's gradient; registerPostAccumulateGradHook runs after, and p.grad holds the sum.") {
        let model = network()
        let recorder = try GradientRecorder(model: model)
        let weight = (model[0] as! Linear).weight
        try mseLoss(model(inputs), targets).backward()
        let first = try weight.grad!.norm().item()
        try mseLoss(model(inputs * 2), targets).backward()      // accumulates
        let accumulated = try weight.grad!.norm().item()
        let yours = recorder.norms["0.weight"] ?? []
        guard yours.count == 2 else {
            throw CheckFailure("after 2 backward passes, recorder.norms[\"0.weight\"] has \(yours.count) values \(show(yours)), expected 2")
        }
        if close([yours[1]], [accumulated]) { return observe(yours[1], "the second norm recorded for 0.weight", atol: 1e-9, rtol: 1e-5) }
        let secondAlone = try Tensor(zip(weight.grad!.scalars, (try? { () throws -> [Double] in
            let fresh = network()
            try mseLoss(fresh(inputs), targets).backward()
            return (fresh[0] as! Linear).weight.grad!.scalars
        }()) ?? []).map { $0 - $1 }).norm().item()
        if close([yours[1]], [secondAlone], rtol: 1e-4) {
            throw CheckFailure("the second value recorded for 0.weight is \(String(format: "%.6g", yours[1])), the norm of the second pass's gradient alone; after it, 0.weight.grad holds both passes' sum, whose norm is \(String(format: "%.6g", accumulated)). Your hook sees the gradient before it is added into .grad: use registerPostAccumulateGradHook and read p.grad",
                               hint: "The norms must be read once per backward, after .grad is filled, from a hook registered on each weight.\nregisterPostAccumulateGradHook, reading p.grad's norm inside it.")
        }
        throw CheckFailure("recorder.norms[\"0.weight\"] is \(show(yours)); the norms of 0.weight.grad after each backward are \(show([first, accumulated]))")
    }

    Check("recorder_remove", "after remove(), backward passes record nothing and gradients are unchanged",
          hint: "remove() must take every hook away: dropping a handle does not remove its hook.\nKeep each RemovableHandle from init and call remove() on every one.") {
        let model = network()
        let recorder = try GradientRecorder(model: model)
        try mseLoss(model(inputs), targets).backward()
        recorder.remove()
        model.zeroGrad()
        try mseLoss(model(inputs), targets).backward()
        let counts = ["0.weight", "2.weight", "4.weight"].map { recorder.norms[$0]?.count ?? 0 }
        if counts.allSatisfy({ $0 == 2 }) {
            throw CheckFailure("after remove(), a backward pass still appended a norm for every weight (each list has 2 values, expected 1): the hooks are still registered. Call remove() on every handle you kept")
        }
        try expect(counts.allSatisfy { $0 == 1 },
                   "after one backward, remove(), and another backward, the lists have \(counts) values, expected 1 each")
        observe(["0.weight", "2.weight", "4.weight"].map { recorder.norms[$0]?.first ?? .nan }, "the norms recorded before remove()", atol: 1e-9, rtol: 1e-5)
    }
}
