import Foundation
import Netfilter
import Testing
@testable import IptablesSave

/// One rule line per vector, loaded in a minimal table block; the canonical lines were
/// produced by the real iptables-nft-restore + iptables-nft-save.
@Suite struct VectorTests {
    struct Vector: CustomTestStringConvertible, Sendable {
        var line: Int
        var table: String
        var input: String
        var ok: Bool
        var expected: String
        var testDescription: String { "\(line): \(input)" }
    }

    static let vectors: [Vector] = {
        guard let text = try? FixtureFiles.text("iptables-save/vectors.rules") else { return [] }
        var result: [Vector] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if line.isEmpty || line.hasPrefix("#") { continue }
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard fields.count == 4 else { continue }
            result.append(Vector(line: index + 1, table: fields[0], input: fields[1], ok: fields[2] == "ok", expected: fields[3]))
        }
        return result
    }()

    static func load(_ vector: Vector) throws(IptablesSaveError) -> String {
        let text = "*\(vector.table)\n:vec - [0:0]\n:other - [0:0]\n\(vector.input)\nCOMMIT\n"
        let ruleset = try IptablesSaveParser.load(text, file: "vector")
        let printed = IptablesSavePrinter.print(ruleset, options: .init(ruleCounters: .none))
        return printed.split(separator: "\n").first { $0.hasPrefix("-A ") }.map(String.init) ?? ""
    }

    @Test func fileIsNotEmpty() { #expect(Self.vectors.count > 200) }

    @Test(arguments: vectors)
    func vector(_ vector: Vector) {
        do {
            let printed = try Self.load(vector)
            if vector.ok {
                #expect(printed == vector.expected)
            } else {
                Issue.record("accepted, expected an error containing \"\(vector.expected)\"; printed \(printed)")
            }
        } catch {
            if vector.ok {
                Issue.record("refused: \(error)")
            } else {
                #expect(error.description.contains(vector.expected), "\(error.description)")
                #expect(error.line == 4)
            }
        }
    }
}
