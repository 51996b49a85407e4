import Autograd
import GraderKit

func double(_ x: Tensor) -> Tensor { 2 * x }
func square(_ x: Double) -> Double { x * x }
