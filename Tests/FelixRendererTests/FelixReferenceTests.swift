import CalicoModel
import ClusterYAML
import FelixRenderer
import Foundation
import Testing

let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

func fixture(_ path: String) -> String { packageRoot.appendingPathComponent("Fixtures/\(path)").path }

func renderFixture(_ cluster: String, node: String = "host30", layout: FelixLayout = .modern) throws -> RenderedNode {
    let loaded = try ClusterLoader.load(paths: [fixture("clusters/\(cluster)")])
    return try FelixRenderer.render(loaded, node: node, options: RenderOptions(layout: layout))
}

func lines(_ text: String) -> [String] { text.split(separator: "\n").map(String.init) }

/// Rule lines recorded from felix (and from a re-implementation loaded into iptables and read
/// back) in ../shared/reference/felix-rules.md, hashes included.
@Suite("Rendering against felix's recorded output")
struct FelixReferenceTests {
    @Test func modernStaticChainsAndSeedEndpointsMatchFelixByteForByte() throws {
        let rendered = try renderFixture("seed-web-deny-all")
        let have = Set(lines(rendered.files["iptables-save.txt"]!))
        let expected = lines(try String(contentsOfFile: fixture("felix-reference/modern-static-and-seed.txt"), encoding: .utf8))
        let missing = expected.filter { !have.contains($0) }
        #expect(missing.isEmpty, "missing from the rendering:\n\(missing.joined(separator: "\n"))\n--- rendered:\n\(rendered.files["iptables-save.txt"]!)")
    }

    @Test func legacySeedMatchesTheArticlesNode() throws {
        let rendered = try renderFixture("seed-web-deny-all-2.6", layout: .legacy)
        let have = Set(lines(rendered.files["iptables-save.txt"]!))
        let recorded = lines(try String(contentsOfFile: fixture("felix-reference/legacy-seed-endpoints.txt"), encoding: .utf8))
        let snapshot = lines(try String(contentsOfFile: fixture("snapshots/calico-2.6-web-deny-all/iptables-save.txt"), encoding: .utf8))
            .filter { !$0.hasPrefix("#") }
            .map { $0.hasPrefix("[0:0] ") ? String($0.dropFirst(6)) : $0 }
        let missing = (recorded + snapshot).filter { !have.contains($0) }
        #expect(missing.isEmpty, "missing from the rendering:\n\(missing.joined(separator: "\n"))\n--- rendered:\n\(rendered.files["iptables-save.txt"]!)")
        let extra = lines(rendered.files["iptables-save.txt"]!).filter { !$0.hasPrefix("#") && !snapshot.contains($0) }
        #expect(extra.isEmpty, "not in the article's node:\n\(extra.joined(separator: "\n"))")
    }
}
