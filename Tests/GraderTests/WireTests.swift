import XCTest
import GraderWire

final class WireTests: XCTestCase {
    func testSHA256KnownAnswers() {
        XCTAssertEqual(SHA256.hash(Array("".utf8)).hexString, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(SHA256.hash(Array("abc".utf8)).hexString, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(SHA256.hash(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)).hexString,
                       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        XCTAssertEqual(SHA256.hash([UInt8](repeating: 0x61, count: 1000)).hexString,
                       "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3")
    }

    func testHMACRFC4231() {
        XCTAssertEqual(SHA256.hmac(key: Array("Jefe".utf8), message: Array("what do ya want for nothing?".utf8)).hexString,
                       "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        XCTAssertEqual(SHA256.hmac(key: [UInt8](repeating: 0xaa, count: 131),
                                   message: Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8)).hexString,
                       "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
    }

    func testSignedMessagesRoundTrip() throws {
        let key = Array("0123456789abcdef0123456789abcdef".utf8)
        var signer = WireSigner(key: key)
        var verifier = WireVerifier(key: key)
        let messages: [WireMessage] = [
            .hello(version: 1, seed: 42, from: ""),
            .plan([PlannedCheck(id: "a", title: "tabs\tand\nnewlines \\ too"), PlannedCheck(id: "b", title: "B", weight: 2, hidden: true)]),
            .start(id: "a"),
            .result(CheckVerdict(id: "a", status: .fail, message: "d out[0] / d x[1]:\tbad", hint: "look", location: "A.swift:3", milliseconds: 12)),
            .done,
        ]
        for message in messages {
            let line = signer.line(for: message)
            XCTAssertTrue(line.hasSuffix("\n"))
            XCTAssertEqual(try verifier.accept(line.dropLast()).get(), message)
        }
    }

    func testForgedReorderedOrRepeatedRecordsAreRejected() {
        let key = Array("key-key-key-key-key-key".utf8)
        var signer = WireSigner(key: key)
        let first = signer.line(for: .start(id: "a")).dropLast()
        let second = signer.line(for: .result(CheckVerdict(id: "a", status: .fail))).dropLast()

        var wrongKey = WireVerifier(key: Array("another key entirely".utf8))
        XCTAssertEqual(wrongKey.accept(first), .failure(.badSignature(String(first))))

        var tampered = WireVerifier(key: key)
        XCTAssertEqual(tampered.accept(first).map { _ in 0 }, .success(0))
        let flipped = second.replacingOccurrences(of: "\tfail\t", with: "\tpass\t")
        XCTAssertEqual(tampered.accept(flipped[...]), .failure(.badSignature(flipped)))

        var replay = WireVerifier(key: key)
        _ = replay.accept(first)
        XCTAssertEqual(replay.accept(first), .failure(.outOfSequence(expected: 1, got: 0)))

        var skipped = WireVerifier(key: key)
        XCTAssertEqual(skipped.accept(second), .failure(.outOfSequence(expected: 0, got: 1)))
    }

    func testExerciseArguments() {
        var args = ExerciseArguments()
        args.channel = 3; args.seed = 9; args.from = "b"; args.memoryLimitMB = 512; args.includeHidden = true
        XCTAssertEqual(try ExerciseArguments.parse(args.arguments).get(), args)
        XCTAssertEqual(ExerciseArguments.parse(["--bogus"]), .failure(.init("unknown option --bogus")))
    }
}
