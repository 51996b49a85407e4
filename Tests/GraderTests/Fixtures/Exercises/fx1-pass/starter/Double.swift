import Autograd
import GraderKit

func double(_ x: Tensor) -> Tensor { todo("return 2x") }
func square(_ x: Double) -> Double { todo("return x²") }
