import GraderKit

let checks = CheckSuite {
    Check("spins", "spin(7) returns 7") { try expectClose(Double(spin(7)), 7, "spin(7)") }
    Check("after", "a check after the hang still runs") { try expectClose(answer(), 42, "answer()") }
}
