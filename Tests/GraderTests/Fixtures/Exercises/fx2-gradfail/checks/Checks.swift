import Autograd
import GraderKit

let checks = CheckSuite {
    Check("forward", "Square computes x²") {
        try expectClose(try Square().apply(Tensor([3], dtype: .float64)), [9], "Square([3])")
    }
    Check("backward", "Square's backward matches finite differences", hint: "d x² / dx = 2x") {
        try GradCheck.assertGradients(of: { try Square().apply($0) }, at: Random.tensor([4], in: 1...2, requiresGrad: true))
    }
    Check("backward_fast", "Square's backward in fast mode on a big input") {
        try GradCheck.assertGradients(of: { try Square().apply($0) }, at: Random.tensor([400], in: 1...2, requiresGrad: true),
                                      options: GradCheckOptions(mode: .fast))
    }
}
