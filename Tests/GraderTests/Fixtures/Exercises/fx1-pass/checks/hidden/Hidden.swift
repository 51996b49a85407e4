import Autograd
import GraderKit

let hiddenChecks = CheckSuite {
    Check("hidden_large", "double works on a large input") {
        try expectClose(double(Tensor([Double](repeating: 1.5, count: 1000), dtype: .float64)),
                        [Double](repeating: 3, count: 1000), "double(1000 × 1.5)")
    }
}
