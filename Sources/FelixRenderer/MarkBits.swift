/// Verdict bits, handed out from the least-significant set bit of IptablesMarkMask upward:
/// accept, pass, (drop, from felix 3.30), scratch0, scratch1.
struct MarkBits: Hashable, Sendable {
    var accept: UInt32
    var pass: UInt32
    var drop: UInt32?
    var scratch0: UInt32
    var scratch1: UInt32

    init(mask: UInt32, allocateDrop: Bool) throws(RenderError) {
        var bits: [UInt32] = []
        for bit in 0..<32 where mask & (1 << UInt32(bit)) != 0 { bits.append(1 << UInt32(bit)) }
        let needed = allocateDrop ? 5 : 4
        guard bits.count >= needed else {
            throw RenderError(message: "IptablesMarkMask \(saveHex(mask)) has \(bits.count) bits; felix needs at least \(needed)")
        }
        accept = bits[0]
        pass = bits[1]
        drop = allocateDrop ? bits[2] : nil
        scratch0 = bits[allocateDrop ? 3 : 2]
        scratch1 = bits[allocateDrop ? 4 : 3]
    }

    /// Cleared on entry to raw, cali-INPUT, cali-OUTPUT, mangle POSTROUTING (the drop bit is not).
    var allCalico: UInt32 { accept | pass | scratch0 | scratch1 }
}
