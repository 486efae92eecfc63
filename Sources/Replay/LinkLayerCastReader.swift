import Netfilter
import PcapIO

/// What `-m pkttype` sees: whether the frame was sent to a broadcast or multicast
/// link-layer address, from the Ethernet destination or the SLL packet type.
enum LinkLayerCastReader {
    static func cast(of frame: CapturedFrame) -> LinkLayerCast {
        let data = frame.data
        let packetType: UInt8
        switch frame.linkType {
        case .ethernet:
            guard data.count >= 6 else { return .unicast }
            if data[0..<6].allSatisfy({ $0 == 0xff }) { return .broadcast }
            return data[0] & 1 == 1 ? .multicast : .unicast
        case .linuxSLL:
            guard data.count >= 2 else { return .unicast }
            packetType = data[1]
        case .linuxSLL2:
            guard data.count >= 11 else { return .unicast }
            packetType = data[10]
        default:
            return .unicast
        }
        switch packetType {
        case 1: return .broadcast
        case 2: return .multicast
        default: return .unicast
        }
    }
}
