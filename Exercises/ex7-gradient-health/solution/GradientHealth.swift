// Exercise 7 · Diagnosing gradients — reference solution.
import Autograd
import GraderKit

enum GradientHealth: Equatable {
    case missing, nonFinite, dead, vanishing, exploding, healthy
}

let vanishingBelow = 1e-6
let explodingAbove = 1e3

func diagnose(_ gradient: Tensor?) throws -> GradientHealth {
    guard let g = gradient else { return .missing }
    guard g.isFinite().all() else { return .nonFinite }     // before any comparison: nan compares false
    let values = g.scalars
    if values.allSatisfy({ $0 == 0 }) { return .dead }       // before vanishing: 0 is below any threshold
    let norm = try g.norm().item()
    if norm < vanishingBelow { return .vanishing }
    if norm > explodingAbove { return .exploding }
    return .healthy
}

func deadUnits(of layer: Linear) -> [Int] {
    guard let weightGrad = layer.weight.grad else { return [] }
    let inputs = layer.inFeatures
    let w = weightGrad.scalars
    let b = layer.bias?.grad?.scalars
    return (0..<layer.outFeatures).filter { unit in
        let row = w[(unit * inputs)..<((unit + 1) * inputs)]
        return row.allSatisfy { $0 == 0 } && (b.map { $0[unit] == 0 } ?? true)
    }
}

func healthReport(of model: Module) throws -> [(name: String, health: GradientHealth)] {
    try model.namedParameters().map { (name: $0.name, health: try diagnose($0.parameter.grad)) }
}
