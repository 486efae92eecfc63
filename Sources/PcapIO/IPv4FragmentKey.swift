/// What the kernel keys a reassembly queue by (`struct frag_v4_compare_key`, less the defrag
/// user and VRF, which are the same for every packet one capture replays).
struct IPv4FragmentKey: Hashable, Sendable {
    var source: UInt32
    var destination: UInt32
    var identification: UInt16
    var protocolNumber: UInt8

    /// "datagram id 4660 from 10.139.54.20 to 10.139.54.158", for messages.
    var datagramText: String {
        "datagram id \(identification) from \(Self.dotted(source)) to \(Self.dotted(destination))"
    }

    static func dotted(_ address: UInt32) -> String {
        "\(address >> 24).\(address >> 16 & 0xff).\(address >> 8 & 0xff).\(address & 0xff)"
    }
}
