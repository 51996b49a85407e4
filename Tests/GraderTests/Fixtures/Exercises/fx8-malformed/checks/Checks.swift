import GraderKit
let checks = CheckSuite { Check("a", "a") {} }
