import Autograd
import GraderKit

/// The reference, on plain numbers.
private func huberReference(_ r: Double, _ delta: Double) -> Double {
    abs(r) <= delta ? 0.5 * r * r : delta * (abs(r) - 0.5 * delta)
}

/// Residuals away from the kinks at ±delta, where the loss is not twice differentiable and its
/// slope changes rule: finite differences straddling a kink would judge nothing.
private func residuals(_ shape: [Int], delta: Double) -> Tensor {
    Random.tensor(shape, in: -3 * delta...3 * delta, avoiding: [-delta, delta], margin: 0.05 * delta, requiresGrad: true)
}

let checks = CheckSuite {
    Check("forward_values", "Huber(delta:).apply(r) computes the Huber loss element-wise",
          hint: "0.5·r² inside [−delta, delta], delta·(|r| − 0.5·delta) outside.") {
        let rs = [-3.0, -1.5, -0.5, 0, 0.25, 2]
        for delta in [1.0, 0.5] {
            let out = try Huber(delta: delta).apply(Tensor(rs, dtype: .float64))
            try expectShape(out, [6], "Huber(delta: \(delta)).apply(r)")
            try expectClose(out, rs.map { huberReference($0, delta) }, "Huber(delta: \(delta)).apply([-3, -1.5, -0.5, 0, 0.25, 2])")
        }
    }

    Check("records_graph", "apply records one HuberBackward node, and nothing under noGrad") {
        let r = Tensor([0.5, -2], dtype: .float64, requiresGrad: true)
        try expectGraph(try Huber(delta: 1).apply(r), "Huber(delta: 1).apply(r)", gradFn: "HuberBackward")
        try expectNoGraph(try noGrad { try Huber(delta: 1).apply(r) }, "Huber(delta: 1).apply(r) under noGrad")
    }

    Check("backward_gradcheck", "backward matches finite differences on both branches",
          hint: "Look at the backward rule for the branch |r| > delta: the slope there is delta·sign(r).") {
        for delta in [1.0, 0.7] {
            let r = residuals([8], delta: delta)
            try GradCheck.assertGradients(of: { try Huber(delta: delta).apply($0) }, at: r, name: "r",
                                          output: "huber(r; delta \(delta))")
        }
    }

    Check("backward_many_elements", "backward is right for a 12×12 batch (fast gradient check)",
          hint: "Every element gets its own slope: use Tensor.where on the whole tensor, not one value for all.") {
        let r = residuals([12, 12], delta: 1)
        try GradCheck.assertGradients(of: { try Huber(delta: 1).apply($0) }, at: r, name: "r",
                                      options: GradCheckOptions(mode: .fast))
    }

    Check("loss_values", "huberLoss is the mean Huber loss of prediction − target") {
        let prediction = Tensor([1, 2, 3, 4], dtype: .float64), target = Tensor([0.5, 4, 3, 0], dtype: .float64)
        let expected = zip([1.0, 2, 3, 4], [0.5, 4, 3, 0]).map { huberReference($0 - $1, 1) }.reduce(0, +) / 4
        let loss = try huberLoss(prediction: prediction, target: target, delta: 1)
        try expectShape(loss, [], "huberLoss(prediction, target, delta: 1)")
        try expectClose(loss.item(), expected, "huberLoss(prediction: [1, 2, 3, 4], target: [0.5, 4, 3, 0], delta: 1)")
    }

    Check("loss_gradcheck", "huberLoss's gradient with respect to the prediction matches finite differences",
          hint: "The gradient flows through prediction − target, your Huber backward, then the mean (÷ count).") {
        let target = Random.tensor([5])
        let r = residuals([5], delta: 1)
        let prediction = Tensor((target + r).scalars, shape: [5], dtype: .float64, requiresGrad: true)
        try GradCheck.assertGradients(of: { try huberLoss(prediction: $0, target: target, delta: 1) }, at: prediction,
                                      name: "prediction", output: "huberLoss")
    }

    Check("grad_accumulates", "two backward passes add up in .grad; nothing is there before") {
        let r = Tensor([0.5, -2, 3], dtype: .float64, requiresGrad: true)
        try expectGradNil(r, "r")
        let loss = try Huber(delta: 1).apply(r).sum()
        try loss.backward(retainGraph: true)
        try expectGrad(r, [0.5, -1, 1], "r")
        try loss.backward()
        try expectGrad(r, [1, -2, 2], "r")
    }
}
