/// Line encoding and authentication of `WireMessage`s.
///
/// A line is `seq TAB field TAB field ... TAB mac`, where `mac` is the hex HMAC-SHA-256, under the
/// run's key, of everything before the last tab. The sequence number starts at 0 and rises by one
/// per message, so messages cannot be dropped, reordered or repeated without the grader noticing.
/// Tabs, newlines and backslashes inside fields are escaped as `\t`, `\n`, `\\`.
public enum WireCodec {
    public static func escape(_ field: String) -> String {
        var out = ""
        out.reserveCapacity(field.utf8.count)
        for ch in field.unicodeScalars {
            switch ch {
            case "\\": out += "\\\\"
            case "\t": out += "\\t"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            default: out.unicodeScalars.append(ch)
            }
        }
        return out
    }

    public static func unescape(_ field: Substring) -> String {
        var out = ""
        var escaping = false
        for ch in field.unicodeScalars {
            if escaping {
                switch ch {
                case "t": out += "\t"
                case "n": out += "\n"
                case "r": out += "\r"
                default: out.unicodeScalars.append(ch)
                }
                escaping = false
            } else if ch == "\\" {
                escaping = true
            } else {
                out.unicodeScalars.append(ch)
            }
        }
        return out
    }

    static func mac(key: [UInt8], body: String) -> String {
        SHA256.hmac(key: key, message: Array(body.utf8)).hexString
    }
}

/// The child's side: numbers, encodes and signs each message.
public struct WireSigner {
    private let key: [UInt8]
    private var sequence = 0

    public init(key: [UInt8]) { self.key = key }

    /// The line to write for `message`, newline included.
    public mutating func line(for message: WireMessage) -> String {
        let body = ([String(sequence)] + message.fields.map(WireCodec.escape)).joined(separator: "\t")
        sequence += 1
        return body + "\t" + WireCodec.mac(key: key, body: body) + "\n"
    }
}

/// The grader's side: checks each line's signature and sequence number.
public struct WireVerifier {
    public enum Rejection: Error, Equatable, CustomStringConvertible {
        case malformed(String)
        case badSignature(String)
        case outOfSequence(expected: Int, got: Int)

        public var description: String {
            switch self {
            case .malformed: return "a malformed record"
            case .badSignature: return "a record with a wrong signature"
            case let .outOfSequence(expected, got): return "record \(got) arrived where record \(expected) was due"
            }
        }
    }

    private let key: [UInt8]
    private var sequence = 0

    public init(key: [UInt8]) { self.key = key }

    /// The authenticated message on `line` (without its newline), or why it was rejected.
    public mutating func accept(_ line: Substring) -> Result<WireMessage, Rejection> {
        guard let lastTab = line.lastIndex(of: "\t") else { return .failure(.malformed(String(line))) }
        let body = line[..<lastTab]
        let mac = line[line.index(after: lastTab)...]
        guard constantTimeEqual(WireCodec.mac(key: key, body: String(body)), String(mac)) else {
            return .failure(.badSignature(String(line)))
        }
        let parts = body.split(separator: "\t", omittingEmptySubsequences: false)
        guard let seq = parts.first.flatMap({ Int($0) }) else { return .failure(.malformed(String(line))) }
        guard seq == sequence else { return .failure(.outOfSequence(expected: sequence, got: seq)) }
        guard let message = WireMessage(fields: parts.dropFirst().map(WireCodec.unescape)) else {
            return .failure(.malformed(String(line)))
        }
        sequence += 1
        return .success(message)
    }

    private func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var diff: UInt8 = 0
        for i in 0..<x.count { diff |= x[i] ^ y[i] }
        return diff == 0
    }
}
