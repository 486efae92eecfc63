import ArgumentParser
import Netfilter
import TraceFormat

enum TraceOutputFormat: String, ExpressibleByArgument, CaseIterable {
    case human, json, nftrace
}

struct TraceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trace",
        abstract: "Run packets through a node snapshot and show every rule they hit.",
        discussion: """
        Packet spec: in=IFACE|local PROTO SRC[:PORT] > DST[:PORT] [flags=S. seq= ack= win= type= code= id= seq= \
        len= payload= mark= ttl= tos= ipid= frag= t= ct=established|related quote=PROTO,SRC[:P],DST[:P]]
        Example: pathsim trace --snapshot DIR --pkt 'in=cali1f79f9e08f2 tcp 10.139.54.20:41000 > 10.139.54.158:80 flags=S len=60'
        """
    )

    @OptionGroup var world: WorldOptions

    @Option(name: .long, help: "human, json (JSON Lines, one object per packet) or nftrace (nft monitor trace style).")
    var format: TraceOutputFormat = .human

    @Flag(name: .long, help: "Also list evaluated rules that did not match, with the condition that failed.")
    var verbose = false

    @Option(name: .long, help: "Write the counters after the run in iptables-save -c form.")
    var saveCounters: String?

    @Option(name: .long, help: "Colour: auto (only on a terminal), always, never.")
    var color: String = "auto"

    mutating func run() throws {
        let snapshot = try world.loadSnapshot()
        let inputs = try world.packets()
        guard !inputs.isEmpty else { throw fail("trace needs at least one --pkt", ExitCode.validationFailure) }
        var simulator = try world.simulator(snapshot, recordMisses: verbose)
        let ruleText = ruleTextLookup(snapshot.ruleset)
        let human = TraceHuman(colour: (ColourChoice(rawValue: color) ?? .auto).enabled, verbose: verbose, ruleText: ruleText)
        let nftrace = TraceNftrace(ruleText: ruleText)
        for (offset, input) in inputs.enumerated() {
            let trace = simulator.process(input)
            switch format {
            case .human:
                if offset > 0 { print("") }
                print(human.render(trace, index: offset + 1))
            case .json:
                print(TraceJSON.object(trace, index: offset + 1).rendered)
            case .nftrace:
                print(nftrace.render(trace, id: UInt32(offset + 1)))
            }
        }
        if let saveCounters { try pathsim.saveCounters(simulator, to: saveCounters) }
    }
}
