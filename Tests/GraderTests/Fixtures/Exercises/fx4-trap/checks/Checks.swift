import GraderKit

let checks = CheckSuite {
    Check("before", "first works") { try expectClose(first([1, 2]), 1, "first([1, 2])") }
    Check("crashes", "element reads the right element") { try expectClose(element([1, 2, 3], 1), 2, "element") }
    Check("after", "first still works after a crash") { try expectClose(first([5]), 5, "first([5])") }
}
