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

    @Flag(name: .long, help: "After the packets, print the conntrack table as `conntrack -L` does.")
    var conntrack = false

    @Flag(name: .customLong("all-branches"), help: "Show every path a packet can take through -m statistic --mode random (each kube-proxy endpoint), with its probability; the run then goes on along the --seed draw.")
    var allBranches = false

    mutating func run() throws {
        let snapshot = try world.loadSnapshot()
        let inputs = try world.packets()
        guard !inputs.isEmpty else { throw fail("trace needs at least one --pkt", ExitCode.validationFailure) }
        var simulator = try world.simulator(snapshot, recordMisses: verbose)
        let ruleText = ruleTextLookup(snapshot)
        let human = TraceHuman(colour: (ColourChoice(rawValue: color) ?? .auto).enabled, verbose: verbose, ruleText: ruleText)
        let nftrace = TraceNftrace(ruleText: ruleText)
        func show(_ trace: PacketTrace, index: Int, branch: (number: Int, of: Int, probability: Double)? = nil) {
            switch format {
            case .human:
                if index > 1 || (branch?.number ?? 1) > 1 { print("") }
                if let branch { print("branch \(branch.number) of \(branch.of), probability \(probabilityText(branch.probability)):") }
                print(human.render(trace, index: index))
            case .json:
                guard let branch, case .object(let fields) = TraceJSON.object(trace, index: index) else {
                    print(TraceJSON.object(trace, index: index).rendered)
                    return
                }
                print(JSONValue.object([("branch", .int(branch.number)), ("branches", .int(branch.of)),
                                        ("probability", .string(probabilityText(branch.probability)))] + fields).rendered)
            case .nftrace:
                print(nftrace.render(trace, id: UInt32(index)))
            }
        }
        for (offset, input) in inputs.enumerated() {
            if allBranches {
                let branches = simulator.allBranches(input)
                if branches.count > 1 {
                    for (number, branch) in branches.enumerated() {
                        show(branch.trace, index: offset + 1, branch: (number + 1, branches.count, branch.probability))
                    }
                    _ = simulator.process(input)
                    continue
                }
            }
            show(simulator.process(input), index: offset + 1)
        }
        if let saveCounters { try pathsim.saveCounters(simulator, to: saveCounters) }
        if conntrack {
            if format == .human { print("") }
            printConntrackTable(simulator, json: format == .json)
        }
    }
}

/// A probability as xt_statistic can hold it (31 bits), without float noise.
func probabilityText(_ probability: Double) -> String {
    let rounded = (probability * 1_000_000).rounded() / 1_000_000
    return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
}
