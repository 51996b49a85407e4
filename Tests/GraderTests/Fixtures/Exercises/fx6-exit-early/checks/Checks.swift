import GraderKit

let checks = CheckSuite {
    Check("one", "one() is 1") { try expect(one() == 1, "one() is \(one())") }
    Check("two", "two() is 2") { try expect(two() == 2, "two() is \(two())") }
    Check("three", "a check after the exit") { try expect(one() + one() == 2, "arithmetic") }
}
