import GraderKit

func spin(_ n: Int) -> Int { todo("count to n") }

func answer() -> Double { todo("return 42") }
