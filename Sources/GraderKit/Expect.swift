import Autograd

// Checks of values, shapes, `.grad` state and graphs. Each throws a `CheckFailure` whose message
// names the thing checked (`what`), the worst element and both values, so the student knows
// exactly what differs without reading the check's code.

/// Fails with `message` unless `condition` holds.
public func expect(_ condition: @autoclosure () throws -> Bool, _ message: @autoclosure () -> String) throws {
    let holds = try condition()
    Evidence.fact("a condition of this check", holds)
    guard holds else { throw CheckFailure(message()) }
}

/// `actual` is within `atol + rtol * |expected|` of `expected`.
public func expectClose(_ actual: Double, _ expected: Double, atol: Double = 1e-6, rtol: Double = 1e-5, _ what: String) throws {
    try expectClose([actual], [expected], shape: [], atol: atol, rtol: rtol, what)
}

/// Every element of `actual` is close to `expected` (row-major), and the shapes agree when
/// `expected` is a tensor.
public func expectClose(_ actual: Tensor, _ expected: Tensor, atol: Double = 1e-6, rtol: Double = 1e-5, _ what: String) throws {
    try expectShape(actual, expected.shape, what)
    try expectClose(actual.scalars, expected.scalars, shape: actual.shape, atol: atol, rtol: rtol, what)
}

/// Every element of `actual` is close to `expected` (row-major values; the shape is not checked).
public func expectClose(_ actual: Tensor, _ expected: [Double], atol: Double = 1e-6, rtol: Double = 1e-5, _ what: String) throws {
    guard actual.count == expected.count else {
        throw CheckFailure("\(what) has \(actual.count) element\(actual.count == 1 ? "" : "s") (shape \(Format.shape(actual.shape))), expected \(expected.count)")
    }
    try expectClose(actual.scalars, expected, shape: actual.shape, atol: atol, rtol: rtol, what)
}

/// Element-wise closeness of two lists; `shape` only shapes the index in the message.
public func expectClose(_ actual: [Double], _ expected: [Double], shape: [Int]? = nil, atol: Double = 1e-6, rtol: Double = 1e-5, _ what: String) throws {
    guard actual.count == expected.count else {
        throw CheckFailure("\(what) has \(actual.count) values, expected \(expected.count)")
    }
    let shape = shape ?? [actual.count]
    Evidence.value(what, actual: actual, expected: expected, atol: atol, rtol: rtol)
    var worst: (index: Int, excess: Double)?
    for i in actual.indices {
        let a = actual[i], e = expected[i]
        let tolerance = atol + rtol * abs(e)
        let diff = abs(a - e)
        let excess = a.isNaN != e.isNaN ? Double.infinity : (a.isNaN ? 0 : diff - tolerance)
        if (excess > 0 || excess.isNaN) && excess >= (worst?.excess ?? -1) { worst = (i, excess.isNaN ? .infinity : excess) }
    }
    guard let worst else { return }
    let i = worst.index, a = actual[i], e = expected[i]
    let name = Format.element(what, i, shape: shape)
    var message = "\(name) is \(Format.value(a)), expected \(Format.value(e))"
    if a.isFinite && e.isFinite {
        message += " (|diff| \(Format.small(abs(a - e))) > tolerance \(Format.small(atol + rtol * abs(e))))"
    }
    let wrong = actual.indices.filter { !isClose(actual[$0], expected[$0], atol: atol, rtol: rtol) }.count
    if wrong > 1 { message += "; \(wrong) of \(actual.count) elements differ" }
    throw CheckFailure(message)
}

func isClose(_ a: Double, _ e: Double, atol: Double, rtol: Double) -> Bool {
    if a.isNaN || e.isNaN { return a.isNaN && e.isNaN }
    if a == e { return true }
    return abs(a - e) <= atol + rtol * abs(e)
}

/// `tensor.shape == shape`.
public func expectShape(_ tensor: Tensor, _ shape: [Int], _ what: String) throws {
    Evidence.fact("the shape of \(what)", actual: tensor.shape.map(Double.init), expected: shape.map(Double.init))
    guard tensor.shape == shape else {
        throw CheckFailure("\(what) has shape \(Format.shape(tensor.shape)), expected \(Format.shape(shape))")
    }
}

/// `tensor.grad` is nil: no backward pass has reached it (or it was reset with `setToNone`).
public func expectGradNil(_ tensor: Tensor, _ name: String) throws {
    Evidence.fact("\(name).grad is nil", tensor.grad == nil)
    if let grad = tensor.grad {
        throw CheckFailure("\(name).grad should be nil here, but it holds \(Format.values(grad.scalars))")
    }
}

/// `tensor.grad` exists and is close to `expected` (after one backward, or accumulated over several).
public func expectGrad(_ tensor: Tensor, _ expected: [Double], atol: Double = 1e-6, rtol: Double = 1e-5, _ name: String) throws {
    Evidence.fact("\(name).grad exists", tensor.grad != nil)
    guard let grad = tensor.grad else {
        let why = tensor.requiresGrad ? "did backward() run on a result computed from \(name)?" : "\(name) does not require grad: create it with requiresGrad: true"
        throw CheckFailure("\(name).grad is nil: \(why)")
    }
    try expectShape(grad, tensor.shape, "\(name).grad")
    try expectClose(grad.scalars, expected, shape: tensor.shape, atol: atol, rtol: rtol, "\(name).grad")
}

