import XCTest
@testable import Autograd

/// The Swift twin of `Scripts/parity/view_hooks.py`: a hook on a view does not run once the view
/// has been changed in place (the change connects to the base's history, past the view's node);
/// a hook on a plain tensor runs with the gradient of the version it was registered on.
final class ViewHookParityTests: XCTestCase {
    func testHookOnAViewChangedInPlaceDoesNotRun() throws {
        try assertTwin("view_hooks") { out in
            for (label, makeView) in [("view", true), ("plain", false)] {
                let a = Tensor([1.0, 2.0], requiresGrad: true)
                let b = a * 1
                let t = makeView ? b.view([2]) : b
                try t.registerHook { g in out.print(" hook", g); return g * 10 }
                try t.mul_(2)
                out.print(label, t.gradFn!.name)
                try t.sum().backward()
                out.print(" a.grad", a.grad)
            }
        }
    }
}
