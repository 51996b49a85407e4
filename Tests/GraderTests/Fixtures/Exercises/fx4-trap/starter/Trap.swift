func first(_ xs: [Double]) -> Double { xs[0] }

func element(_ xs: [Double], _ i: Int) -> Double {
    return xs[i + 10]
}