/// `tensor.grad` was cleared: nil (`zeroGrad(setToNone: true)`) or all zeros.
public func expectGradCleared(_ tensor: Tensor, _ name: String) throws {
    Evidence.fact("\(name).grad is cleared", tensor.grad.map { $0.scalars.allSatisfy { $0 == 0 } } ?? true)
    guard let grad = tensor.grad else { return }
    if let index = grad.scalars.firstIndex(where: { $0 != 0 }) {
        throw CheckFailure("\(name).grad should be cleared (nil or zeros), but \(Format.element("\(name).grad", index, shape: grad.shape)) is \(Format.value(grad.scalars[index])): gradients accumulate until you zero them")
    }
}

/// No graph was recorded for `tensor`: it does not require grad and has no `gradFn`.
public func expectNoGraph(_ tensor: Tensor, _ name: String) throws {
    Evidence.fact("\(name) has no graph", tensor.gradFn == nil && !tensor.requiresGrad)
    if let node = tensor.gradFn {
        throw CheckFailure("\(name) was recorded for backward (gradFn \(node.name)): compute it inside noGrad { } or from detached tensors")
    }
    if tensor.requiresGrad {
        throw CheckFailure("\(name) requires grad: it should be a plain value here")
    }
}

/// A graph was recorded: `tensor` requires grad, and when `gradFn` is given its node has that name.
public func expectGraph(_ tensor: Tensor, _ name: String, gradFn: String? = nil) throws {
    Evidence.fact("\(name) has a graph" + (gradFn.map { " ending in \($0)" } ?? ""),
                  tensor.requiresGrad && (gradFn == nil || tensor.gradFn?.name == gradFn))
    guard tensor.requiresGrad else {
        throw CheckFailure("\(name) does not require grad, so backward cannot reach the inputs: was it computed under noGrad, with detach(), or from .scalars / .item()?")
    }
    if let gradFn {
        let actual = tensor.gradFn?.name ?? "nil (a leaf)"
        guard actual == gradFn else { throw CheckFailure("\(name).gradFn is \(actual), expected \(gradFn)") }
    }
}

/// `body` throws (any error), e.g. a second backward through a freed graph.
public func expectThrows(_ what: String, _ body: () throws -> Void) throws {
    do {
        try body()
    } catch {
        Evidence.fact("\(what) throws", true)
        return
    }
    Evidence.fact("\(what) throws", false)
    throw CheckFailure("\(what) should throw an error, but it did not")
}

/// Counts the calls of a hook, and optionally forwards to the student's hook.
///
/// ```swift
/// let spy = HookSpy("your hook on x")
/// try x.registerHook(spy.wrap(studentHook))
/// try loss.backward()
/// try spy.expectCalled(times: 1)
/// ```
public final class HookSpy {
    public let name: String
    public private(set) var calls = 0
    /// The gradients the hook received, in call order.
    public private(set) var received: [Tensor] = []

    public init(_ name: String) { self.name = name }

    /// A hook that records its call and returns nil (leaves the gradient unchanged).
    public var hook: (Tensor) -> Tensor? { wrap { _ in nil } }

    /// `inner`, recording each call first.
    public func wrap(_ inner: @escaping (Tensor) -> Tensor?) -> (Tensor) -> Tensor? {
        { [self] grad in
            calls += 1
            received.append(grad.detach())
            return inner(grad)
        }
    }

    public func expectCalled(times expected: Int) throws {
        Evidence.fact("the calls of \(name)", actual: [Double(calls)], expected: [Double(expected)])
        guard calls == expected else {
            throw CheckFailure("\(name) ran \(calls) time\(calls == 1 ? "" : "s"), expected \(expected)")
        }
    }
}

/// Runs `body` `trials` times with fresh random inputs (draw them with `Random` inside), failing
/// with the first trial that fails and its number, so a property holds "for all" inputs tried.
public func forAll(_ property: String, trials: Int = 100, _ body: (_ trial: Int) throws -> Void) throws {
    for trial in 1...max(trials, 1) {
        do {
            try body(trial)
        } catch let failure as CheckFailure {
            throw CheckFailure("\(property) fails on trial \(trial) of \(trials): \(failure.message)", hint: failure.hint)
        }
    }
}

/// A scalar result (a tensor with one element) is close to `expected`.
public func expectClose(_ actual: Tensor, _ expected: Double, atol: Double = 1e-6, rtol: Double = 1e-5, _ what: String) throws {
    guard actual.count == 1 else {
        throw CheckFailure("\(what) should be a single number, but it has shape \(Format.shape(actual.shape))")
    }
    try expectClose(actual.scalars, [expected], shape: [], atol: atol, rtol: rtol, what)
}
