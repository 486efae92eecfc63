import ArgumentParser
import IptablesSave
import Netfilter
import NodeSnapshot

struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "Print the ruleset as `iptables -nvxL` does, with counters after the given packets."
    )

    @OptionGroup var world: WorldOptions

    @Option(name: .shortAndLong, help: "Table to list (default filter).")
    var table: String = "filter"

    @Option(name: .long, help: "Only this chain.")
    var chain: String?

    @Flag(name: .long, help: "Number the rules, as --line-numbers does.")
    var lineNumbers = false

    @Option(name: .long, help: "Write the counters after the run in iptables-save -c form.")
    var saveCounters: String?

    @Flag(name: .long, help: "List the iptables-legacy tables (iptables-legacy-save.txt) instead, as iptables-legacy -nvxL does.")
    var legacy = false

    mutating func run() throws {
        let snapshot = try world.loadSnapshot()
        let inputs = try world.packets()
        guard let tableName = TableName(rawValue: table) else {
            throw fail("unknown table \"\(table)\": expected raw, mangle, nat, filter or security", ExitCode.validationFailure)
        }
        var simulator = try world.simulator(snapshot)
        for input in inputs { _ = simulator.process(input) }
        let backend: Backend = legacy ? .legacy : .nftables
        guard let ruleset = legacy ? snapshot.legacyRuleset : snapshot.ruleset else {
            throw fail("the snapshot has no \(NodeSnapshot.File.iptablesLegacySave)", PathsimExit.badInput)
        }
        guard let loadedTable = ruleset.table(tableName) else {
            throw fail("the snapshot has no \(legacy ? "iptables-legacy " : "")\(table) table", PathsimExit.badInput)
        }
        if let chain, loadedTable.chain(chain) == nil {
            throw fail("no chain \"\(chain)\" in table \(table)", PathsimExit.badInput)
        }
        print(IptablesListPrinter.list(loadedTable, chain: chain, lineNumbers: lineNumbers, counters: .simulated(simulator, backend: backend)), terminator: "")
        if let saveCounters { try pathsim.saveCounters(simulator, to: saveCounters) }
    }

}
