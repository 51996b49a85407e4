import Autograd

func answer() -> Int {
    return "forty-two"
}
