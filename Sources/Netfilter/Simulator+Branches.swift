/// One way a packet can go through `-m statistic --mode random` rules, and how likely it is.
public struct PacketBranch: Sendable {
    public var probability: Double
    public var trace: PacketTrace
}

/// The draws of one replay: the ones chosen in advance, then whatever comes next (below
/// the probability, i.e. the rule's statistic test holds), each recorded with its chance.
struct BranchScript {
    var chosen: [Bool]
    var made: [(probability: UInt32, below: Bool)] = []

    mutating func next(probability: UInt32) -> Bool {
        let below = made.count < chosen.count ? chosen[made.count] : true
        made.append((probability, below))
        return below
    }

    /// The chance of this sequence of draws (xt_statistic compares 31 random bits).
    var probability: Double {
        made.reduce(1.0) { chance, draw in
            let p = Double(draw.probability) / Double(1 << 31)
            return chance * (draw.below ? p : 1 - p)
        }
    }
}

extension Simulator {
    /// Every path the packet can take through random-mode `statistic` matches (kube-proxy's
    /// endpoint choice), each with its probability, from the current state; the state itself
    /// is left unchanged. Branches of probability zero are left out. At most `limit` branches.
    public func allBranches(_ input: PacketInput, limit: Int = 4096) -> [PacketBranch] {
        var results: [PacketBranch] = []
        var pending: [[Bool]] = [[]]
        while let chosen = pending.popLast(), results.count < limit {
            var copy = self
            copy.branchScript = BranchScript(chosen: chosen)
            let trace = copy.process(input)
            guard let script = copy.branchScript else { continue }
            // Each draw past the chosen prefix could have gone the other way.
            for index in (chosen.count..<script.made.count).reversed() {
                pending.append(script.made[..<index].map(\.below) + [!script.made[index].below])
            }
            if script.probability > 0 { results.append(PacketBranch(probability: script.probability, trace: trace)) }
        }
        return results
    }
}
