import GraderKit

let checks = CheckSuite {
    Check("converges", "converge returns") { try expectClose(converge(1), 2, "converge(1)") }
    Check("later", "a check after the hang") { try expect(true, "") }
}
