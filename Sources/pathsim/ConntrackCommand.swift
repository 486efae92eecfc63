import ArgumentParser
import Netfilter
import TraceFormat

struct ConntrackCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conntrack",
        abstract: "Print the conntrack table as `conntrack -L` does, after the node's own connections (conntrack.txt) and the given packets.",
        discussion: """
        Example: pathsim conntrack --snapshot DIR --pkt 'in=eth0 tcp 10.0.0.5:40000 > 10.96.0.10:80 flags=S' --after 130
        """
    )

    @OptionGroup var world: WorldOptions

    @Option(name: .long, help: "List the table this many seconds after the last packet (entries whose timeout ran out are gone).")
    var after: Double = 0

    mutating func run() throws {
        let snapshot = try world.loadSnapshot()
        var simulator = try world.simulator(snapshot)
        for input in try world.packets() { _ = simulator.process(input) }
        if after > 0 { simulator.advanceClock(by: after) }
        printConntrackTable(simulator)
    }
}

/// The table on stdout and `conntrack -L`'s summary on stderr, as the tool splits them;
/// in JSON Lines output, one object holding the lines.
func printConntrackTable(_ simulator: Simulator, json: Bool = false) {
    var copy = simulator
    let lines = copy.conntrackListing()
    if json {
        print(JSONValue.object([("conntrack", .array(lines.map(JSONValue.string)))]).rendered)
        return
    }
    for line in lines { print(line) }
    FileHandleOutput.standardError("conntrack v1.4.7 (conntrack-tools): \(lines.count) flow entries have been shown.")
}
