import Foundation
import Netfilter
import Testing
@testable import IptablesSave

/// `iptables -nvxL` output compared with what the real iptables-nft 1.8.9 printed for the
/// ruleset in Fixtures/iptables-save/nft-mixed-counted-c.txt (captured in a namespace).
@Suite struct ListPrinterTests {
    static let ruleset: Ruleset? = try? IptablesSaveParser.parse(
        FixtureFiles.text("iptables-save/nft-mixed-counted-c.txt"), file: "nft-mixed-counted-c.txt")

    /// Rows of modules and targets pathsim keeps verbatim; their own print formats are not reproduced.
    static let verbatimMarkers = [" u32 ", "STRING match", "limit: up to", "#conn", "tos match", " MAC ", "NFQUEUE num"]

    struct Case: Sendable, CustomTestStringConvertible {
        var table: TableName
        var chain: String?
        var lineNumbers: Bool
        var file: String
        var testDescription: String { file }
    }

    static let cases: [Case] = TableName.allCases.filter { $0 != .security }.flatMap { table in
        [Case(table: table, chain: nil, lineNumbers: true, file: "nft-\(table.rawValue)-line-numbers.txt"),
         Case(table: table, chain: nil, lineNumbers: false, file: "nft-\(table.rawValue).txt")]
    } + [Case(table: .filter, chain: "misc", lineNumbers: false, file: "nft-filter-misc.txt")]

    @Test(arguments: cases)
    func matchesRealOutput(_ testCase: Case) throws {
        let ruleset = try #require(Self.ruleset)
        let table = try #require(ruleset.table(testCase.table))
        let golden = try FixtureFiles.text("iptables-save/list/" + testCase.file)
        let printed = IptablesListPrinter.list(table, chain: testCase.chain, lineNumbers: testCase.lineNumbers)
        let a = golden.split(separator: "\n", omittingEmptySubsequences: false)
        let b = printed.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(a.count == b.count)
        var verbatim = 0
        for (index, (real, ours)) in zip(a, b).enumerated() where real != ours {
            if Self.verbatimMarkers.contains(where: { real.contains($0) }) {
                verbatim += 1
                #expect(real.prefix(90) == ours.prefix(90), "columns of line \(index + 1)")
                continue
            }
            Issue.record("\(testCase.file):\(index + 1)\n  real: \(real)\n  ours: \(ours)")
        }
        #expect(verbatim <= Self.verbatimMarkers.count)
    }

    /// `-m recent` rows (libxt_recent's `recent_print`), against iptables-nft 1.8.9 -nvxL of
    /// Fixtures/iptables-save/nft-recent-c.txt: every line must be identical.
    @Test(arguments: [TableName.filter, .nat])
    func recentRowsMatchRealOutput(_ name: TableName) throws {
        let ruleset = try IptablesSaveParser.parse(FixtureFiles.text("iptables-save/nft-recent-c.txt"), file: "nft-recent-c.txt")
        let table = try #require(ruleset.table(name))
        let golden = try FixtureFiles.text("iptables-save/list/nft-recent-\(name.rawValue).txt")
        let printed = IptablesListPrinter.list(table)
        let a = golden.split(separator: "\n", omittingEmptySubsequences: false)
        let b = printed.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(a.count == b.count)
        for (index, (real, ours)) in zip(a, b).enumerated() where real != ours {
            Issue.record("nft-recent-\(name.rawValue).txt:\(index + 1)\n  real: \(real)\n  ours: \(ours)")
        }
        #expect(golden.contains(" recent: "))
    }

    @Test func referencesCountJumpsAndGotos() throws {
        let text = "*filter\n:INPUT ACCEPT [0:0]\n:a - [0:0]\n:b - [0:0]\n-A INPUT -j a\n-A INPUT -g a\n-A a -j b\nCOMMIT\n"
        let table = try #require(try IptablesSaveParser.parse(text, file: "x").table(.filter))
        let listed = IptablesListPrinter.list(table, chain: "a")
        #expect(listed.hasPrefix("Chain a (2 references)\n"))
        #expect(IptablesListPrinter.list(table, chain: "b").hasPrefix("Chain b (1 references)\n"))
    }

    @Test func seedArticleRows() throws {
        // The rows quoted in the seed article, in iptables 1.8.9 layout (-n prints protocol 0, not "all").
        let text = """
        *filter
        :cali-tw-cali1f79f9e08f2 - [0:0]
        :cali-pi-default.web-deny-all - [0:0]
        :FORWARD ACCEPT [0:0]
        -A FORWARD -j cali-tw-cali1f79f9e08f2
        [3:180] -A cali-tw-cali1f79f9e08f2 -m comment --comment "cali:fthBuDq5I1oklYOL" -m comment --comment "Start of policies" -j MARK --set-xmark 0x0/0x2000000
        [3:180] -A cali-tw-cali1f79f9e08f2 -m comment --comment "cali:Kp-Liqb4hWavW9dD" -m mark --mark 0x0/0x2000000 -j cali-pi-default.web-deny-all
        COMMIT

        """
        let table = try #require(try IptablesSaveParser.parse(text, file: "x").table(.filter))
        let lines = IptablesListPrinter.list(table, chain: "cali-tw-cali1f79f9e08f2").split(separator: "\n")
        #expect(lines[0] == "Chain cali-tw-cali1f79f9e08f2 (1 references)")
        #expect(lines[2] == "       3      180 MARK       0    --  *      *       0.0.0.0/0            0.0.0.0/0            /* cali:fthBuDq5I1oklYOL */ /* Start of policies */ MARK and 0xfdffffff")
        #expect(lines[3] == "       3      180 cali-pi-default.web-deny-all  0    --  *      *       0.0.0.0/0            0.0.0.0/0            /* cali:Kp-Liqb4hWavW9dD */ mark match 0x0/0x2000000")
    }
}
