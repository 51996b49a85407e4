/// A unified-style line diff of what a listing should print against what it printed.
enum TextDiff {
    static func unified(expected: String, actual: String, context: Int = 2) -> String {
        let a = expected.components(separatedBy: "\n"), b = actual.components(separatedBy: "\n")
        var lcs = Array(repeating: Array(repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in stride(from: a.count - 1, through: 0, by: -1) {
            for j in stride(from: b.count - 1, through: 0, by: -1) {
                lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : max(lcs[i + 1][j], lcs[i][j + 1])
            }
        }
        var rows: [(Character, String)] = []
        var i = 0, j = 0
        while i < a.count || j < b.count {
            if i < a.count, j < b.count, a[i] == b[j] { rows.append((" ", a[i])); i += 1; j += 1 }
            else if j < b.count, i == a.count || lcs[i][j + 1] > lcs[i + 1][j] { rows.append(("+", b[j])); j += 1 }
            else { rows.append(("-", a[i])); i += 1 }
        }
        // Keep changed rows and `context` unchanged rows around them.
        let changed = rows.indices.filter { rows[$0].0 != " " }
        var keep = Set<Int>()
        for c in changed { for k in max(0, c - context)...min(rows.count - 1, c + context) { keep.insert(k) } }
        var out = ["--- the lesson shows", "+++ the listing prints"]
        var last = -1
        for k in keep.sorted() {
            if last >= 0 && k > last + 1 { out.append("@@") }
            out.append(String(rows[k].0) + rows[k].1)
            last = k
        }
        return out.joined(separator: "\n")
    }
}
