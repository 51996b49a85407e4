import GraderKit

let checks = CheckSuite {
    Check("answer", "answer() is 42") { try expect(answer() == 42, "answer() is \(answer())") }
}
