import Foundation
import ScenarioSuite

let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

func rootPath(_ path: String) -> String { packageRoot.appendingPathComponent(path).path }

/// Parses scenario text as if it were a file in the package root (so `Fixtures/…` paths resolve).
func parse(_ text: String, name: String = "test.yaml") throws(ScenarioError) -> ScenarioFile {
    try ScenarioParser.parse(text, file: rootPath(name))
}

/// The error parsing `text` gives, as `file:line: message` with the root stripped.
func parseError(_ text: String) -> String? {
    do {
        _ = try parse(text)
        return nil
    } catch {
        return "\(error)".replacingOccurrences(of: packageRoot.path + "/", with: "")
    }
}

/// A scratch directory, removed by the caller.
func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("pathsim-scenarios-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

let seedWorld = """
    world:
      snapshot: Fixtures/snapshots/calico-2.6-web-deny-all
    """
let seedSyn = "in=cali1f79f9e08f2 tcp 10.139.54.20:41000 > 10.139.54.158:80 flags=S len=60"
