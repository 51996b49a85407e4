import Foundation

/// Per-thread autograd state, as in PyTorch: whether operations record a graph, and which dtype
/// an autocast region computes matrix products in.
final class ThreadState {
    var gradEnabled = true
    var autocastDType: DType? = nil

    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key) { pointer in
            if let pointer { Unmanaged<ThreadState>.fromOpaque(pointer).release() }
        }
        return key
    }()

    /// This thread's state, created on first use.
    static var current: ThreadState {
        if let pointer = pthread_getspecific(key) {
            return Unmanaged<ThreadState>.fromOpaque(pointer).takeUnretainedValue()
        }
        let state = ThreadState()
        pthread_setspecific(key, Unmanaged.passRetained(state).toOpaque())
        return state
    }
}

/// Whether operations on this thread record a graph for backward (`torch.is_grad_enabled()`).
public var isGradEnabled: Bool { ThreadState.current.gradEnabled }

/// Runs `body` with graph recording switched on or off, restoring the previous mode afterwards,
/// even when `body` throws (`torch.set_grad_enabled`).
@discardableResult
public func setGradEnabled<T>(_ enabled: Bool, _ body: () throws -> T) rethrows -> T {
    let state = ThreadState.current
    let previous = state.gradEnabled
    state.gradEnabled = enabled
    defer { state.gradEnabled = previous }
    return try body()
}

/// Runs `body` without recording a graph: results don't require grad (`torch.no_grad()`).
/// Use it for evaluation and for updating parameters by hand.
@discardableResult
public func noGrad<T>(_ body: () throws -> T) rethrows -> T {
    try setGradEnabled(false, body)
}

/// Runs `body` with recording switched back on, inside a `noGrad` region (`torch.enable_grad()`).
@discardableResult
public func enableGrad<T>(_ body: () throws -> T) rethrows -> T {
    try setGradEnabled(true, body)
}
