import Autograd
import GraderKit

let checks = CheckSuite {
    Check("values", "double doubles") {
        try expectClose(double(Tensor([1, 2], dtype: .float64)), [2, 4], "double([1, 2])")
    }
    Check("gradients", "double's gradient is 2") {
        try GradCheck.assertGradients(of: double, at: Random.tensor([3], requiresGrad: true))
    }
    Check("derivative", "d square / dx = 2x by hand") {
        try GradCheck.assertDerivative(of: square, derivative: { 2 * $0 }, at: Random.doubles(4))
    }
    Check("hook", "a hook on x sees the gradient once") {
        let x = Tensor([1, 2], dtype: .float64, requiresGrad: true)
        let spy = HookSpy("the hook on x")
        _ = try x.registerHook(spy.hook)
        try double(x).sum().backward()
        try spy.expectCalled(times: 1)
        try expectGrad(x, [2, 2], "x")
    }
}
