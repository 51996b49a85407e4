func converge(_ x: Double) -> Double {
    var x = x
    for _ in 0..<200 { x = x * 0.5 + 1 }   // the fixed point is 2
    return x
}
