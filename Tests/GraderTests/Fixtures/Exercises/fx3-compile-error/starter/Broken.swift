import Autograd

func answer() -> Int { 0 }
