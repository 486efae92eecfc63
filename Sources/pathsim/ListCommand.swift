import ArgumentParser
import IptablesSave
import Netfilter

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

    mutating func run() throws {
        let snapshot = try world.loadSnapshot()
        let inputs = try world.packets()
        guard let tableName = TableName(rawValue: table) else {
            throw fail("unknown table \"\(table)\": expected raw, mangle, nat, filter or security", ExitCode.validationFailure)
        }
        var simulator = try world.simulator(snapshot)
        for input in inputs { _ = simulator.process(input) }
        guard let loadedTable = snapshot.ruleset.table(tableName) else {
            throw fail("the snapshot has no \(table) table", PathsimExit.badInput)
        }
        if let chain, loadedTable.chain(chain) == nil {
            throw fail("no chain \"\(chain)\" in table \(table)", PathsimExit.badInput)
        }
        print(listing(loadedTable, simulator: simulator), terminator: "")
        if let saveCounters { try pathsim.saveCounters(simulator, to: saveCounters) }
    }

    func listing(_ table: Table, simulator: Simulator) -> String {
        IptablesListPrinter.list(table, chain: chain, lineNumbers: lineNumbers, counters: .simulated(simulator))
    }
}
