import Netfilter
import PacketWire
import PcapIO

/// Which interface a frame was seen on: SLL2 frames name it by index (resolved through the
/// snapshot's `ip-link.json`, which must come from the capturing namespace); other link
/// types carry none, so the user names it.
public struct CaptureInterfaces: Sendable {
    let byIndex: [Int: String]
    let macs: [String: [UInt8]]
    /// `--iface`: every frame was captured on this interface.
    public let fixed: String?

    public init(network: NodeNetwork, fixed: String?) {
        var byIndex: [Int: String] = [:]
        var macs: [String: [UInt8]] = [:]
        for interface in network.interfaces {
            byIndex[interface.index] = interface.name
            if let mac = interface.macAddress.flatMap(PacketEncoder.macAddress) { macs[interface.name] = mac }
        }
        self.byIndex = byIndex
        self.macs = macs
        self.fixed = fixed
    }

    public enum Resolution: Equatable, Sendable {
        case interface(String)
        case unknownIndex(Int)
        case none
    }

    public func resolve(_ link: LinkFrame) -> Resolution {
        if let fixed { return .interface(fixed) }
        guard let index = link.interfaceIndex else { return .none }
        return byIndex[index].map(Resolution.interface) ?? .unknownIndex(index)
    }

    /// For Ethernet captures, which carry no direction: a frame sent from the interface's own
    /// MAC address is outgoing.
    public func isOwnMAC(_ frame: CapturedFrame, interface: String) -> Bool {
        guard frame.linkType == .ethernet, frame.data.count >= 12, let mac = macs[interface] else { return false }
        return frame.data[6..<12].elementsEqual(mac)
    }
}
