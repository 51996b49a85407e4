import Foundation
import XCTest
@testable import GraderCore

/// The runtime's file names, paths and swiftc flags for SwiftPM's Linux and macOS layouts, checked on
/// made-up products folders so that both run here.
final class RuntimeLayoutTests: XCTestCase {
    private var root: URL!

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("runtime-layout-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: root) }

    /// `.build/<triple>/debug` with the three modules and, optionally, a dynamic library named `library`.
    private func productsFolder(triple: String, library: String?) throws -> URL {
        let bin = root.appendingPathComponent(".build/\(triple)/debug")
        let modules = bin.appendingPathComponent("Modules")
        try FileManager.default.createDirectory(at: modules, withIntermediateDirectories: true)
        for module in Runtime.modules {
            _ = FileManager.default.createFile(atPath: modules.appendingPathComponent("\(module).swiftmodule").path, contents: Data([1]))
        }
        if let library {
            _ = FileManager.default.createFile(atPath: bin.appendingPathComponent(library).path, contents: Data([2]))
        }
        _ = FileManager.default.createFile(atPath: root.appendingPathComponent(".build/workspace-state.json").path, contents: Data())
        return bin
    }

    func testLibraryIsASharedObjectOnLinuxAndADylibOnMacOS() {
        XCTAssertEqual(RuntimePlatform.linux.libraryName, "libGradlingsRuntime.so")
        XCTAssertEqual(RuntimePlatform.macOS.libraryName, "libGradlingsRuntime.dylib")
        #if os(macOS)
        XCTAssertEqual(Runtime.libraryName, "libGradlingsRuntime.dylib")
        #else
        XCTAssertEqual(Runtime.libraryName, "libGradlingsRuntime.so")
        #endif
    }

    func testLinuxLayoutLinksTheSharedObjectWithARunPath() throws {
        let bin = try productsFolder(triple: "x86_64-unknown-linux-gnu", library: "libGradlingsRuntime.so")
        let runtime = try Runtime.find(in: bin, sourcesDirectory: nil, platform: .linux).get()
        XCTAssertEqual(runtime.link, .dynamicLibrary(bin.appendingPathComponent("libGradlingsRuntime.so")))
        XCTAssertEqual(runtime.compilerFlags, ["-I", bin.path + "/Modules", "-L", bin.path, "-lGradlingsRuntime",
                                               "-Xlinker", "-rpath", "-Xlinker", bin.path])
    }

    func testMacOSLayoutLinksTheDylibThroughAnRPathEntry() throws {
        let bin = try productsFolder(triple: "arm64-apple-macosx", library: "libGradlingsRuntime.dylib")
        let runtime = try Runtime.find(in: bin, sourcesDirectory: nil, platform: .macOS).get()
        XCTAssertEqual(runtime.link, .dynamicLibrary(bin.appendingPathComponent("libGradlingsRuntime.dylib")))
        XCTAssertEqual(runtime.compilerFlags, ["-I", bin.path + "/Modules", "-L", bin.path, "-lGradlingsRuntime",
                                               "-Xlinker", "-rpath", "-Xlinker", bin.path])
    }

    func testALibraryNamedForTheOtherPlatformIsNotUsed() throws {
        let bin = try productsFolder(triple: "arm64-apple-macosx", library: "libGradlingsRuntime.so")
        // No dylib and no object files: the macOS runtime is not linked yet.
        guard case let .failure(error) = Runtime.find(in: bin, sourcesDirectory: nil, platform: .macOS) else {
            return XCTFail("a .so must not count as the macOS runtime")
        }
        XCTAssertTrue(error.message.contains("libGradlingsRuntime.dylib"), error.message)
    }

    func testObjectFilesAreLinkedWhenOnlyTheModulesAreBuilt() throws {
        for (triple, platform) in [("x86_64-unknown-linux-gnu", RuntimePlatform.linux), ("arm64-apple-macosx", .macOS)] {
            let bin = try productsFolder(triple: triple, library: nil)
            var objects: [String] = []
            for target in ["GraderKit", "GraderWire", "Autograd"] {
                let dir = bin.appendingPathComponent("\(target).build")
                try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
                let object = dir.appendingPathComponent("\(target).swift.o").path
                _ = FileManager.default.createFile(atPath: object, contents: Data([3]))
                objects.append(object)
                let map = ["": ["swift-dependencies": "x"], "/src/\(target).swift": ["object": object]]
                try JSONSerialization.data(withJSONObject: map).write(to: dir.appendingPathComponent("output-file-map.json"))
            }
            let runtime = try Runtime.find(in: bin, sourcesDirectory: nil, platform: platform).get()
            XCTAssertEqual(runtime.compilerFlags, ["-I", bin.path + "/Modules"] + objects.sorted(), triple)
        }
    }

    func testBuildArgumentsTakeTheConfigurationAndScratchPathFromEitherLayout() throws {
        for triple in ["x86_64-unknown-linux-gnu", "aarch64-unknown-linux-gnu", "arm64-apple-macosx"] {
            let bin = try productsFolder(triple: triple, library: nil)
            let scratch = root.appendingPathComponent(".build").resolvingSymlinksInPath().path
            XCTAssertEqual(Runtime.buildArguments(binDirectory: bin),
                           ["build", "--product", "GradlingsRuntime", "-c", "debug", "--scratch-path", scratch], triple)
            let release = bin.deletingLastPathComponent().appendingPathComponent("release")
            XCTAssertEqual(Array(Runtime.buildArguments(binDirectory: release).prefix(5)),
                           ["build", "--product", "GradlingsRuntime", "-c", "release"], triple)
        }
    }

    func testShowBinPathOutputGivesItsLastAbsolutePathLine() {
        XCTAssertEqual(Runtime.binPath(fromShowBinPathOutput: "/course/.build/arm64-apple-macosx/debug\n")?.path,
                       "/course/.build/arm64-apple-macosx/debug")
        XCTAssertEqual(Runtime.binPath(fromShowBinPathOutput: "warning: 'course': some warning\n/c/.build/x86_64-unknown-linux-gnu/debug\n\n")?.path,
                       "/c/.build/x86_64-unknown-linux-gnu/debug")
        XCTAssertNil(Runtime.binPath(fromShowBinPathOutput: "error: no package\n"))
        XCTAssertNil(Runtime.binPath(fromShowBinPathOutput: ""))
    }
}
