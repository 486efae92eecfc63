import Netfilter
import PcapIO

extension CaptureReplayer {
    /// The packets of a capture file as `pathsim replay` reads them (link-layer headers, each
    /// frame's interface, reassembly, the node's own outgoing copies left out), to be run
    /// through other engines: a what-if's second world, a scenario's case.
    public static func packetInputs(path: String, interface: String?, simulator: Simulator) throws -> [PacketInput] {
        let reader = try PcapReader(path: path, filter: nil)
        var replayer = try CaptureReplayer(simulator: simulator, linkType: reader.linkType, interface: interface)
        var inputs: [PacketInput] = []
        func collect(_ events: [ReplayEvent]) {
            for case .replayed(let packet) in events { inputs.append(packet.trace.input) }
        }
        while let frame = try reader.next() { collect(replayer.replay(frame)) }
        collect(replayer.finish())
        return inputs
    }
}
