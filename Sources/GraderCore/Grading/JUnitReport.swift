import Foundation

/// JUnit XML, the format CI systems (GitHub Actions reporters, GitLab, Jenkins) display: one
/// `testsuite` per exercise (named `<student>.<exercise id>`), one `testcase` per check. An
/// exercise that did not compile or was not submitted is one testcase named after the exercise
/// with a `failure`, so it is never silently missing from the totals.
public enum JUnitReport {
    public static func render(_ grades: [SubmissionGrade]) -> String {
        var suites: [String] = []
        var tests = 0, failures = 0, seconds = 0.0
        for grade in grades {
            for e in grade.exercises {
                var cases: [String] = []
                let className = xml("\(grade.student).\(e.id)")
                if e.checks.isEmpty {
                    cases.append("""
                        <testcase classname="\(className)" name="\(xml(e.id))" time="\(time(e.seconds))">
                          <failure message="\(xml(e.status.rawValue))" type="\(xml(e.status.rawValue))">\(xml(e.message))</failure>
                        </testcase>
                    """)
                } else {
                    for check in e.checks {
                        let name = xml(check.id + (check.hidden ? " (hidden)" : ""))
                        if check.status == .passed {
                            cases.append("    <testcase classname=\"\(className)\" name=\"\(name)\" time=\"0\"/>")
                        } else {
                            cases.append("""
                                <testcase classname="\(className)" name="\(name)" time="0">
                                  <failure message="\(xml(check.status.rawValue))" type="\(xml(check.status.rawValue))">\(xml(check.title + "\n" + check.message))</failure>
                                </testcase>
                            """)
                        }
                    }
                }
                let failed = e.checks.isEmpty ? 1 : e.checks.filter { $0.status != .passed }.count
                let count = max(e.checks.count, 1)
                tests += count; failures += failed; seconds += e.seconds
                suites.append("""
                  <testsuite name="\(className)" tests="\(count)" failures="\(failed)" errors="0" skipped="0" time="\(time(e.seconds))">
                    <properties>
                      <property name="title" value="\(xml(e.title))"/>
                      <property name="status" value="\(xml(e.status.rawValue))"/>
                      <property name="score" value="\(Scoring.format(e.score))"/>
                      <property name="max_score" value="\(e.maxScore)"/>
                    </properties>
                \(cases.joined(separator: "\n"))
                  </testsuite>
                """)
            }
        }
        let score = grades.reduce(0) { $0 + $1.score }, max = grades.reduce(0) { $0 + $1.maxScore }
        return """
        <?xml version="1.0" encoding="UTF-8"?>
        <testsuites name="gradlings: \(xml(Scoring.format(score)))/\(max) points" tests="\(tests)" failures="\(failures)" errors="0" time="\(time(seconds))">
        \(suites.joined(separator: "\n"))
        </testsuites>

        """
    }

    static func time(_ seconds: Double) -> String { String(format: "%.3f", seconds) }

    /// Text made safe for an XML attribute or element: the five special characters escaped, and the
    /// characters XML 1.0 cannot hold at all (most control characters, which student programs do
    /// print) replaced by `\u{…}` so the document always parses.
    public static func xml(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\t", "\n": out.unicodeScalars.append(scalar)
            case "\r": out += "&#13;"
            default:
                let v = scalar.value
                if v < 0x20 || (0xFFFE...0xFFFF).contains(v) || (0xD800...0xDFFF).contains(v) {
                    out += "\\u{\(String(v, radix: 16))}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }
}
