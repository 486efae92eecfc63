import KernelOracle
import Netfilter

/// Accepted or dropped, read from the kernel's trace of the injected packet.
enum KernelVerdict {
    /// Accepted when no step dropped it and the last hook it was traced in is the last of its
    /// path (INPUT for a local delivery, POSTROUTING for a packet sent out): a packet whose trace
    /// stops after PREROUTING or FORWARD with an accept was dropped by routing (no route,
    /// rp_filter, a blackhole route, forwarding off). A local packet whose `sendto` failed was
    /// dropped in OUTPUT (EPERM).
    static func accepted(_ result: KernelPacketResult) -> Bool {
        guard result.sendError == nil, let pass = result.original else { return false }
        var hook: String?
        for step in pass.steps {
            if step.verdict == .drop { return false }
            if builtinHooks.contains(step.chain) { hook = step.chain }
        }
        return hook == "INPUT" || hook == "POSTROUTING"
    }

    static let builtinHooks: Set<String> = ["PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"]
}
