import XCTest
@testable import Autograd

/// The Swift twin of parity case 71: the mechanics lesson 15 teaches (grad modes, freezing, the
/// version counter, dropout's modes, the broadcast and item() bugs), against PyTorch's output.
final class MechanicsParityTests: XCTestCase {
    func testCase71AutogradMechanics() throws {
        try assertTwin("71_autograd_mechanics") { out in
            let w = Tensor([1.0, 2.0], requiresGrad: true)
            let y = enableGrad { noGrad { w * 2 } }
            let z = noGrad { enableGrad { w * 2 } }
            out.print(y.requiresGrad, z.requiresGrad, isGradEnabled)

            let w1 = Tensor([2.0], requiresGrad: true)
            let w2 = Tensor([3.0], requiresGrad: true)
            try w2.requiresGrad_(false)
            try (w1 * w2).sum().backward()
            out.print(w1.grad as Any, w2.grad as Any)
            out.printingErrors { try (w1 * 2).requiresGrad_(false) }

            let a = Tensor([1.0, 2.0], requiresGrad: true)
            let b = a * 2
            out.print(a.version, b.version)
            try b.add_(1)
            try b.mul_(3)
            out.print(a.version, b.version, b.gradFn!.name)

            let drop = Dropout(p: 0.5)
            out.print(drop)
            let t = Tensor.ones([1000], requiresGrad: true)
            let o = drop(t)
            let kept = Set(o.scalars).sorted().map { TwinOutput.render($0) }
            out.print(o.gradFn!.name, "[" + kept.joined(separator: ", ") + "]")
            drop.eval()
            out.print(drop.isTraining, drop(t) === t)
            out.print(dropout(Tensor([1.0, -2.0]), p: 1))

            let prediction = Tensor([[1.0], [2.0], [3.0], [4.0]])
            let target = Tensor([1.0, 2.0, 3.0, 4.0])
            out.print("Size(\((prediction - target).shape))")
            out.print(((prediction - target) ** 2).mean(), ((try prediction.squeeze(1) - target) ** 2).mean())

            let weights = Tensor([1.0, -2.0], requiresGrad: true)
            let penalty = try Tensor(0.1 * (weights ** 2).sum().item())
            try ((weights * 3).sum() + penalty).backward()
            out.print(penalty.requiresGrad, weights.grad as Any)
            weights.grad = nil
            try ((weights * 3).sum() + 0.1 * (weights ** 2).sum()).backward()
            out.print(weights.grad as Any)
        }
    }

    /// Parity case 72, where the library differs on purpose or lacks a feature: `.data` shares the
    /// version counter here (so the silent wrong gradient becomes an error, with PyTorch's message
    /// naming the node that produced the saved output), and there is no inference mode (the twin
    /// uses `noGrad`). Each differing line is listed with what the library prints instead.
    func testCase72DataAndInferenceModeDifferAsDeclared() throws {
        let versionError = "AutogradError: one of the variables needed for gradient computation has been modified by an inplace operation: [FloatTensor [2]], which is output 0 of Exp, is at version 1; expected version 0 instead. Hint: enable anomaly detection to find the operation that failed to compute its gradient, with autograd.set_detect_anomaly(true, check_nan=false)."
        try assertTwin("72_data_and_inference_mode", libraryDiffers: [
            ("0 false", "1 false"),
            ("tensor([ 5.4366, 14.7781])", versionError),
            ("false true", "false"),
            ("AutogradError: Inference tensors cannot be saved for backward. Please do not use Tensors created in inference mode in computation tracked by autograd. To work around this, you can make a clone to get a normal tensor and use it in autograd, or use `no_grad()` instead of `inference_mode()`.", "tensor(10., grad_fn=<SumBackward0>)"),
        ]) { out in
            let x = Tensor([1.0, 2.0], requiresGrad: true)
            var y = x.exp()
            try y.data.mul_(2)
            out.print(y.version, y.data.requiresGrad)
            out.printingErrors {
                try y.sum().backward()
                out.print(x.grad as Any)
            }
            x.grad = nil
            y = x.exp()
            try y.detach().mul_(2)
            out.print(y.version)
            out.printingErrors { try y.sum().backward() }
            let z = noGrad { x * 2 }
            out.print(z.requiresGrad)
            out.printingErrors { out.print((z * x).sum()) }
        }
    }
}
