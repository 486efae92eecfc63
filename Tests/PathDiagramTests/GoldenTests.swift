import Foundation
import PathDiagram
import Testing

/// The seed case rendered and compared with Fixtures/golden/diagram (PATHSIM_UPDATE_GOLDEN=1 rewrites them).
@Suite("Path diagram golden files")
struct GoldenTests {
    @Test(arguments: ["svg", "html"])
    func seedCaseMatchesGolden(_ format: String) throws {
        let input = try SeedCase.input()
        let text = format == "svg" ? PathDiagram.svg(input) : PathDiagram.html(input)
        let path = fixture("golden/diagram/seed-web-deny-all.\(format)")
        if ProcessInfo.processInfo.environment["PATHSIM_UPDATE_GOLDEN"] == "1" {
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        }
        let golden = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text == golden, "seed-web-deny-all.\(format) differs from the golden file")
    }

    @Test func renderingIsDeterministic() throws {
        let input = try SeedCase.input()
        #expect(PathDiagram.svg(input) == PathDiagram.svg(input))
        #expect(PathDiagram.html(input) == PathDiagram.html(input))
    }
}
