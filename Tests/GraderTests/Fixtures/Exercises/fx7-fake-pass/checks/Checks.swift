import GraderKit

let checks = CheckSuite {
    Check("answer", "answer() is 42") { try expect(answer() == 42, "answer() is \(answer())") }
    Check("again", "answer() is still 42") { try expect(answer() == 42, "answer() is \(answer())") }
}
