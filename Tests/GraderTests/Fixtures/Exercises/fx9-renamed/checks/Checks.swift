import GraderKit
let checks = CheckSuite { Check("thrice", "thrice(2) is 6") { try expectClose(thrice(2), 6, "thrice(2)") } }
