func converge(_ x: Double) -> Double {
    var x = x
    while x != -1 { x = x * 0.5 + 1 }   // never reaches -1
    return x
}
