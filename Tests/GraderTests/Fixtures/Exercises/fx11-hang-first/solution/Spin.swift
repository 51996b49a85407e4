import GraderKit

func spin(_ n: Int) -> Int { n }

func answer() -> Double { 42 }
