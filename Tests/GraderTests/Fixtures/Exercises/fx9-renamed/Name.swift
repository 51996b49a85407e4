func triple(_ x: Double) -> Double { 3 * x }
